/**
 * Confidence intervals that state their level and method, the distribution-free interval of a
 * median, and the judgement of a bound against an interval (pass / fail / inconclusive).
 *
 * The median's interval comes from order statistics: [x₍ₖ₎, x₍ₙ₋ₖ₊₁₎] covers the median of any
 * continuous distribution with probability 1 − 2·P(Binomial(n, ½) ≤ k − 1), whatever its shape.
 * By default it is interpolated between the two neighbouring order-statistic intervals to the
 * requested level (Hettmansperger & Sheather 1986); with fewer repetitions than that level needs
 * (6 for 95 %) it is [min, max] with its exact, lower level and a note saying so.
 *
 * @module
 */
import { binomialCdf } from "./stats_dist.ts";

/** How an interval was computed. */
export type IntervalMethod =
  /** Exact order statistics [x₍ₖ₎, x₍ₙ₋ₖ₊₁₎], binomial level */
  | "order-statistics"
  /** Order statistics interpolated to the requested level (Hettmansperger–Sheather) */
  | "hettmansperger-sheather"
  /** Pairwise differences of log times with the exact Mann–Whitney level (Hodges–Lehmann–Moses) */
  | "mann-whitney"
  /** Profile likelihood of a least-squares fit of log times, Student-t quantile */
  | "profile-likelihood"
  /** A value fixed by definition (the reference point of a speedup) */
  | "definition";

/** A confidence interval with the level it really has and how it was computed. */
export interface Interval {
  lo: number;
  hi: number;
  /** Confidence level of the interval (e.g. 0.95; 0.875 for [min, max] of 4 values) */
  level: number;
  method: IntervalMethod;
  /** A plain sentence when the requested level was not reached or a limit matters, else null */
  note: string | null;
}

/** Options of {@linkcode medianCI}. */
export interface MedianCIOptions {
  /** Requested confidence level (default 0.95) */
  level?: number;
  /** `interpolated` (default): exactly the requested level; `exact`: the nearest order
   * statistics at or above it, with their binomial level */
  method?: "interpolated" | "exact";
}

/** Coverage of [x₍ₖ₎, x₍ₙ₋ₖ₊₁₎] (1-based k) for the median of n values. */
export function orderStatLevel(n: number, k: number): number {
  return 1 - 2 * binomialCdf(k - 1, { n, p: 0.5 });
}

/** Fewest values for which an order-statistic interval of the median reaches `level`. */
export function minRepsForLevel(level: number): number {
  let n = 2;
  while (orderStatLevel(n, 1) < level) n++;
  return n;
}

/** Percent with up to two decimals: 0.9375 → "93.75 %", 0.95 → "95 %". */
export function pct(level: number): string {
  return `${Number((level * 100).toFixed(2))} %`;
}

/**
 * Confidence interval of the median of `xs` from order statistics (distribution-free). Null for
 * fewer than 2 values.
 */
export function medianCI(xs: readonly number[], options: MedianCIOptions = {}): Interval | null {
  const n = xs.length;
  if (n < 2) return null;
  const want = options.level ?? 0.95;
  const s = Float64Array.from(xs).sort();
  const at = (k: number) => s[k - 1]; // 1-based order statistic
  const g1 = orderStatLevel(n, 1);
  if (g1 < want) {
    return {
      lo: s[0],
      hi: s[n - 1],
      level: g1,
      method: "order-statistics",
      note: `${n} repetitions give at most ${pct(g1)} (min to max); ${pct(want)} needs ${
        minRepsForLevel(want)
      }`,
    };
  }
  // largest k whose interval still reaches the level
  let k = 1;
  while (k + 1 < n - k && orderStatLevel(n, k + 1) >= want) k++;
  const gk = orderStatLevel(n, k);
  if (options.method === "exact" || gk === want || k + 1 > n - k) {
    return { lo: at(k), hi: at(n - k + 1), level: gk, method: "order-statistics", note: null };
  }
  const gk1 = orderStatLevel(n, k + 1);
  const I = (gk - want) / (gk - gk1);
  const lambda = ((n - k) * I) / (k + (n - 2 * k) * I);
  return {
    lo: (1 - lambda) * at(k) + lambda * at(k + 1),
    hi: (1 - lambda) * at(n - k + 1) + lambda * at(n - k),
    level: want,
    method: "hettmansperger-sheather",
    note: null,
  };
}

/** A comparison in an expectation: the figure must be ≥, >, ≤ or < the bound. */
export type BoundOp = ">=" | ">" | "<=" | "<";

/** Outcome of judging a bound with an interval. */
export type Judgement = "pass" | "fail" | "inconclusive";

/**
 * Judge `figure op bound` with the figure's confidence interval: pass when the whole interval
 * satisfies it, fail when none of it does, inconclusive when the interval straddles the bound or
 * there is no interval.
 */
export function judgeBound(
  ci: Interval | null,
  { op, bound }: { op: BoundOp; bound: number },
): Judgement {
  if (!ci || !Number.isFinite(ci.lo) || !Number.isFinite(ci.hi)) return "inconclusive";
  const holds = (x: number) =>
    op === ">=" ? x >= bound : op === ">" ? x > bound : op === "<=" ? x <= bound : x < bound;
  const lo = holds(ci.lo), hi = holds(ci.hi);
  if (lo && hi) return "pass";
  if (!lo && !hi) return "fail";
  return "inconclusive";
}

/** Map an interval through an increasing (`up`) or decreasing function. */
export function mapInterval(
  ci: Interval,
  f: (x: number) => number,
  options: { decreasing?: boolean } = {},
): Interval {
  const a = f(ci.lo), b = f(ci.hi);
  return options.decreasing ? { ...ci, lo: b, hi: a } : { ...ci, lo: a, hi: b };
}
