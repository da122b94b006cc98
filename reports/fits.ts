/**
 * Scaling-law fits of median times against core counts, with uncertainty:
 * - Amdahl (strong): t(n) = a + b/n, serial fraction s = a / (a + b), weighted least squares on
 *   relative residuals;
 * - Gustafson (weak): scaled speedup S(k) = k·t₀/t(k) fitted to S = k − s′(k − 1);
 * - Karp–Flatt experimental serial fraction per point: e = (1/S − 1/k) / (1 − 1/k);
 * - Universal Scalability Law: C(N) = N / (1 + σ(N − 1) + κN(N − 1)) with predicted peak
 *   N* = √((1 − σ)/κ).
 * `k` and `N` are core counts relative to the smallest point n₀ (they equal the core counts when
 * the sweep starts at 1 core). Uncertainty: a bootstrap over repetitions when every point has at
 * least two, else the least-squares covariance when there are spare degrees of freedom.
 *
 * @module
 */
import type { Mode } from "../core/types.ts";
import { rng } from "../core/random.ts";
import { quantile, resampleMedian, std } from "../core/stats.ts";

/** A fitted parameter: value, standard error and 95 % interval (null when unknown). */
export interface Estimate {
  value: number;
  se: number | null;
  ci: [number, number] | null;
}

/** Amdahl fit: t(n) = a + b/n. */
export interface AmdahlFit {
  s: Estimate;
  a: number;
  b: number;
}

/** Gustafson fit of the scaled speedup relative to the smallest point. */
export interface GustafsonFit {
  s: Estimate;
  n0: number;
  t0: number;
}

/** Universal Scalability Law fit of the relative capacity. */
export interface UslFit {
  sigma: Estimate;
  kappa: Estimate;
  n0: number;
  t0: number;
  /** Predicted peak in cores (n₀·N*); null when κ ≤ 0 or σ ≥ 1 (no peak) */
  peakCores: number | null;
  /** Predicted capacity (speedup) at the peak */
  peakCapacity: number | null;
}

/** How the uncertainties were estimated. */
export type UncertaintyMethod = "bootstrap" | "least-squares" | "none";

/** All fits of one operation. */
export interface Fits {
  mode: Mode;
  amdahl: AmdahlFit | null;
  gustafson: GustafsonFit | null;
  usl: UslFit | null;
  /** Karp–Flatt serial fraction per point (null at the baseline) */
  karpFlatt: { cores: number; e: number | null }[];
  method: UncertaintyMethod;
  resamples: number;
}

type Point = { n: number; t: number };

function clean(ns: readonly number[], ts: readonly number[]): Point[] {
  const pts: Point[] = [];
  for (let i = 0; i < ns.length; i++) {
    if (ns[i] > 0 && ts[i] > 0 && Number.isFinite(ns[i]) && Number.isFinite(ts[i])) {
      pts.push({ n: ns[i], t: ts[i] });
    }
  }
  return pts.sort((p, q) => p.n - q.n);
}

function distinct(pts: Point[]): number {
  return new Set(pts.map((p) => p.n)).size;
}

/** Solve the 2×2 weighted normal equations of y ≈ p·x1 + q·x2; null when singular. */
function lsq2(x1: number[], x2: number[], y: number[], w: number[]) {
  let s11 = 0, s12 = 0, s22 = 0, r1 = 0, r2 = 0;
  for (let i = 0; i < y.length; i++) {
    s11 += w[i] * x1[i] * x1[i];
    s12 += w[i] * x1[i] * x2[i];
    s22 += w[i] * x2[i] * x2[i];
    r1 += w[i] * x1[i] * y[i];
    r2 += w[i] * x2[i] * y[i];
  }
  const det = s11 * s22 - s12 * s12;
  if (!(Math.abs(det) > 1e-300 * Math.max(1, s11 * s22))) return null;
  const p = (s22 * r1 - s12 * r2) / det, q = (s11 * r2 - s12 * r1) / det;
  let rss = 0;
  for (let i = 0; i < y.length; i++) rss += w[i] * (y[i] - p * x1[i] - q * x2[i]) ** 2;
  const dof = y.length - 2;
  const s2 = dof > 0 ? rss / dof : NaN;
  // covariance = s² · (XᵀWX)⁻¹
  return { p, q, vpp: (s2 * s22) / det, vqq: (s2 * s11) / det, vpq: (-s2 * s12) / det, dof };
}

