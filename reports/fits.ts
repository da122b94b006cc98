/**
 * Scaling-law fits with bounded parameters, confidence intervals and a model verdict:
 * - Amdahl (strong): t(n) = t₁·(s + (1 − s)/n), serial fraction s ∈ [0, 1] of the 1-core time
 *   (extrapolated when the sweep starts above 1 core);
 * - Gustafson (weak): scaled speedup S(k) = k·t₀/t(k) = k − s′(k − 1), k = n/n₀, so
 *   t(k) = t₀ / (1 − s′ + s′/k); s′ ∈ [0, 1] is the serial share of each run's time;
 * - Universal Scalability Law: capacity C(N) = N / (1 + σ(N − 1) + κN(N − 1)), N = n/n₀,
 *   σ, κ ≥ 0, predicted peak N* = √((1 − σ)/κ);
 * - Karp–Flatt experimental serial fraction per point: e = (1/S − 1/k) / (1 − 1/k).
 *
 * Every law is fitted to every repetition's log time by least squares (core/stats_fit.ts), so
 * the intervals (profile likelihood, Student-t, level stated) carry the reference point's
 * uncertainty and need no switch of method: with one repetition per point the residuals give
 * the scatter. Each fit carries a verdict: whether the data contradict a bound (slower with more
 * cores, faster than linear), depart from the law more than the repetitions scatter (lack-of-fit
 * F test), are better described by another law (AICc), or cannot check it (exactly determined).
 *
 * @module
 */
import type { Mode } from "../core/types.ts";
import {
  fitLogShape,
  type LogPoints,
  logPoints,
  type LogShapeLaw,
  type ShapeFit,
} from "../core/stats_fit.ts";
import type { Interval } from "../core/stats_interval.ts";
import {
  demote,
  fmt,
  type ModelVerdict,
  type Residual,
  verdictOf,
  type Words,
} from "./_verdict.ts";

export {
  AICC_MARGIN,
  CHECK_ALPHA,
  type ModelVerdict,
  type Residual,
  type VerdictStatus,
} from "./_verdict.ts";

/** A fitted parameter: value, approximate standard error and confidence interval. */
export interface Estimate {
  value: number;
  /** Half the interval's width over its t quantile; null when the interval stops at a bound */
  se: number | null;
  /** Confidence interval with its level and method; null when no degree of freedom is left */
  ci: Interval | null;
}

/** What every fit has. */
export interface FitCommon {
  /** The core count the law's parameters refer to: 1 for Amdahl, n₀ for the others */
  relativeTo: number;
  /** Residual degrees of freedom (repetitions in all − parameters) */
  df: number;
  verdict: ModelVerdict;
  residuals: Residual[];
}

/** Amdahl fit: t(n) = a + b/n with a = t₁·s, b = t₁·(1 − s). */
export interface AmdahlFit extends FitCommon {
  s: Estimate;
  a: number;
  b: number;
}

/** Gustafson fit of the scaled speedup relative to the smallest point. */
export interface GustafsonFit extends FitCommon {
  s: Estimate;
  n0: number;
  /** Fitted time at n₀ */
  t0: number;
}

/** Universal Scalability Law fit of the capacity relative to the smallest point. */
export interface UslFit extends FitCommon {
  sigma: Estimate;
  kappa: Estimate;
  n0: number;
  /** Fitted time at n₀ */
  t0: number;
  /** Predicted peak in cores (n₀·N*); null when κ = 0 or σ ≥ 1 (no peak) */
  peakCores: number | null;
  /** Predicted capacity (speedup) at the peak */
  peakCapacity: number | null;
  /** True when the peak lies outside the measured core counts */
  peakExtrapolated: boolean;
  /** Plain sentence about the peak (or why there is none) */
  peakNote: string;
}

/** All fits of one operation. */
export interface Fits {
  mode: Mode;
  amdahl: AmdahlFit | null;
  gustafson: GustafsonFit | null;
  usl: UslFit | null;
  /** Karp–Flatt serial fraction per point, relative to n₀ (null at n₀) */
  karpFlatt: { cores: number; e: number | null }[];
  /** How the intervals were computed ("none" when no fit has one) */
  method: "profile-likelihood" | "none";
  /** Confidence level of the intervals */
  level: number;
  /** Smallest core count: efficiency, Karp–Flatt, Gustafson and USL are relative to it */
  n0: number | null;
  /** The law with the lowest AICc, when at least two have one */
  preferred: "amdahl" | "gustafson" | "usl" | null;
  /** Plain sentence comparing the laws by AICc; null when fewer than two have one */
  comparison: string | null;
}

