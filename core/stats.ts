/**
 * Statistics of repeated timings: median, mean, sample standard deviation, linear quantiles,
 * Tukey outlier flags and a summary with the median's confidence interval (order statistics, its
 * level stated: core/stats_interval.ts), a coefficient of variation and a "noisy" flag.
 *
 * Related modules: core/stats_dist.ts (distributions), core/stats_interval.ts (intervals and
 * judging a bound), core/stats_compare.ts (two samples: ratio, verdict, regression),
 * core/stats_fit.ts (least-squares fits of scaling laws with profile intervals).
 *
 * @module
 */
import { type Interval, medianCI } from "./stats_interval.ts";

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
  /** Confidence interval of the median with its level and method; null for n < 2 */
  ci: Interval | null;
  /** Coefficient of variation std / mean */
  cv: number;
  /** cv > noisyCv */
  noisy: boolean;
  /** Tukey outlier flag per input value, in input order */
  outliers: boolean[];
}

/** Options of {@linkcode summarize}. */
export interface SummarizeOptions {
  /** Requested level of the median's interval (default 0.95; fewer than 6 values reach less) */
  level?: number;
  /** Coefficient of variation above which the values are "noisy" (default 0.10) */
  noisyCv?: number;
}

/** Summarize repetitions: min, median, mean, max, std, CI of the median, CV, outliers. */
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
    ci: medianCI(xs, { level: options.level }),
    cv,
    noisy: cv > (options.noisyCv ?? 0.10),
    outliers: tukeyOutliers(xs),
  };
}