function est(value: number, se: number | null): Estimate {
  const ok = se !== null && Number.isFinite(se);
  return { value, se: ok ? se : null, ci: ok ? [value - 1.96 * se!, value + 1.96 * se!] : null };
}

/** Amdahl fit of median times `ts` at core counts `ns`; null with fewer than 2 core counts. */
export function fitAmdahl(ns: readonly number[], ts: readonly number[]): AmdahlFit | null {
  const pts = clean(ns, ts);
  if (distinct(pts) < 2) return null;
  const f = lsq2(
    pts.map(() => 1),
    pts.map((p) => 1 / p.n),
    pts.map((p) => p.t),
    pts.map((p) => 1 / (p.t * p.t)),
  );
  if (!f || f.p + f.q === 0) return null;
  const { p: a, q: b } = f;
  const d = (a + b) ** 2;
  const varS = (b * b * f.vpp - 2 * a * b * f.vpq + a * a * f.vqq) / (d * d);
  return { s: est(a / (a + b), f.dof > 0 ? Math.sqrt(varS) : null), a, b };
}

/** Amdahl model time at `n` cores. */
export function amdahlTime(fit: AmdahlFit, n: number): number {
  return fit.a + fit.b / n;
}

/** Gustafson fit (weak scaling); null without a point beyond the smallest core count. */
export function fitGustafson(ns: readonly number[], ts: readonly number[]): GustafsonFit | null {
  const pts = clean(ns, ts);
  if (distinct(pts) < 2) return null;
  const n0 = pts[0].n;
  const base = pts.filter((p) => p.n === n0);
  const t0 = base.reduce((s, p) => s + p.t, 0) / base.length;
  let sxy = 0, sxx = 0;
  const rest = pts.filter((p) => p.n > n0);
  for (const p of rest) {
    const k = p.n / n0;
    const x = k - 1, y = k - (k * t0) / p.t;
    sxy += x * y;
    sxx += x * x;
  }
  const s = sxy / sxx;
  let rss = 0;
  for (const p of rest) {
    const k = p.n / n0;
    rss += (k - (k * t0) / p.t - s * (k - 1)) ** 2;
  }
  const se = rest.length > 1 ? Math.sqrt(rss / (rest.length - 1) / sxx) : null;
  return { s: est(s, se), n0, t0 };
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
  ts: readonly number[],
  mode: Mode,
): { cores: number; e: number | null }[] {
  const pts = clean(ns, ts);
  if (!pts.length) return [];
  const n0 = pts[0].n, t0 = pts[0].t;
  return pts.map((p) => {
    const k = p.n / n0;
    if (k <= 1) return { cores: p.n, e: null };
    const S = mode === "weak" ? (k * t0) / p.t : t0 / p.t;
    return { cores: p.n, e: (1 / S - 1 / k) / (1 - 1 / k) };
  });
}

/** USL fit of the relative capacity; null with fewer than 3 core counts. */
export function fitUsl(ns: readonly number[], ts: readonly number[], mode: Mode): UslFit | null {
  const pts = clean(ns, ts);
  if (distinct(pts) < 3) return null;
  const n0 = pts[0].n;
  const base = pts.filter((p) => p.n === n0);
  const t0 = base.reduce((s, p) => s + p.t, 0) / base.length;
  const rest = pts.filter((p) => p.n > n0);
  const N = rest.map((p) => p.n / n0);
  const C = rest.map((p, i) => (mode === "weak" ? (N[i] * t0) / p.t : t0 / p.t));
  const f = lsq2(
    N.map((x) => x - 1),
    N.map((x) => x * (x - 1)),
    N.map((x, i) => x / C[i] - 1),
    N.map(() => 1),
  );
  if (!f) return null;
  const sigma = f.p, kappa = f.q;
  const ok = f.dof > 0;
  const peakN = kappa > 0 && sigma < 1 ? Math.sqrt((1 - sigma) / kappa) : null;
  return {
    sigma: est(sigma, ok ? Math.sqrt(f.vpp) : null),
    kappa: est(kappa, ok ? Math.sqrt(f.vqq) : null),
    n0,
    t0,
    peakCores: peakN === null ? null : peakN * n0,
    peakCapacity: peakN === null ? null : uslCapacityRel(sigma, kappa, peakN),
  };
}

