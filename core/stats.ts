/**
 * Statistics of repeated timings: median, mean, sample standard deviation, linear quantiles,
 * a seeded bootstrap confidence interval of the median, Tukey outlier flags and a summary with a
 * coefficient of variation and a "noisy" flag.
 *
 * @module
 */
import { rng } from "./random.ts";

function sorted(xs: readonly number[]): Float64Array {
  return Float64Array.from(xs).sort();
}

function quantileSorted(s: ArrayLike<number>, q: number): number {
  const n = s.length;
  if (n === 0) return NaN;
  const h = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/** Linear-interpolation quantile (numpy's default method); NaN for an empty list. */
export function quantile(xs: readonly number[], q: number): number {
  return quantileSorted(sorted(xs), q);
}

/** Median (the mean of the two middle values for an even count); NaN for an empty list. */
export function median(xs: readonly number[]): number {
  const s = sorted(xs), n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** Arithmetic mean; NaN for an empty list. */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (n − 1 in the denominator); 0 for fewer than 2 values. */
export function std(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (n - 1));
}

/** Options of {@linkcode bootstrapMedianCI}. */
export interface BootstrapOptions {
  /** Seed of the resampling generator (default 1) */
  seed?: number;
  /** Number of resamples (default 2000) */
  resamples?: number;
  /** Confidence level (default 0.95) */
  level?: number;
}

/**
 * Median of one bootstrap resample of the sorted values `s`, drawn with `next(n)` (an index in
 * [0, n)). Counting the drawn indices avoids sorting: the resample's k-th smallest value is
 * `s[k-th smallest drawn index]`. `counts` is a scratch buffer of length ≥ n.
 */
export function resampleMedian(
  s: ArrayLike<number>,
  next: (n: number) => number,
  counts: Int32Array,
): number {
  const n = s.length;
  counts.fill(0, 0, n);
  for (let i = 0; i < n; i++) counts[next(n)]++;
  const k1 = (n - 1) >> 1, k2 = n >> 1;
  let seen = 0, a = NaN;
  for (let j = 0; j < n; j++) {
    seen += counts[j];
    if (Number.isNaN(a) && seen > k1) a = s[j];
    if (seen > k2) return (a + s[j]) / 2;
  }
  return a;
}

/**
 * Percentile bootstrap confidence interval of the median, reproducible from `seed` (uses
 * core/random.ts). Null for fewer than 2 values.
 */
export function bootstrapMedianCI(
  xs: readonly number[],
  options: BootstrapOptions = {},
): [number, number] | null {
  const n = xs.length;
  if (n < 2) return null;
  const resamples = Math.max(1, Math.floor(options.resamples ?? 2000));
  const level = options.level ?? 0.95;
  const s = sorted(xs);
  const r = rng(options.seed ?? 1);
  const next = (m: number) => r.int(0, m);
  const counts = new Int32Array(n);
  const meds = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) meds[b] = resampleMedian(s, next, counts);
  meds.sort();
  const alpha = (1 - level) / 2;
  return [quantileSorted(meds, alpha), quantileSorted(meds, 1 - alpha)];
}

/** Tukey's fences: true where a value lies outside [Q1 − 1.5·IQR, Q3 + 1.5·IQR]. */
export function tukeyOutliers(xs: readonly number[]): boolean[] {
  if (xs.length === 0) return [];
  const s = sorted(xs);
  const q1 = quantileSorted(s, 0.25), q3 = quantileSorted(s, 0.75);
  const lo = q1 - 1.5 * (q3 - q1), hi = q3 + 1.5 * (q3 - q1);
  return xs.map((x) => x < lo || x > hi);
}

/** Summary statistics of one set of repetitions. */
export interface Summary {
  n: number;
  min: number;
  median: number;
  mean: number;
  max: number;
  /** Sample standard deviation */
  std: number;
  /** Bootstrap 95 % confidence interval of the median; null for n < 2 */
  ci95: [number, number] | null;
  /** Coefficient of variation std / mean */
  cv: number;
  /** cv > noisyCv */
  noisy: boolean;
  /** Tukey outlier flag per input value, in input order */
  outliers: boolean[];
}

/** Options of {@linkcode summarize}. */
export interface SummarizeOptions {
  seed?: number;
  resamples?: number;
  /** Coefficient of variation above which the values are "noisy" (default 0.10) */
  noisyCv?: number;
}

/** Summarize repetitions: min, median, mean, max, std, 95 % CI of the median, CV, outliers. */
export function summarize(xs: readonly number[], options: SummarizeOptions = {}): Summary {
  const n = xs.length;
  let min = Infinity, max = -Infinity;
  for (const x of xs) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const m = mean(xs);
  const sd = std(xs);
  const cv = n === 0 ? NaN : m === 0 ? (sd === 0 ? 0 : Infinity) : sd / Math.abs(m);
  return {
    n,
    min: n ? min : NaN,
    median: median(xs),
    mean: m,
    max: n ? max : NaN,
    std: sd,
    ci95: bootstrapMedianCI(xs, { seed: options.seed, resamples: options.resamples }),
    cv,
    noisy: cv > (options.noisyCv ?? 0.10),
    outliers: tukeyOutliers(xs),
  };
}
