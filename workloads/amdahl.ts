/**
 * `amdahl`: synthetic work with a known serial fraction — the ground truth for scaling fits.
 * A fraction `s` of `work` runs on rank 0's first thread while every other core waits, then the
 * rest is split over all ranks × threads. Iteration i adds i² to a 32-bit sum.
 *
 * The loop is a few lines of WebAssembly called in blocks of 2²⁰ iterations, so one iteration
 * costs the same at any size and whatever V8's JIT did before: in JavaScript, a counter past 2³¹
 * knocked V8 off its integer path, and a long call that started in V8's middle tier (Maglev, 3–5×
 * slower on this loop than TurboFan) stayed there — large runs stalled. WebAssembly has no such
 * tiers to get stuck in (its baseline code is replaced for the next call within milliseconds),
 * and `prepare` warms it on every thread before anything is timed.
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
/** Iterations per call of the WebAssembly loop (≈ 0.3 ms) */
const BLOCK = 1 << 20;
/** Iterations each thread runs, untimed, before the first repetition */
const WARM = 1 << 24;

/**
 * The hot loop, as WebAssembly:
 * ```wat
 * (func (export "burn") (param $x i32) (param $n i32) (result i32) (local $acc i32)
 *   (block $done
 *     (br_if $done (i32.eqz (local.get $n)))
 *     (loop $next
 *       (local.set $acc (i32.add (local.get $acc) (i32.mul (local.get $x) (local.get $x))))
 *       (local.set $x (i32.add (local.get $x) (i32.const 1)))
 *       (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
 *   (local.get $acc))
 * ```
 * i32 arithmetic wraps modulo 2³², so it returns Σ x² mod 2³² over n values from x (as an int32).
 */
// deno-fmt-ignore
const LOOP = [
  0x01, 0x01, 0x7f, // one local: i32 $acc
  0x02, 0x40, // block
  0x20, 0x01, 0x45, 0x0d, 0x00, // br_if $done (i32.eqz $n)
  0x03, 0x40, // loop
  0x20, 0x02, 0x20, 0x00, 0x20, 0x00, 0x6c, 0x6a, 0x21, 0x02, // $acc += $x * $x
  0x20, 0x00, 0x41, 0x01, 0x6a, 0x21, 0x00, // $x += 1
  0x20, 0x01, 0x41, 0x01, 0x6b, 0x22, 0x01, 0x0d, 0x00, // br_if $next ($n -= 1)
  0x0b, // end loop
  0x0b, // end block
  0x20, 0x02, // $acc
  0x0b, // end
];
// deno-fmt-ignore
const MODULE = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // \0asm, version 1
  0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, // type 0: (i32, i32) → i32
  0x03, 0x02, 0x01, 0x00, // function 0 has type 0
  0x07, 0x08, 0x01, 0x04, 0x62, 0x75, 0x72, 0x6e, 0x00, 0x00, // export "burn" = function 0
  0x0a, LOOP.length + 2, 0x01, LOOP.length, ...LOOP, // code
]);
const burnBlock = new WebAssembly.Instance(new WebAssembly.Module(MODULE)).exports.burn as (
  x: number,
  n: number,
) => number;

/** Σ i² mod 2³² for i in [start, end), any range. */
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
    warm(): number {
      return burn(0, WARM);
    },
  },
  async prepare(ctx) {
    // untimed: every thread's WebAssembly loop gets its optimized code before the first repetition
    burn(0, WARM);
    await ctx.parallel("warm");
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