/** Repetitions of one point. */
export interface RepPoint {
  cores: number;
  /** Measured seconds of the repetitions (any order); empty for imported summaries */
  seconds: readonly number[];
  /** The point's median (used when there are no repetitions) */
  median: number;
}

/** Options of the fits. */
export interface FitOptions {
  /** Confidence level of the intervals (default 0.95) */
  level?: number;
}

function valid(points: readonly RepPoint[]): RepPoint[] {
  return points.filter((p) => p.cores > 0 && Number.isFinite(p.cores))
    .sort((p, q) => p.cores - q.cores);
}

function grouped(points: readonly RepPoint[], scale: number): LogPoints {
  return logPoints(points.map((p) => ({
    x: p.cores / scale,
    values: p.seconds.length ? p.seconds : [p.median],
  })));
}

function estimate(f: ShapeFit, j: number): Estimate {
  return { value: f.params[j], se: f.se[j], ci: f.intervals[j] };
}

function residuals(
  d: LogPoints,
  { fit: f, law, scale }: { fit: ShapeFit; law: LogShapeLaw; scale: number },
): Residual[] {
  return d.x.map((x, i) => {
    const observed = Math.exp(d.mean[i]);
    const fitted = Math.exp(f.logScale + law.logShape(x, f.params));
    return { cores: x * scale, observed, fitted, deviation: observed / fitted - 1 };
  });
}

const AMDAHL_WORDS: Words = {
  law: "Amdahl's law",
  names: ["s"],
  beyond: [{ lower: "Faster than linear speedup", upper: "Slower with more cores" }],
};

/** The Amdahl law on absolute core counts. */
function amdahlLaw(nmax: number): LogShapeLaw {
  return {
    names: ["s"],
    logShape: (n, [s]) => Math.log(s + (1 - s) / n),
    bounds: [[0, 1]],
    outer: [[-(1 - 1e-6) / Math.max(1e-9, nmax - 1), 50]],
  };
}

/** Amdahl fit of the repetitions; null with fewer than 2 core counts. */
export function fitAmdahl(points: readonly RepPoint[], options: FitOptions = {}): AmdahlFit | null {
  const d = grouped(valid(points), 1);
  if (d.x.length < 2) return null;
  const law = amdahlLaw(Math.max(...d.x));
  const f = fitLogShape(d, law, options);
  if (!f) return null;
  const t1 = Math.exp(f.logScale), s = f.params[0];
  const res = residuals(d, { fit: f, law, scale: 1 });
  return {
    s: estimate(f, 0),
    a: t1 * s,
    b: t1 * (1 - s),
    relativeTo: 1,
    df: f.df,
    verdict: verdictOf(f, { residuals: res, words: AMDAHL_WORDS }),
    residuals: res,
  };
}

/** Amdahl model time at `n` cores. */
export function amdahlTime(fit: AmdahlFit, n: number): number {
  return fit.a + fit.b / n;
}

const GUSTAFSON_WORDS: Words = {
  law: "Gustafson's law",
  names: ["s′"],
  beyond: [{
    lower: "The time falls as cores and work grow (faster than linear)",
    upper: "Scaled speedup below 1 (more cores and work take longer than one core's share)",
  }],
};

/** Gustafson fit (weak scaling); null without a point beyond the smallest core count. */
export function fitGustafson(
  points: readonly RepPoint[],
  options: FitOptions = {},
): GustafsonFit | null {
  const pts = valid(points);
  if (!pts.length) return null;
  const n0 = pts[0].cores;
  const d = grouped(pts, n0);
  if (d.x.length < 2) return null;
  const kmax = Math.max(...d.x);
  const law: LogShapeLaw = {
    names: ["s′"],
    logShape: (k, [s]) => -Math.log(1 - s * (1 - 1 / k)),
    bounds: [[0, 1]],
    outer: [[-50, (1 - 1e-6) * (kmax / (kmax - 1))]],
  };
  const f = fitLogShape(d, law, options);
  if (!f) return null;
  const res = residuals(d, { fit: f, law, scale: n0 });
  return {
    s: estimate(f, 0),
    n0,
    t0: Math.exp(f.logScale),
    relativeTo: n0,
    df: f.df,
    verdict: verdictOf(f, { residuals: res, words: GUSTAFSON_WORDS }),
    residuals: res,
  };
}

