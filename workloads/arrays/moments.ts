/**
 * Numerically sound variance: blocks of integers are summed exactly after a shift (so Σd and Σd²
 * stay below 2⁵³), turned into `(n, mean, M2)` and merged with Chan et al.'s parallel algorithm
 * across rows, threads and ranks.
 *
 * @module
 */

/** `[n, mean, M2]` of a set of values (M2 = Σ (x − mean)²). */
export type Moments = [number, number, number];

/** Shift applied before summing integers in [0, 1e5): |x − SHIFT| ≤ 5·10⁴. */
export const SHIFT = 50_000;

/** The moments of a block from its exact shifted sums `s1 = Σ(x − shift)`, `s2 = Σ(x − shift)²`. */
export function fromShiftedSums(
  sums: { n: number; s1: number; s2: number },
  shift = SHIFT,
): Moments {
  const { n, s1, s2 } = sums;
  if (n === 0) return [0, 0, 0];
  const d = s1 / n;
  return [n, shift + d, Math.max(0, s2 - s1 * d)];
}

/** Chan's combination of two sets' moments. */
export function mergeMoments(a: Moments, b: Moments): Moments {
  const n = a[0] + b[0];
  if (b[0] === 0) return [a[0], a[1], a[2]];
  if (a[0] === 0) return [b[0], b[1], b[2]];
  const delta = b[1] - a[1];
  return [n, a[1] + (delta * b[0]) / n, a[2] + b[2] + (delta * delta * a[0] * b[0]) / n];
}

/** Merge many moments in order. */
export function mergeAll(parts: readonly Moments[]): Moments {
  let acc: Moments = [0, 0, 0];
  for (const p of parts) acc = mergeMoments(acc, p);
  return acc;
}

/** Standard deviation from moments with `ddof` degrees of freedom removed (NaN if n ≤ ddof). */
export function stdOf(m: Moments, ddof = 0): number {
  return m[0] > ddof ? Math.sqrt(m[2] / (m[0] - ddof)) : NaN;
}

/**
 * Moments of `data[start .. end)` (integers in [0, 1e5)), summed exactly in blocks of at most
 * 2¹⁶ values and merged with Chan's algorithm.
 */
export function rangeMoments(data: Int32Array, range: { start: number; end: number }): Moments {
  const { start, end } = range;
  let acc: Moments = [0, 0, 0];
  const sums = new Float64Array(2);
  for (let b = start; b < end; b += 65536) {
    const e = Math.min(end, b + 65536);
    shiftedSums(data, { a: b, b: e, out: sums });
    acc = mergeMoments(acc, fromShiftedSums({ n: e - b, s1: sums[0], s2: sums[1] }));
  }
  return acc;
}

/**
 * `out = [Σ(x − SHIFT), Σ(x − SHIFT)²]` over x[a .. b): exact for integers in [0, 1e5) while
 * b − a ≤ 2⁵³ / 2.5·10⁹ ≈ 3.6·10⁶ values.
 */
export function shiftedSums(x: Int32Array, o: { a: number; b: number; out: Float64Array }): void {
  // four independent accumulators: shorter dependency chains, and a body big enough that V8 does
  // not inline it into a caller that may run unoptimised (see arrays/kernels.ts)
  let s1 = 0, s2 = 0, t1 = 0, t2 = 0, u1 = 0, u2 = 0, v1 = 0, v2 = 0;
  const b = o.b;
  let i = o.a;
  for (; i + 4 <= b; i += 4) {
    const d0 = x[i] - SHIFT, d1 = x[i + 1] - SHIFT, d2 = x[i + 2] - SHIFT, d3 = x[i + 3] - SHIFT;
    s1 += d0;
    s2 += d0 * d0;
    t1 += d1;
    t2 += d1 * d1;
    u1 += d2;
    u2 += d2 * d2;
    v1 += d3;
    v2 += d3 * d3;
  }
  for (; i < b; i++) {
    const d = x[i] - SHIFT;
    s1 += d;
    s2 += d * d;
  }
  o.out[0] = s1 + t1 + u1 + v1;
  o.out[1] = s2 + t2 + u2 + v2;
}

/** Two-pass reference over plain values: `[n, mean, M2]` (for checks). */
export function twoPass(
  values: ArrayLike<number>,
  range: { start: number; end: number } = { start: 0, end: values.length },
): Moments {
  const { start, end } = range;
  let sum = 0;
  for (let i = start; i < end; i++) sum += values[i];
  const n = end - start;
  const mean = sum / n;
  let m2 = 0;
  for (let i = start; i < end; i++) m2 += (values[i] - mean) ** 2;
  return [n, mean, m2];
}
