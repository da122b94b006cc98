/**
 * Least-squares fit of a scaling law to every repetition's log time, with profile-likelihood
 * intervals, bound tests, a lack-of-fit test and AICc.
 *
 * A law says t(x) = T · g(x; p): a scale T (the time at the reference point) times a shape with
 * one or two parameters p kept inside bounds (e.g. a serial fraction in [0, 1]). On log times
 * y = log t the model is y = θ + log g(x; p) + ε, θ = log T; θ is solved in closed form for each
 * p, so only the shape parameters are searched (grid, then golden section; nested for two).
 *
 * - Estimates stay inside the bounds. The law is also fitted without them (over a wider region
 *   where it can still be evaluated); when that free fit lies beyond a bound, an F test of its
 *   improvement says whether the data really ask for an impossible value.
 * - Interval of p_j: the values whose profile residual sum of squares (free fit) stays below
 *   RSS_free·(1 + t²/df), t the Student quantile with df = N − (1 + dim p) degrees of freedom (N
 *   repetitions in all) — exact for linear models, close for these — then clipped to the bounds,
 *   so a true value inside the bounds is covered as often as the level says (clipping an
 *   interval computed inside the bounds instead would over-cover near them). It carries the
 *   scale's (the baseline's) uncertainty. When the whole interval lies beyond a bound, the
 *   interval is that bound alone, with a note; it always contains the bounded estimate.
 * - Lack of fit: the residual sum of squares splits into the repetitions' own scatter (pure
 *   error, N − k degrees of freedom for k points) and the rest; their F ratio tests the law.
 *
 * @module
 */
import { fSurvival, studentTQuantile } from "./stats_dist.ts";
import type { Interval } from "./stats_interval.ts";

/** Repetitions' log times grouped by point. */
export interface LogPoints {
  /** The point's abscissa (core count, absolute or relative) */
  x: number[];
  /** Repetitions per point */
  count: number[];
  /** Mean log time per point */
  mean: number[];
  /** Σ over points of Σ (y − mean)² */
  ssWithin: number;
  /** Number of repetitions in all */
  total: number;
}

/** Group positive times by point: `values` are seconds. Non-positive values are left out. */
export function logPoints(points: readonly { x: number; values: readonly number[] }[]): LogPoints {
  const out: LogPoints = { x: [], count: [], mean: [], ssWithin: 0, total: 0 };
  for (const p of points) {
    const ys = p.values.filter((v) => v > 0 && Number.isFinite(v)).map(Math.log);
    if (!ys.length) continue;
    const m = ys.reduce((s, y) => s + y, 0) / ys.length;
    out.x.push(p.x);
    out.count.push(ys.length);
    out.mean.push(m);
    out.ssWithin += ys.reduce((s, y) => s + (y - m) ** 2, 0);
    out.total += ys.length;
  }
  return out;
}

/** A scaling law as a log shape with bounded parameters. */
export interface LogShapeLaw {
  /** Parameter names, e.g. ["s"] or ["sigma", "kappa"] (one or two) */
  names: string[];
  /** log g(x; p); NaN where the law is undefined */
  logShape(x: number, p: readonly number[]): number;
  /** Bounds that make the law meaningful */
  bounds: [number, number][];
  /** Wider region where the law can still be evaluated, searched by the bound test */
  outer: [number, number][];
}

/** The F test of the free fit (no bounds) against the bounded one. */
export interface BeyondTest {
  /** Indices of the parameters the free fit puts beyond their bounds */
  params: number[];
  /** The free fit's values of all parameters */
  values: number[];
  /** F statistic of the improvement ((df1, df) degrees of freedom); null without df */
  f: number | null;
  df1: number;
  /** p-value; null without df */
  p: number | null;
}

/** Lack-of-fit F test against the repetitions' scatter. */
export interface LackOfFit {
  f: number;
  df1: number;
  df2: number;
  p: number;
}

/** Result of {@linkcode fitLogShape}. */
export interface ShapeFit {
  params: number[];
  /** θ̂ = log of the scale T */
  logScale: number;
  rss: number;
  /** Residual degrees of freedom N − (1 + dim p) */
  df: number;
  /** Number of points (distinct x) */
  points: number;
  total: number;
  /** Interval per parameter (null when df = 0) */
  intervals: (Interval | null)[];
  /** Approximate standard error per parameter: half the interval over t; null at a bound */
  se: (number | null)[];
  /** The free fit's test when it lies beyond a bound, else null */
  beyond: BeyondTest | null;
  lackOfFit: LackOfFit | null;
  /** Akaike's criterion, corrected, on log times; null when N ≤ K + 1 or RSS = 0 */
  aicc: number | null;
}

type Box = [number, number][];

/** A law, its data and the box it is searched in. */
interface Problem {
  d: LogPoints;
  law: LogShapeLaw;
  box: Box;
}