/** Gustafson's scaled speedup at `n` cores. */
export function gustafsonSpeedup(fit: GustafsonFit, n: number): number {
  const k = n / fit.n0;
  return k - fit.s.value * (k - 1);
}

/**
 * Karp–Flatt serial fraction per point from the speedup relative to the smallest point (strong)
 * or the scaled speedup k·t₀/t (weak). Null at the baseline.
 */
export function karpFlatt(
  ns: readonly number[],
  { times: ts, mode }: { times: readonly number[]; mode: Mode },
): { cores: number; e: number | null }[] {
  const pts = ns.map((n, i) => ({ n, t: ts[i] }))
    .filter((p) => p.n > 0 && p.t > 0 && Number.isFinite(p.n) && Number.isFinite(p.t))
    .sort((p, q) => p.n - q.n);
  if (!pts.length) return [];
  const n0 = pts[0].n, t0 = pts[0].t;
  return pts.map((p) => {
    const k = p.n / n0;
    if (k <= 1) return { cores: p.n, e: null };
    const S = mode === "weak" ? (k * t0) / p.t : t0 / p.t;
    return { cores: p.n, e: karpFlattOf(S, k) };
  });
}

/** Karp–Flatt fraction of a speedup S at k times the reference cores. */
export function karpFlattOf(S: number, k: number): number {
  return (1 / S - 1 / k) / (1 - 1 / k);
}

const USL_WORDS: Words = {
  law: "the USL",
  names: ["σ", "κ"],
  beyond: [
    { lower: "Faster than linear speedup", upper: "Slower with more cores" },
    { lower: "The capacity rises ever faster with more cores", upper: "Slower with more cores" },
  ],
};

function uslRel({ sigma, kappa }: { sigma: number; kappa: number }, N: number): number {
  return N / (1 + sigma * (N - 1) + kappa * N * (N - 1));
}

/** USL fit of the capacity relative to n₀; null with fewer than 3 core counts. */
export function fitUsl(
  points: readonly RepPoint[],
  mode: Mode,
  options: FitOptions = {},
): UslFit | null {
  const pts = valid(points);
  if (!pts.length) return null;
  const n0 = pts[0].cores;
  const d = grouped(pts, n0);
  if (d.x.length < 3) return null;
  const Nmax = Math.max(...d.x), N2 = d.x[1];
  const R = Math.max(1, ...d.mean.map((m) => Math.exp(m - d.mean[0])));
  const weak = mode === "weak";
  const sigmaMax = weak ? (4 * R) / (N2 - 1) : (4 * R) / (1 - 1 / N2);
  const kappaMax = weak ? (4 * R) / (N2 * (N2 - 1)) : (4 * R) / (N2 - 1);
  const law: LogShapeLaw = {
    names: ["σ", "κ"],
    logShape: weak
      ? (N, [s, k]) => Math.log(1 + s * (N - 1) + k * N * (N - 1))
      : (N, [s, k]) => Math.log(1 / N + s * (1 - 1 / N) + k * (N - 1)),
    bounds: [[0, sigmaMax], [0, kappaMax]],
    outer: [
      [-(1 - 1e-6) / (Nmax - 1), sigmaMax],
      [-(1 - 1e-6) / (Nmax * (Nmax - 1)), kappaMax],
    ],
  };
  const f = fitLogShape(d, law, options);
  if (!f) return null;
  const [sigma, kappa] = f.params;
  const res = residuals(d, { fit: f, law, scale: n0 });
  const peakN = kappa > 0 && sigma < 1 ? Math.sqrt((1 - sigma) / kappa) : null;
  const peakCores = peakN === null ? null : peakN * n0;
  const lo = pts[0].cores, hi = pts[pts.length - 1].cores;
  const peakExtrapolated = peakCores !== null && (peakCores > hi || peakCores < lo);
  const peakNote = peakCores === null
    ? kappa > 0
      ? `No peak: σ ≥ 1, the capacity falls from ${n0} core${n0 > 1 ? "s" : ""} on`
      : "No peak: κ = 0 (no coherency delay), the capacity keeps rising"
    : peakExtrapolated
    ? `Peak at ${fmt(peakCores)} cores, outside the measured ${lo}–${hi}: extrapolated`
    : `Peak at ${fmt(peakCores)} cores, within the measured ${lo}–${hi}`;
  return {
    sigma: estimate(f, 0),
    kappa: estimate(f, 1),
    n0,
    t0: Math.exp(f.logScale),
    peakCores,
    peakCapacity: peakN === null ? null : uslRel({ sigma, kappa }, peakN),
    peakExtrapolated,
    peakNote,
    relativeTo: n0,
    df: f.df,
    verdict: verdictOf(f, { residuals: res, words: USL_WORDS }),
    residuals: res,
  };
}

