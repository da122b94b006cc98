// The rendezvous' collectives, timed: each operation calls one collective `iters` times; its time
// divided by `iters` is the collective's latency at that rank count. Every result is checked
// exactly (bench/rendezvous_bench.ts).
// deno-lint-ignore-file no-explicit-any
export default (sb: any) =>
  sb.defineWorkload({
    name: "rendezvous",
    summary: "Barrier, allgather and allreduce of the rank runtime, `iters` calls each",
    params: {
      iters: sb.int({ default: 20, min: 1, help: "Calls of the collective per operation" }),
      values: sb.int({ default: 1, min: 1, help: "Numbers each rank reduces (allreduce)" }),
    },
    operations: {
      barrier: {
        async run(ctx: any) {
          for (let i = 0; i < ctx.params.iters; i++) await ctx.barrier();
          return ctx.params.iters;
        },
        check: (ctx: any, _s: unknown, r: number) => r === ctx.params.iters,
      },
      allgather: {
        async run(ctx: any) {
          let last: number[] = [];
          for (let i = 0; i < ctx.params.iters; i++) last = await ctx.allgather(ctx.rank * 3 + i);
          return last;
        },
        check: (ctx: any, _s: unknown, r: number[]) =>
          r.length === ctx.ranks &&
          r.every((v, k) => v === k * 3 + ctx.params.iters - 1),
      },
      allreduce: {
        async run(ctx: any) {
          const mine = Array.from({ length: ctx.params.values }, (_, j) => ctx.rank + j);
          let last = new Float64Array(0);
          for (let i = 0; i < ctx.params.iters; i++) last = await ctx.allreduce(mine);
          return last;
        },
        check: (ctx: any, _s: unknown, r: Float64Array) => {
          const n = ctx.ranks;
          return r.length === ctx.params.values &&
            r.every((v, j) => v === (n * (n - 1)) / 2 + n * j);
        },
      },
    },
  });
