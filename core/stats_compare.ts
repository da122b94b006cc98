/**
 * Two samples of repetitions compared: the ratio of their medians with a distribution-free
 * confidence interval, a verdict (faster / slower / indistinguishable) whose false-positive rate
 * is known exactly, and a one-sided regression test ("slower than X % with confidence").
 *
 * Method: on log times, a change of speed is a shift. The Hodges–Lehmann–Moses interval of that
 * shift is [D₍ₖ₎, D₍ₘₙ₋ₖ₊₁₎] over the m·n pairwise differences D = log b − log a, with k from the
 * exact null distribution of the Mann–Whitney statistic. When both samples come from one
 * distribution (whatever its shape), the interval excludes 1 with probability exactly
 * 1 − level — that is the verdict's false-positive rate, stated with each comparison. Under a
 * change of speed (b = r·a in distribution), the interval covers r with the stated level.
 *
 * @module
 */
import { median } from "./stats.ts";
import { mannWhitneyCdf } from "./stats_dist.ts";
import { type Interval, pct } from "./stats_interval.ts";

function logSorted(xs: readonly number[]): Float64Array {
  return Float64Array.from(xs.filter((x) => x > 0 && Number.isFinite(x)), Math.log).sort();
}

/** Two samples, each sorted ascending. */
export interface SortedPair {
  a: Float64Array;
  b: Float64Array;
}

/** Number of pairs with b_j − a_i ≤ d. */
function countAtMost({ a, b }: SortedPair, d: number): number {
  let c = 0, i = 0;
  // for each b_j (ascending), the a_i ≥ b_j − d form a suffix that only grows
  for (let j = 0; j < b.length; j++) {
    while (i < a.length && a[i] < b[j] - d) i++;
    c += a.length - i;
  }
  return c;
}

/** The k-th smallest (1-based) pairwise difference b_j − a_i. */
export function kthPairDifference(pair: SortedPair, k: number): number {
  const { a, b } = pair, m = a.length, n = b.length;
  if (m * n <= 100_000) {
    const d = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) d[i * n + j] = b[j] - a[i];
    d.sort();
    return d[k - 1];
  }
  let lo = b[0] - a[m - 1], hi = b[n - 1] - a[0];
  for (let it = 0; it < 200 && lo < hi; it++) {
    const mid = lo + (hi - lo) / 2;
    if (mid === lo || mid === hi) break;
    if (countAtMost(pair, mid) >= k) hi = mid;
    else lo = mid;
  }
  return countAtMost(pair, lo) >= k ? lo : hi;
}