function uslCapacityRel(sigma: number, kappa: number, N: number): number {
  return N / (1 + sigma * (N - 1) + kappa * N * (N - 1));
}

/** USL capacity (speedup, or scaled speedup in weak mode) at `n` cores, relative to n₀. */
export function uslCapacity(fit: UslFit, n: number): number {
  return uslCapacityRel(fit.sigma.value, fit.kappa.value, n / fit.n0);
}

/** Repetitions of one point. */
export interface RepPoint {
  cores: number;
  /** Measured seconds of the repetitions (any order) */
  seconds: readonly number[];
  /** The point's median (used for the point estimate) */
  median: number;
}

/** Options of {@linkcode fitScaling}. */
export interface FitOptions {
  mode: Mode;
  seed?: number;
  /** Bootstrap resamples (default 500) */
  resamples?: number;
}

function fromBootstrap(value: number, draws: number[], fallback: Estimate): Estimate {
  const ok = draws.filter(Number.isFinite);
  if (ok.length < 10) return fallback;
  return { value, se: std(ok), ci: [quantile(ok, 0.025), quantile(ok, 0.975)] };
}

/** Fit every law that applies to `mode`, with bootstrap or least-squares uncertainty. */
export function fitScaling(points: readonly RepPoint[], options: FitOptions): Fits {
  const mode = options.mode;
  const pts = points.filter((p) => p.cores > 0 && p.median > 0).sort((p, q) => p.cores - q.cores);
  const ns = pts.map((p) => p.cores), ts = pts.map((p) => p.median);
  const amdahl = mode === "strong" ? fitAmdahl(ns, ts) : null;
  const gustafson = mode === "weak" ? fitGustafson(ns, ts) : null;
  const usl = fitUsl(ns, ts, mode);
  const fits: Fits = {
    mode,
    amdahl,
    gustafson,
    usl,
    karpFlatt: karpFlatt(ns, ts, mode),
    method: "none",
    resamples: 0,
  };
  const anyLsq = [amdahl?.s, gustafson?.s, usl?.sigma].some((e) => e?.se != null);
  if (anyLsq) fits.method = "least-squares";
  const canBoot = pts.length > 0 && pts.every((p) => p.seconds.filter((x) => x > 0).length >= 2);
  if (!canBoot || !(amdahl || gustafson || usl)) return fits;

  const B = options.resamples ?? 500;
  const r = rng(options.seed ?? 1, 7);
  const next = (m: number) => r.int(0, m);
  const sortedReps = pts.map((p) => Float64Array.from(p.seconds.filter((x) => x > 0)).sort());
  const counts = new Int32Array(Math.max(...sortedReps.map((s) => s.length)));
  const draws = { amdahl: [] as number[], gus: [] as number[], sigma: [] as number[] };
  const kappa: number[] = [];
  for (let b = 0; b < B; b++) {
    const meds = sortedReps.map((s) => resampleMedian(s, next, counts));
    if (amdahl) draws.amdahl.push(fitAmdahl(ns, meds)?.s.value ?? NaN);
    if (gustafson) draws.gus.push(fitGustafson(ns, meds)?.s.value ?? NaN);
    if (usl) {
      const u = fitUsl(ns, meds, mode);
      draws.sigma.push(u?.sigma.value ?? NaN);
      kappa.push(u?.kappa.value ?? NaN);
    }
  }
  if (amdahl) amdahl.s = fromBootstrap(amdahl.s.value, draws.amdahl, amdahl.s);
  if (gustafson) gustafson.s = fromBootstrap(gustafson.s.value, draws.gus, gustafson.s);
  if (usl) {
    usl.sigma = fromBootstrap(usl.sigma.value, draws.sigma, usl.sigma);
    usl.kappa = fromBootstrap(usl.kappa.value, kappa, usl.kappa);
  }
  fits.method = "bootstrap";
  fits.resamples = B;
  return fits;
}