/** Residual sum of squares at p, θ solved in closed form; Infinity where undefined. */
function rssAt({ d, law }: Problem, p: readonly number[]): number {
  let sw = 0, sr = 0;
  const h = new Float64Array(d.x.length);
  for (let i = 0; i < d.x.length; i++) {
    h[i] = law.logShape(d.x[i], p);
    if (!Number.isFinite(h[i])) return Infinity;
    sw += d.count[i] * (d.mean[i] - h[i]);
    sr += d.count[i];
  }
  const theta = sw / sr;
  let rss = d.ssWithin;
  for (let i = 0; i < d.x.length; i++) rss += d.count[i] * (d.mean[i] - h[i] - theta) ** 2;
  return rss;
}

function thetaAt({ d, law }: Problem, p: readonly number[]): number {
  let sw = 0;
  for (let i = 0; i < d.x.length; i++) sw += d.count[i] * (d.mean[i] - law.logShape(d.x[i], p));
  return sw / d.total;
}

const GRID = 24;
/** Grid of the inner search of a two-parameter profile (smooth, one minimum in practice) */
const INNER_GRID = 10;
const CGOLD = (3 - Math.sqrt(5)) / 2;

/**
 * Minimum of f on [lo, hi]: a grid (denser near lo), then Brent's method (parabolic steps with
 * golden-section safeguards) between the best grid point's neighbours.
 */
export function minimize1d(
  f: (x: number) => number,
  range: { lo: number; hi: number; grid?: number },
): { x: number; y: number } {
  const { lo, hi, grid = GRID } = range;
  if (!(hi > lo)) return { x: lo, y: f(lo) };
  const xs: number[] = [], ys: number[] = [];
  for (let j = 0; j <= grid; j++) {
    const x = j === grid ? hi : lo + (hi - lo) * (j / grid) ** 2;
    xs.push(x);
    ys.push(f(x));
  }
  let best = 0;
  for (let j = 1; j <= grid; j++) if (ys[j] < ys[best]) best = j;
  let a = xs[Math.max(0, best - 1)], b = xs[Math.min(grid, best + 1)];
  let x = xs[best], w = x, v = x, fx = ys[best], fw = fx, fv = fx;
  let d = 0, e = 0;
  const tolAbs = (hi - lo) * 1e-10;
  for (let it = 0; it < 100; it++) {
    const xm = (a + b) / 2, tol1 = 1e-9 * Math.abs(x) + tolAbs, tol2 = 2 * tol1;
    if (Math.abs(x - xm) <= tol2 - (b - a) / 2) break;
    let golden = true;
    if (Math.abs(e) > tol1) {
      const r = (x - w) * (fx - fv);
      let q = (x - v) * (fx - fw);
      let p = (x - v) * q - (x - w) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p;
      q = Math.abs(q);
      if (Math.abs(p) < Math.abs(0.5 * q * e) && p > q * (a - x) && p < q * (b - x)) {
        e = d;
        d = p / q;
        const u = x + d;
        if (u - a < tol2 || b - u < tol2) d = xm >= x ? tol1 : -tol1;
        golden = false;
      }
    }
    if (golden) {
      e = x >= xm ? a - x : b - x;
      d = CGOLD * e;
    }
    const u = Math.abs(d) >= tol1 ? x + d : x + (d > 0 ? tol1 : -tol1);
    const fu = f(u);
    if (fu <= fx) {
      if (u >= x) a = x;
      else b = x;
      v = w, fv = fw, w = x, fw = fx, x = u, fx = fu;
    } else {
      if (u < x) a = u;
      else b = u;
      if (fu <= fw || w === x) {
        v = w, fv = fw, w = u, fw = fu;
      } else if (fu <= fv || v === x || v === w) {
        v = u, fv = fu;
      }
    }
  }
  return { x, y: fx };
}

/** Minimum over the box with parameter `j` fixed at `v` (the profile); returns all params. */
function profile(pr: Problem, { j, v }: { j: number; v: number }): { p: number[]; rss: number } {
  if (pr.law.names.length === 1) return { p: [v], rss: rssAt(pr, [v]) };
  const [lo, hi] = pr.box[1 - j];
  const at = (u: number) => (j === 0 ? [v, u] : [u, v]);
  const m = minimize1d((u) => rssAt(pr, at(u)), { lo, hi, grid: INNER_GRID });
  return { p: at(m.x), rss: m.y };
}

/** Global minimum over the box. */
function minimize(pr: Problem): { p: number[]; rss: number } {
  const [lo, hi] = pr.box[0];
  const m = minimize1d((v) => profile(pr, { j: 0, v }).rss, { lo, hi });
  return profile(pr, { j: 0, v: m.x });
}