/** Largest k ≥ 1 with P(U ≤ k − 1) ≤ tail, or 0 when even k = 1 exceeds it. */
function criticalK(sizes: { m: number; n: number }, tail: number): number {
  const { m, n } = sizes;
  if (mannWhitneyCdf(0, sizes) > tail) return 0;
  let lo = 1, hi = Math.floor((m * n) / 2) + 1; // P(U ≤ lo − 1) ≤ tail < P(U ≤ hi − 1)
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (mannWhitneyCdf(mid - 1, sizes) <= tail) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Options of {@linkcode ratioCI}. */
export interface RatioCIOptions {
  /** Requested confidence level (default 0.95) */
  level?: number;
  /** `two-sided` (default), or `lower`/`upper`: a one-sided bound (the other end infinite) */
  sides?: "two-sided" | "lower" | "upper";
}

/**
 * Confidence interval of the ratio of the typical values of `b` over `a` (b/a, e.g. new time over
 * base time), distribution-free (Mann–Whitney on log values). When the requested level cannot be
 * reached with these sample sizes, the widest interval is returned with its lower, exact level
 * and a note; null when no interval has a positive level (one value on each side).
 */
export function ratioCI(
  a: readonly number[],
  b: readonly number[],
  options: RatioCIOptions = {},
): Interval | null {
  const la = logSorted(a), lb = logSorted(b);
  const m = la.length, n = lb.length;
  if (!m || !n) return null;
  const want = options.level ?? 0.95, sides = options.sides ?? "two-sided";
  const tails = sides === "two-sided" ? 2 : 1;
  let k = criticalK({ m, n }, (1 - want) / tails);
  let note: string | null = null;
  if (k === 0) {
    k = 1;
    const best = 1 - tails * mannWhitneyCdf(0, { m, n });
    if (!(best > 0)) return null;
    note = `${m} and ${n} repetitions give at most ${pct(best)}; ${pct(want)} needs more`;
  }
  const level = 1 - tails * mannWhitneyCdf(k - 1, { m, n });
  const pair = { a: la, b: lb };
  const lo = sides === "upper" ? -Infinity : kthPairDifference(pair, k);
  const hi = sides === "lower" ? Infinity : kthPairDifference(pair, m * n - k + 1);
  return { lo: Math.exp(lo), hi: Math.exp(hi), level, method: "mann-whitney", note };
}

/** Verdict of a comparison, from the candidate's side. */
export type ComparisonVerdict = "faster" | "slower" | "indistinguishable" | "untested";

/** A candidate sample compared with a base sample. */
export interface SampleComparison {
  nBase: number;
  nCandidate: number;
  medianBase: number;
  medianCandidate: number;
  /** median(candidate) / median(base): above 1 means the candidate is slower (for times) */
  ratio: number;
  /** Confidence interval of the ratio; null when the sizes allow none */
  ci: Interval | null;
  verdict: ComparisonVerdict;
  /** Probability of "faster" or "slower" when both samples come from one distribution */
  falsePositiveRate: number | null;
  /** One plain sentence */
  reason: string;
}

function fmt(x: number): string {
  return Number(x.toPrecision(3)).toString();
}

/** Options of {@linkcode compareSamples}. */
export interface CompareOptions {
  /** Requested confidence level (default 0.95) */
  level?: number;
}

/**
 * Compare a candidate's times with a base's: "slower" when the whole interval of the ratio lies
 * above 1, "faster" when below, "indistinguishable" when it contains 1, "untested" when there is
 * no interval (a single repetition on each side).
 */
export function compareSamples(
  base: readonly number[],
  candidate: readonly number[],
  options: CompareOptions = {},
): SampleComparison {
  const mb = median(base), mc = median(candidate);
  const ratio = mc / mb;
  const ci = ratioCI(base, candidate, { level: options.level });
  const out = {
    nBase: base.length,
    nCandidate: candidate.length,
    medianBase: mb,
    medianCandidate: mc,
    ratio,
    ci,
  };
  if (!ci) {
    return {
      ...out,
      verdict: "untested",
      falsePositiveRate: null,
      reason: `Ratio ${fmt(ratio)} from ${base.length} and ${candidate.length} repetitions: ` +
        `too few for a test`,
    };
  }
  const range = `${pct(ci.level)} CI ${fmt(ci.lo)}–${fmt(ci.hi)}`;
  const verdict: ComparisonVerdict = ci.lo > 1
    ? "slower"
    : ci.hi < 1
    ? "faster"
    : "indistinguishable";
  const reason = verdict === "indistinguishable"
    ? `Indistinguishable: ratio ${fmt(ratio)}, ${range} contains 1`
    : `${verdict === "slower" ? "Slower" : "Faster"}: ratio ${fmt(ratio)}, ${range} excludes 1`;
  return { ...out, verdict, falsePositiveRate: 1 - ci.level, reason };
}

/** Outcome of {@linkcode regressionTest}. */
export interface RegressionResult {
  /** The allowed slowdown, e.g. 0.10 for 10 % */
  maxRegression: number;
  /** median(candidate) / median(base) */
  ratio: number;
  /** One-sided lower confidence bound of the ratio; null when the sizes allow none */
  bound: Interval | null;
  /** True when the candidate is slower than 1 + maxRegression with the bound's confidence */
  regressed: boolean;
  /** Largest probability of a false alarm when the true slowdown is at most maxRegression */
  falseAlarmRate: number | null;
  reason: string;
}

/**
 * Is the candidate slower than `1 + maxRegression` times the base with confidence `level`
 * (default 0.95)? Uses the one-sided lower bound of the ratio; the false-alarm rate is at most
 * 1 − (its level) for any true slowdown up to `maxRegression` (exactly that at the threshold).
 * Samples too small to reach `level` (fewer than 3 and 3) never flag a regression.
 */
export function regressionTest(
  base: readonly number[],
  candidate: readonly number[],
  options: { maxRegression?: number; level?: number } = {},
): RegressionResult {
  const maxRegression = options.maxRegression ?? 0.10, want = options.level ?? 0.95;
  const ratio = median(candidate) / median(base);
  const bound = ratioCI(base, candidate, { level: want, sides: "lower" });
  const limit = 1 + maxRegression;
  if (!bound || bound.level < want - 1e-12) {
    return {
      maxRegression,
      ratio,
      bound,
      regressed: false,
      falseAlarmRate: null,
      reason: `Ratio ${fmt(ratio)}: ${base.length} and ${candidate.length} repetitions are too ` +
        `few to show a regression with ${pct(want)} confidence`,
    };
  }
  const regressed = bound.lo > limit;
  const conf = pct(bound.level);
  return {
    maxRegression,
    ratio,
    bound,
    regressed,
    falseAlarmRate: 1 - bound.level,
    reason: regressed
      ? `Slower than ${fmt(limit)}× with ${conf} confidence: ratio ${fmt(ratio)}, at least ${
        fmt(bound.lo)
      }`
      : `Not shown slower than ${fmt(limit)}× at ${conf}: ratio ${
        fmt(ratio)
      }, ${conf} lower bound ${fmt(bound.lo)}`,
  };
}
