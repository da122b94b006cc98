/**
 * Deterministic data of the dask-bench workloads: row `r` of a table is drawn from the stream
 * `rng(seed, r)` of core/random.ts, so every layout (ranks × threads) yields the same global data
 * and checks can recompute any row. The generator is inlined here (same initialisation and
 * xoshiro128** steps as `rng`) so that filling a row allocates nothing.
 *
 * @module
 */

/** Values are integers in [0, VALUE_RANGE), like dask-bench's `randint(0, 1e5)`. */
export const VALUE_RANGE = 100_000;

const INV_2_32 = 2.3283064365386963e-10; // 2^-32, exact: u * INV_2_32 === u / 2^32

/**
 * Fill `out[at + k · stride]` for k < `count` with `count` draws of
 * `rng(seed, stream).int(0, 1e5)` after skipping the stream's first `skip` draws.
 */
export function fillRow(
  out: Int32Array,
  options: {
    at: number;
    count: number;
    seed: number;
    stream: number;
    skip?: number;
    stride?: number;
  },
): void {
  // splitmix32 initialisation, exactly as rng(seed, stream)
  let a = (options.seed ^ Math.imul(options.stream + 1, 0x27d4eb2f)) >>> 0;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let k = 0; k < 4; k++) {
    a = (a + 0x9e3779b9) >>> 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    if (k === 0) s0 = z;
    else if (k === 1) s1 = z;
    else if (k === 2) s2 = z;
    else s3 = z;
  }
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  s0 |= 0, s1 |= 0, s2 |= 0, s3 |= 0;
  const count = options.count, total = (options.skip ?? 0) + count;
  const first = total - count, stride = options.stride ?? 1;
  let at = options.at;
  for (let i = 0; i < total; i++) {
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    if (i >= first) {
      out[at] = (result * INV_2_32 * VALUE_RANGE) | 0;
      at += stride;
    }
  }
}

/** One row of `count` values of stream `stream` (a new array; for checks). */
export function genRow(seed: number, stream: number, count: number): Int32Array {
  const out = new Int32Array(count);
  fillRow(out, { at: 0, count, seed, stream });
  return out;
}

/** `count` distinct-ish sample indices in [lo, hi), reproducible from `seed` (for checks). */
export function sampleIndices(
  count: number,
  options: { lo: number; hi: number; seed: number },
): number[] {
  const { lo, hi } = options;
  if (hi <= lo) return [];
  const n = Math.min(count, hi - lo);
  const out = new Set<number>([lo, hi - 1]);
  let x = (options.seed ^ 0x5bd1e995) >>> 0;
  while (out.size < n) {
    x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    x ^= x >>> 12;
    out.add(lo + Math.floor(((x >>> 0) * INV_2_32) * (hi - lo)));
  }
  return [...out].slice(0, n).sort((p, q) => p - q);
}
