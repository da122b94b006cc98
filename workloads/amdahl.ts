/**
 * `amdahl`: synthetic work with a known serial fraction — the ground truth for scaling fits.
 * A fraction `s` of `work` runs on rank 0's first thread while every other core waits, then the
 * rest is split over all ranks × threads. Iteration i adds i² to a 32-bit sum; the loop runs on
 * 32-bit integers only, so one iteration costs the same at any size (a counter past 2³¹ used to
 * knock V8 off its integer path and made large runs stall).
 *
 * The check is honest: every part (the serial one, each thread's share) reports its range and
 * its sum; the ranges must tile [0, total) with no gap or overlap, and each part's sum must equal
 * the closed form of its own range — a skipped, repeated or misassigned iteration changes a sum
 * (unless it happens to be a multiple of 2³², a chance of 2⁻³²).
 *
 * Weak mode follows Gustafson: at n cores the total work is n times `work`, and each run spends
 * the share `s` of its time in serial work (serial fraction s/(n − s(n − 1)) of the n-fold work).
 * So t(n) = t₁·n/(n − s(n − 1)) and the scaled speedup n·t₁/t(n) = n − s(n − 1): a weak sweep
 * from 1 core recovers Gustafson's s′ = s.
 *
 * @module
 */
import { float } from "../core/params.ts";
import { defineWorkload, partition, type ThreadInfo } from "../core/workload.ts";

const TWO32 = 4294967296;
/** Iterations per inner loop: an int32 count */
const BLOCK = 1 << 30;

/** Σ x² mod 2³² (as an int32) for n < 2³¹ consecutive int32 values from x0: one hot loop. */
function burnBlock(x0: number, n: number): number {
  let acc = 0, x = x0 | 0;
  for (let j = 0; j < n; j++) {
    acc = (acc + Math.imul(x, x)) | 0;
    x = (x + 1) | 0;
  }
  return acc;
}

/** Σ i² mod 2³² for i in [start, end): 32-bit integer arithmetic only, any range. */
export function burn(start: number, end: number): number {
  let acc = 0;
  let x = start % TWO32 | 0; // i mod 2³² as an int32: (i mod 2³²)² ≡ i² (mod 2³²)
  for (let left = end - start; left > 0; left -= BLOCK) {
    const n = (left < BLOCK ? left : BLOCK) | 0;
    acc = (acc + burnBlock(x, n)) | 0;
    x = (x + n) | 0;
  }
  return acc >>> 0;
}

/** Closed form of {@linkcode burn}: Σ i² for i in [start, end) mod 2³². */
export function expectedSum(start: number, end: number): number {
  const s = (n: bigint) => (n * (n - 1n) * (2n * n - 1n)) / 6n;
  return Number((s(BigInt(end)) - s(BigInt(start))) & 0xffffffffn);
}

/** One part of the work as it ran: its iteration range and its sum. */
export type Part = [start: number, end: number, sum: number];

/**
 * Check parts against the whole: null when they tile [0, total) exactly and every sum matches
 * its range's closed form, else a message naming the first problem.
 */
export function verifyParts(parts: readonly Part[], total: number): string | null {
  const sorted = parts.filter(([a, b]) => b > a).sort((p, q) => p[0] - q[0]);
  let next = 0;
  for (const [a, b, sum] of sorted) {
    if (a > next) return `Iterations ${next}..${a} never ran`;
    if (a < next) return `Iterations ${a}..${Math.min(b, next)} ran twice`;
    const want = expectedSum(a, b);
    if (sum !== want) return `Part ${a}..${b} summed to ${sum}, expected ${want}`;
    next = b;
  }
  if (next !== total) return `Iterations ${next}..${total} never ran`;
  return null;
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
    s: float({
      default: 0.1,
      min: 0,
      max: 1,
      help: "Serial fraction of the 1-core time (strong); serial share of every run's time (weak)",
    }),
    work: float({
      default: 500,
      min: 0.001,
      unit: "Miter",
      help:
        "Total work in millions of iterations at 1 core (an iteration takes well under a nanosecond)",
    }),
  },
  mode: "strong",
  weak(params, point) {
    // Gustafson: n-fold work, serial share s of every run's time
    const n = point.cores;
    return { s: params.s / (n - params.s * (n - 1)), work: params.work * n };
  },
  size: (params) => Math.round(params.work * 1e6),
  sizeUnit: "iterations",
  kernels: {
    burn(args: Split, info: ThreadInfo): Part {
      const [a, b] = share(args, info);
      return [a, b, burn(a, b)];
    },
  },
  operations: {
    burn: {
      summary: "Serial part on one core, then the parallel part on every core",
      async run(ctx) {
        const args = split(ctx.params.s, ctx.params.work);
        const parts: Part[] = ctx.rank === 0 ? [[0, args.serialEnd, burn(0, args.serialEnd)]] : [];
        await ctx.barrier();
        parts.push(...await ctx.parallel<Part>("burn", args));
        return { parts, total: args.total };
      },
      async check(ctx, _state, result: { parts: Part[]; total: number }) {
        const all = (await ctx.allgather(result.parts)).flat() as Part[];
        const problem = verifyParts(all, result.total);
        return problem === null ? true : { ok: false, message: problem };
      },
      metric: { unit: "Miter", amount: (params) => params.work },
    },
  },
});