/** USL capacity (speedup, or scaled speedup in weak mode) at `n` cores, relative to n₀. */
export function uslCapacity(fit: UslFit, n: number): number {
  return uslRel({ sigma: fit.sigma.value, kappa: fit.kappa.value }, n / fit.n0);
}

/** Options of {@linkcode fitScaling}. */
export interface ScalingFitOptions extends FitOptions {
  mode: Mode;
}

const LAW_NAMES = { amdahl: "Amdahl's law", gustafson: "Gustafson's law", usl: "the USL" };

/**
 * Fit every law that applies to `mode` and compare them by AICc: when a law that the other does
 * not contain as a special case fits better by at least {@linkcode AICC_MARGIN}, the other's
 * verdict says so (Amdahl is the USL with κ = 0, so only the USL can beat Amdahl that way).
 */
export function fitScaling(points: readonly RepPoint[], options: ScalingFitOptions): Fits {
  const mode = options.mode, level = options.level ?? 0.95;
  const pts = valid(points).filter((p) => p.seconds.length || p.median > 0);
  const amdahl = mode === "strong" ? fitAmdahl(pts, { level }) : null;
  const gustafson = mode === "weak" ? fitGustafson(pts, { level }) : null;
  const usl = fitUsl(pts, mode, { level });
  const medians = pts.map((p) => p.median);
  const fits: Fits = {
    mode,
    amdahl,
    gustafson,
    usl,
    karpFlatt: karpFlatt(pts.map((p) => p.cores), { times: medians, mode }),
    method: [amdahl?.s, gustafson?.s, usl?.sigma].some((e) => e?.ci)
      ? "profile-likelihood"
      : "none",
    level,
    n0: pts.length ? pts[0].cores : null,
    preferred: null,
    comparison: null,
  };
  const two = (mode === "strong" ? amdahl : gustafson) as AmdahlFit | GustafsonFit | null;
  const twoName = mode === "strong" ? "amdahl" : "gustafson";
  const a2 = two?.verdict.aicc ?? null, a3 = usl?.verdict.aicc ?? null;
  if (two && usl && a2 !== null && a3 !== null) {
    fits.preferred = a3 < a2 ? "usl" : twoName;
    const [win, lose] = a3 < a2 ? [a3, a2] : [a2, a3];
    fits.comparison = `AICc prefers ${LAW_NAMES[fits.preferred]} (${fmt(win)} against ${
      fmt(lose)
    } for ${a3 < a2 ? LAW_NAMES[twoName] : LAW_NAMES.usl})`;
    demote(two.verdict, {
      worseBy: a2 - a3,
      rival: LAW_NAMES.usl,
      law: LAW_NAMES[twoName],
      aicc: { a: a3, b: a2 },
    });
    // Gustafson is not a special case of the USL, nor the reverse: weak mode goes both ways
    if (mode === "weak") {
      demote(usl.verdict, {
        worseBy: a3 - a2,
        rival: LAW_NAMES.gustafson,
        law: LAW_NAMES.usl,
        aicc: { a: a2, b: a3 },
      });
    }
  }
  return fits;
}
