/**
 * `amdahl`: synthetic work with a known serial fraction — the ground truth for scaling fits.
 * A fraction `s` of `work` runs on rank 0's first thread while every other core waits, then the
 * rest is split over all ranks × threads. Each iteration adds i² to a 32-bit sum, so the answer
 * has a closed form and the check proves that every iteration ran exactly once.
 *
 * Weak mode follows Gustafson: the serial work stays fixed and the parallel work grows with cores.
 *
 * @module
 */
import { float } from "../core/params.ts";
import { defineWorkload, partition, type ThreadInfo } from "../core/workload.ts";

/** Σ i² mod 2³² for i in [start, end). */
export function burn(start: number, end: number): number {
  let acc = 0;
  for (let i = start; i < end; i++) acc = (acc + Math.imul(i, i)) >>> 0;
  return acc;
}

/** Closed form of {@linkcode burn}: Σ i² for i in [start, end) mod 2³². */
export function expectedSum(start: number, end: number): number {
  const s = (n: bigint) => (n * (n - 1n) * (2n * n - 1n)) / 6n;
  return Number((s(BigInt(end)) - s(BigInt(start))) & 0xffffffffn);
}

interface Split {
  serialEnd: number;
  total: number;
}

function split(s: number, work: number): Split {
  const total = Math.round(work * 1e6);
  return { serialEnd: Math.round(s * total), total };
}

/** The parallel share of one thread: its [start, end) of the parallel iterations. */
function share(args: Split, info: ThreadInfo): [number, number] {
  const workers = info.ranks * info.threads;
  const [a, b] = partition(
    args.total - args.serialEnd,
    workers,
    info.rank * info.threads + info.thread,
  );
  return [args.serialEnd + a, args.serialEnd + b];
}

export default defineWorkload({
  name: "amdahl",
  summary: "Synthetic CPU work with a known serial fraction s (ground truth for scaling-law fits)",
  params: {
    s: float({ default: 0.1, min: 0, max: 1, help: "Serial fraction of the work" }),
    work: float({
      default: 500,
      min: 0.001,
      unit: "Miter",
      help: "Total work in millions of iterations (one iteration is about a nanosecond)",
    }),
  },
  mode: "strong",
  weak(params, point) {
    // Gustafson: serial work fixed, parallel work per core fixed
    const grown = params.s + (1 - params.s) * point.cores;
    return { s: params.s / grown, work: params.work * grown };
  },
  size: (params) => Math.round(params.work * 1e6),
  sizeUnit: "iterations",
  kernels: {
    burn(args: Split, info: ThreadInfo): number {
      const [a, b] = share(args, info);
      return burn(a, b);
    },
  },
  operations: {
    burn: {
      summary: "Serial part on one core, then the parallel part on every core",
      async run(ctx) {
        const args = split(ctx.params.s, ctx.params.work);
        let sum = ctx.rank === 0 ? burn(0, args.serialEnd) : 0;
        await ctx.barrier();
        for (const part of await ctx.parallel<number>("burn", args)) sum = (sum + part) >>> 0;
        let count = ctx.rank === 0 ? args.serialEnd : 0;
        for (let t = 0; t < ctx.threads; t++) {
          const [a, b] = share(args, {
            thread: t,
            threads: ctx.threads,
            rank: ctx.rank,
            ranks: ctx.ranks,
          });
          count += b - a;
        }
        return { sum, count, total: args.total };
      },
      async check(ctx, _state, result: { sum: number; count: number; total: number }) {
        const all = await ctx.allgather([result.sum, result.count]);
        const count = all.reduce((n, [, c]) => n + c, 0);
        const sum = all.reduce((acc, [s]) => (acc + s) >>> 0, 0);
        if (count !== result.total) {
          return { ok: false, message: `Ran ${count} iterations, expected ${result.total}` };
        }
        const expected = expectedSum(0, result.total);
        return sum === expected
          ? true
          : { ok: false, message: `Sum ${sum} differs from the closed form ${expected}` };
      },
      metric: { unit: "Miter", amount: (params) => params.work },
    },
  },
});
