// Exercises every collective and the thread pool; the check verifies exact results.
// deno-lint-ignore-file no-explicit-any
export default (sb: any) =>
  sb.defineWorkload({
    name: "collectives",
    summary: "allreduce, allgather, alltoall and parallel kernels with exact answers",
    params: { throw_on_rank: sb.int({ default: -1, min: -1 }) },
    kernels: {
      square(args: { base: number }, info: any) {
        return (args.base + info.thread) ** 2;
      },
    },
    operations: {
      exchange: {
        async run(ctx: any) {
          if (ctx.rank === ctx.params.throw_on_rank) throw new Error("thrown on purpose");
          const sum = await ctx.allreduce([ctx.rank, 1], "sum");
          const max = await ctx.allreduce([ctx.rank], "max");
          const gathered = await ctx.allgather({ r: ctx.rank });
          const blocks = await ctx.alltoall(
            Array.from({ length: ctx.ranks }, (_, d) => new Uint8Array([ctx.rank, d])),
          );
          const squares = await ctx.parallel("square", { base: 10 * ctx.rank });
          return { sum: [...sum], max: [...max], gathered, blocks: blocks.map((b: Uint8Array) => [...b]), squares };
        },
        check(ctx: any, _s: unknown, r: any) {
          const n = ctx.ranks;
          const expect = {
            sum: [(n * (n - 1)) / 2, n],
            max: [n - 1],
            gathered: Array.from({ length: n }, (_, i) => ({ r: i })),
            blocks: Array.from({ length: n }, (_, src) => [src, ctx.rank]),
            squares: Array.from({ length: ctx.threads }, (_, t) => (10 * ctx.rank + t) ** 2),
          };
          const ok = JSON.stringify(r) === JSON.stringify(expect);
          return ok || { ok: false, message: `got ${JSON.stringify(r)}, expected ${JSON.stringify(expect)}` };
        },
      },
    },
  });
