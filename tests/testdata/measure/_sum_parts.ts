// The kernel and operation of sum.ts, api_sum.ts and helper_sum.ts (no scalebench import: the
// function-form workload passes its API's partition in).
// deno-lint-ignore-file no-explicit-any
type Partition = (total: number, parts: number, index: number) => [number, number];

/** A thread's part: [its sum, its thread number], after sleeping its share of the time. */
export function sumKernel(partition: Partition) {
  return async (
    args: { start: number; end: number; ms: number },
    info: { thread: number; threads: number },
  ) => {
    const [a, b] = partition(args.end - args.start, info.threads, info.thread);
    let s = 0;
    for (let i = args.start + a; i < args.start + b; i++) s += i;
    await new Promise((r) => setTimeout(r, args.ms / info.threads));
    return [s, info.thread];
  };
}

/** The timed sum; its check: the total over ranks and every thread of every rank took part. */
export function sumOperation(partition: Partition) {
  return {
    async run(ctx: any) {
      const { n, ms } = ctx.params;
      const [start, end] = partition(n, ctx.ranks, ctx.rank);
      const parts: [number, number][] = await ctx.parallel("part", {
        start,
        end,
        ms: (ms * (end - start)) / n,
      });
      return { sum: parts.reduce((x, p) => x + p[0], 0), threads: parts.map((p) => p[1]) };
    },
    async check(ctx: any, _state: unknown, r: { sum: number; threads: number[] }) {
      const [total] = await ctx.allreduce([r.sum], "sum");
      const n = ctx.params.n;
      if (r.threads.join() !== [...Array(ctx.threads).keys()].join()) {
        return { ok: false, message: `Threads ${r.threads.join()} of ${ctx.threads} answered` };
      }
      return total === (n * (n - 1)) / 2 || { ok: false, message: `Sum ${total} is wrong` };
    },
    metric: { unit: "Melem", amount: (p: any) => p.n / 1e6 },
  };
}