/** Where the profile of parameter j crosses `level`, searching from `from` towards `to`. */
function crossing(
  pr: Problem,
  { j, from, to, level }: { j: number; from: number; to: number; level: number },
): number {
  const g = (v: number) => profile(pr, { j, v }).rss - level;
  let gOut = g(to);
  if (gOut <= 0) return to;
  // Illinois (modified regula falsi) between `from` (inside) and `to` (outside)
  let inside = from, outside = to, gIn = g(from), side = 0;
  if (!(gIn < 0)) return from;
  const tol = 1e-10 * (1 + Math.abs(from) + Math.abs(to));
  for (let it = 0; it < 100 && Math.abs(outside - inside) > tol; it++) {
    let x = outside - (gOut * (outside - inside)) / (gOut - gIn);
    if (!(Math.min(inside, outside) < x && x < Math.max(inside, outside))) {
      x = (inside + outside) / 2;
    }
    const gx = g(x);
    if (gx <= 0) {
      inside = x, gIn = gx;
      if (side === -1) gOut /= 2;
      side = -1;
    } else {
      outside = x, gOut = gx;
      if (side === 1) gIn /= 2;
      side = 1;
    }
    if (gx === 0) break;
  }
  return (inside + outside) / 2;
}

/** Options of {@linkcode fitLogShape}. */
export interface FitLogShapeOptions {
  /** Confidence level of the intervals (default 0.95) */
  level?: number;
}

/**
 * Fit `law` to the grouped log times `d` (at least 1 + dim p points with distinct x; else null).
 */
export function fitLogShape(
  d: LogPoints,
  law: LogShapeLaw,
  options: FitLogShapeOptions = {},
): ShapeFit | null {
  const dim = law.names.length;
  const k = d.x.length, npar = 1 + dim;
  if (k < npar) return null;
  const level = options.level ?? 0.95;
  const bounded: Problem = { d, law, box: law.bounds }, wide: Problem = { d, law, box: law.outer };
  const best = minimize(bounded);
  if (!Number.isFinite(best.rss)) return null;
  let free = minimize(wide);
  if (!(free.rss <= best.rss)) free = best;
  const rss = Math.max(0, best.rss), rssFree = Math.max(0, free.rss);
  const df = d.total - npar;
  const tq = df > 0 ? studentTQuantile((1 + level) / 2, df) : NaN;
  const threshold = rssFree * (1 + (tq * tq) / df);
  const intervals: (Interval | null)[] = [], se: (number | null)[] = [];
  for (let j = 0; j < dim; j++) {
    if (!(df > 0)) {
      intervals.push(null);
      se.push(null);
      continue;
    }
    const [lo, hi] = law.bounds[j], [olo, ohi] = law.outer[j], v = free.p[j];
    const a = crossing(wide, { j, from: v, to: olo, level: threshold });
    const b = crossing(wide, { j, from: v, to: ohi, level: threshold });
    let note: string | null = d.total === k
      ? "From the residuals alone (one repetition per point): assumes the law holds"
      : null;
    let cl = Math.max(a, lo), ch = Math.min(b, hi);
    if (cl > ch) {
      cl = ch = a > hi ? hi : lo;
      note = `Every value the data allow lies beyond the bound ${cl}`;
    }
    // the bounded estimate may differ from the free one in the other parameter: keep it inside
    cl = Math.min(cl, best.p[j]);
    ch = Math.max(ch, best.p[j]);
    intervals.push({ lo: cl, hi: ch, level, method: "profile-likelihood", note });
    se.push(a > lo && b < hi ? (b - a) / (2 * tq) : null);
  }
  let lackOfFit: LackOfFit | null = null;
  const df1 = k - npar, df2 = d.total - k;
  if (df1 > 0 && df2 > 0 && d.ssWithin > 0) {
    const f = (Math.max(0, rss - d.ssWithin) / df1) / (d.ssWithin / df2);
    lackOfFit = { f, df1, df2, p: fSurvival(f, { d1: df1, d2: df2 }) };
  }
  const K = npar + 1, N = d.total;
  const aicc = N - K - 1 > 0 && rss > 0
    ? N * Math.log(rss / N) + 2 * K + (2 * K * (K + 1)) / (N - K - 1)
    : null;
  return {
    params: best.p,
    logScale: thetaAt(bounded, best.p),
    rss,
    df,
    points: k,
    total: d.total,
    intervals,
    se,
    beyond: beyondTest(law, { bounded: best.p, free, rss, df }),
    lackOfFit,
    aicc,
  };
}

function beyondTest(
  law: LogShapeLaw,
  fits: { bounded: number[]; free: { p: number[]; rss: number }; rss: number; df: number },
): BeyondTest | null {
  const { bounded, free, rss, df } = fits;
  const out: number[] = [];
  free.p.forEach((v, j) => {
    const [lo, hi] = law.bounds[j], eps = 1e-9 * (hi - lo);
    if ((v < lo - eps || v > hi + eps) && bounded[j] !== v) out.push(j);
  });
  if (!out.length || !(rss - free.rss > 1e-12 * Math.max(rss, 1e-300))) return null;
  const df1 = out.length;
  if (!(df > 0)) return { params: out, values: free.p, f: null, df1, p: null };
  const f = free.rss > 0 ? ((rss - free.rss) / df1) / (free.rss / df) : Infinity;
  return { params: out, values: free.p, f, df1, p: fSurvival(f, { d1: df1, d2: df }) };
}
