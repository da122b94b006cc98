/**
 * The scaling figures of a run, as chart data (see `_chart.ts`), following the conventions of
 * scaling papers: a log₂ core axis ticked at the measured core counts; time and speedup on
 * log–log axes, so the ideal is a straight line; efficiency on a linear axis with the ideal at 1;
 * medians with their confidence interval, every repetition as a small mark at its true core
 * count, fitted laws with their uncertainty band, noisy points ringed and outliers crossed.
 * Series differ by colour (Okabe–Ito, safe for colour-blind readers), marker shape and dash, so
 * the figures read in greyscale too.
 *
 * @module
 */
import type { Chart, Layer, LegendItem, Mark, Shape } from "./_chart.ts";
import { bounds, fmtInterval, fmtLevel } from "./_format.ts";
import { amdahlTime, type Estimate, gustafsonSpeedup, uslCapacity } from "./fits.ts";
import type { OpAnalysis, PointStats } from "./model.ts";
import type { Mode } from "../core/types.ts";
import { coresLabel } from "../core/labels.ts";

/** Colours of series (Okabe–Ito), in order. */
export const PALETTE = [
  "#0072B2",
  "#D55E00",
  "#009E73",
  "#CC79A7",
  "#E69F00",
  "#56B4E9",
  "#000000",
  "#F0E442",
];
/** Marker shapes of series, in order. */
export const SHAPES: Shape[] = ["circle", "square", "triangle", "diamond", "down", "plus"];
/** Dash patterns of series lines, in order. */
export const DASHES = ["", "7 3", "2 2", "8 3 2 3"];
/** Colours of reference lines and flags. */
export const COLORS = {
  ideal: "#6e7781",
  amdahl: "#D55E00",
  gustafson: "#D55E00",
  usl: "#009E73",
  noisy: "#9a6700",
  outlier: "#AA3377",
};
/** Most repetition marks drawn in one plot; more are evenly subsampled (and the note says so). */
export const MAX_DOTS = 1500;

/** The look of the i-th series: colour, marker and dash. */
export interface SeriesStyle {
  color: string;
  shape: Shape;
  dash: string;
}

/** Style of the i-th series. */
export function seriesStyle(i: number): SeriesStyle {
  return {
    color: PALETTE[i % PALETTE.length],
    shape: SHAPES[i % SHAPES.length],
    dash: DASHES[Math.floor(i / PALETTE.length) % DASHES.length],
  };
}

/** Colour of the i-th series. */
export function color(i: number): string {
  return seriesStyle(i).color;
}

/** Measured points (a positive median) of an operation, by core count. */
export function measured(op: OpAnalysis): PointStats[] {
  return op.points.filter((p) => p.summary && p.summary.median > 0);
}

/** What a figure shows on its y axis. */
export type Kind = "time" | "speedup" | "efficiency";

/** y of a time `t` at point `p`, relative to the base point (t₀ at n₀ cores). */
export function yOf(kind: Kind, mode: Mode, t: number, cores: number, base: [number, number]) {
  const [t0, n0] = base, k = cores / n0;
  if (kind === "time") return t;
  const speedup = mode === "weak" ? (k * t0) / t : t0 / t;
  return kind === "speedup" ? speedup : speedup / k;
}

/**
 * The interval of a point's figure of `kind`: the median time's, or the model's interval of the
 * speedup or efficiency (which carries the reference point's uncertainty too). Null at the
 * reference point (exact by definition) and where the repetitions allow none.
 */
export function pointCi(p: PointStats, kind: Kind): [number, number] | null {
  const ci = pointInterval(p, kind);
  return ci ? bounds(ci) : null;
}

function pointInterval(p: PointStats, kind: Kind) {
  const iv = p.intervals;
  const ci = kind === "time"
    ? (iv?.seconds ?? p.summary?.ci)
    : kind === "speedup"
    ? iv?.speedup
    : iv?.efficiency;
  return !ci || ci.method === "definition" ? null : ci;
}

/** The confidence level the points' intervals really have: `95 %`, or a range `75–95 %`. */
export function levelText(points: PointStats[], kind: Kind): string {
  const levels = points.map((p) => pointInterval(p, kind)?.level).filter((l): l is number =>
    typeof l === "number"
  );
  if (!levels.length) return fmtLevel(0.95);
  const lo = Math.min(...levels), hi = Math.max(...levels);
  return hi - lo < 1e-9 ? fmtLevel(lo) : `${fmtLevel(lo).replace(" %", "")}–${fmtLevel(hi)}`;
}

/** Core counts on a log grid between `lo` and `hi` (for fit curves and ideal lines). */
export function grid(lo: number, hi: number, steps = 48): number[] {
  if (!(hi > lo)) return [lo];
  return Array.from({ length: steps + 1 }, (_, i) => lo * (hi / lo) ** (i / steps));
}

/** The cores axis: log₂, ticked at every measured core count (powers of 2 beyond 12). */
export function coresAxis(cores: number[]): Chart["x"] {
  const ticks = [...new Set(cores)].sort((a, b) => a - b);
  return {
    type: "log",
    base: 2,
    label: "cores",
    ticks: ticks.length <= 12 ? ticks : undefined,
  };
}

function yAxis(kind: Kind, mode: Mode, n0: number): Chart["y"] {
  if (kind === "time") return { type: "log", label: "time (s)" };
  if (kind === "speedup") {
    return {
      type: "log",
      base: 2,
      label: mode === "weak" ? "scaled speedup k·t₀/tₖ" : `speedup vs ${coresLabel(n0)}`,
      include: [1],
    };
  }
  return {
    type: "linear",
    label: mode === "weak" ? "weak-scaling efficiency t₀/tₖ" : "parallel efficiency",
    include: [0, 1],
  };
}

/** Repetition marks of `points`, at most `max`, evenly subsampled; outliers always kept. */
export function repMarks(
  points: PointStats[],
  f: (t: number, p: PointStats) => number,
  max = MAX_DOTS,
): { reps: Mark[]; outliers: Mark[]; total: number } {
  const total = points.reduce((s, p) => s + p.seconds.length, 0);
  const stride = Math.max(1, Math.ceil(total / max));
  const reps: Mark[] = [], outliers: Mark[] = [];
  for (const p of points) {
    p.seconds.forEach((t, i) => {
      const out = p.summary?.outliers[i] ?? false;
      const m = { x: p.cores, y: f(t, p), title: `${p.cores} cores, repetition: ${t} s` };
      if (out) outliers.push(m);
      else if (i % stride === 0) reps.push(m);
    });
  }
  return { reps, outliers, total };
}

/** An operation's fitted curve at `n` cores, for a serial fraction `s` (its value or a bound). */
interface Curve {
  name: string;
  legend: string;
  color: string;
  dash: string;
  /** Time at n cores with the fit's parameters (s overrides the serial fraction) */
  time(n: number, s?: number): number;
  /** The interval of s (for the band) */
  ci: [number, number] | null;
}

function estimateText(e: Estimate): string {
  return fmtInterval(e.value, e.ci);
}

/** The fitted laws of an operation as time curves. */
export function curves(op: OpAnalysis, mode: Mode): Curve[] {
  const out: Curve[] = [];
  const { amdahl, gustafson, usl } = op.fits;
  if (amdahl && mode === "strong") {
    const t1 = amdahl.a + amdahl.b;
    out.push({
      name: "amdahl",
      legend: `Amdahl fit, s = ${estimateText(amdahl.s)}`,
      color: COLORS.amdahl,
      dash: "",
      time: (n, s) => s === undefined ? amdahlTime(amdahl, n) : t1 * (s + (1 - s) / n),
      ci: bounds(amdahl.s.ci),
    });
  }
  if (gustafson && mode === "weak") {
    const g = gustafson;
    out.push({
      name: "gustafson",
      legend: `Gustafson fit, s′ = ${estimateText(g.s)}`,
      color: COLORS.gustafson,
      dash: "",
      time: (n, s) => {
        const k = n / g.n0;
        const S = s === undefined ? gustafsonSpeedup(g, n) : k - s * (k - 1);
        return (k * g.t0) / S;
      },
      ci: bounds(g.s.ci),
    });
  }
  if (usl) {
    out.push({
      name: "usl",
      legend: `USL fit, σ = ${estimateText(usl.sigma)}, κ = ${estimateText(usl.kappa)}`,
      color: COLORS.usl,
      dash: "8 3 2 3",
      time: (n) => ((mode === "weak" ? n / usl.n0 : 1) * usl.t0) / uslCapacity(usl, n),
      ci: null,
    });
  }
  return out;
}

/** One operation's figure of `kind`: medians with CI, repetitions, ideal, fits with bands. */
export function opChart(
  op: OpAnalysis,
  kind: Kind,
  options: { mode: Mode; style?: SeriesStyle },
): { chart: Chart; note: string } | null {
  const pts = measured(op);
  if (!pts.length || (kind !== "time" && pts.length < 2)) return null;
  const mode = options.mode, st = options.style ?? seriesStyle(0);
  const base: [number, number] = [pts[0].summary!.median, pts[0].cores];
  const f = (t: number, p: PointStats) => yOf(kind, mode, t, p.cores, base);
  const fn = (t: number, n: number) => yOf(kind, mode, t, n, base);
  const g = grid(pts[0].cores, pts[pts.length - 1].cores);
  const layers: Layer[] = [], legend: LegendItem[] = [];
  // ideal
  const ideal = (n: number) =>
    kind === "efficiency"
      ? 1
      : kind === "speedup"
      ? n / base[1]
      : mode === "weak"
      ? base[0]
      : (base[0] * base[1]) / n;
  layers.push({
    kind: "line",
    name: "ideal",
    points: g.map((n) => [n, ideal(n)]),
    stroke: { color: COLORS.ideal, dash: "5 4", width: 1.3 },
  });
  legend.push({ label: "ideal", line: { color: COLORS.ideal, dash: "5 4", width: 1.3 } });
  // fits: band under the curve
  for (const c of curves(op, mode)) {
    if (c.ci) {
      layers.push({
        kind: "band",
        name: `${c.name} band`,
        points: g.map((n) => {
          const a = fn(c.time(n, c.ci![0]), n), b = fn(c.time(n, c.ci![1]), n);
          return [n, Math.min(a, b), Math.max(a, b)];
        }),
        color: c.color,
        opacity: 0.16,
      });
    }
    const stroke = { color: c.color, width: 1.6, dash: c.dash || undefined };
    layers.push({
      kind: "line",
      name: c.name,
      points: g.map((n) => [n, fn(c.time(n), n)]),
      stroke,
    });
    legend.push({
      label: c.ci ? `${c.legend} (band: its CI)` : c.legend,
      line: stroke,
      band: c.ci ? { color: c.color, opacity: 0.16 } : undefined,
    });
  }
  // repetitions, outliers
  const { reps, outliers, total } = repMarks(pts, f);
  const repStyle = {
    shape: "circle" as const,
    r: 2.2,
    color: st.color,
    filled: false,
    opacity: 0.75,
  };
  if (reps.length) {
    layers.push({
      kind: "marks",
      name: "repetitions",
      points: reps,
      marker: repStyle,
      jitter: true,
    });
    legend.push({ label: "repetition", marker: repStyle });
  }
  // medians with CI (of the time, or of the speedup/efficiency ratio itself)
  const meds = pts.map((p) => {
    const ci = pointCi(p, kind);
    return { p, y: f(p.summary!.median, p), ci };
  });
  const withCi = meds.filter((m) => m.ci);
  if (withCi.length) {
    layers.push({
      kind: "errorbars",
      name: "ci",
      points: withCi.map((m) => ({
        x: m.p.cores,
        lo: Math.min(m.ci![0], m.ci![1]),
        hi: Math.max(m.ci![0], m.ci![1]),
      })),
      stroke: { color: st.color, width: 1.4 },
    });
  }
  const medStyle = { shape: st.shape, r: 4, color: st.color };
  const medStroke = { color: st.color, width: 2, dash: st.dash || undefined };
  layers.push({
    kind: "line",
    name: "median line",
    points: meds.map((m) => [m.p.cores, m.y]),
    stroke: medStroke,
  });
  layers.push({
    kind: "marks",
    name: "medians",
    points: meds.map((m) => ({
      x: m.p.cores,
      y: m.y,
      title: `${m.p.cores} cores: median ${m.p.summary!.median} s`,
    })),
    marker: medStyle,
  });
  legend.unshift({
    label: withCi.length ? `median, ${levelText(pts, kind)} CI` : "median",
    line: medStroke,
    marker: medStyle,
  });
  const noisy = meds.filter((m) => m.p.summary!.noisy);
  if (noisy.length) {
    const ring = { shape: "circle" as const, r: 8, color: COLORS.noisy, filled: false };
    layers.push({
      kind: "marks",
      name: "noisy",
      points: noisy.map((m) => ({ x: m.p.cores, y: m.y })),
      marker: ring,
    });
    legend.push({ label: "noisy (CV > 10 %)", marker: ring });
  }
  if (outliers.length) {
    const x = { shape: "times" as const, r: 3.5, color: COLORS.outlier };
    layers.push({ kind: "marks", name: "outliers", points: outliers, marker: x, jitter: true });
    legend.push({ label: "outlier (Tukey)", marker: x });
  }
  const shown = reps.length + outliers.length;
  return {
    chart: { x: coresAxis(pts.map((p) => p.cores)), y: yAxis(kind, mode, base[1]), layers, legend },
    note: total > shown ? `${shown} of ${total} repetitions shown` : "",
  };
}

/** A named series of an overview figure (an operation, or a run on a comparison page). */
export interface Series {
  name: string;
  style: SeriesStyle;
  op: OpAnalysis;
}

/** All operations (or runs) in one figure: medians with CI per series, one style each. */
export function overviewChart(series: Series[], kind: Kind, mode: Mode): Chart | null {
  const layers: Layer[] = [], legend: LegendItem[] = [];
  const cores: number[] = [];
  for (const s of series) {
    const pts = measured(s.op);
    if (!pts.length || (kind !== "time" && pts.length < 2)) continue;
    const base: [number, number] = [pts[0].summary!.median, pts[0].cores];
    const f = (t: number, p: PointStats) => yOf(kind, mode, t, p.cores, base);
    cores.push(...pts.map((p) => p.cores));
    const stroke = { color: s.style.color, width: 1.8, dash: s.style.dash || undefined };
    const marker = { shape: s.style.shape, r: 3.8, color: s.style.color };
    const cis = pts.flatMap((p) => {
      const ci = pointCi(p, kind);
      return ci ? [{ x: p.cores, lo: ci[0], hi: ci[1] }] : [];
    });
    if (cis.length) {
      layers.push({
        kind: "errorbars",
        name: `${s.name} ci`,
        points: cis,
        stroke: { color: s.style.color, width: 1.2 },
      });
    }
    layers.push(
      {
        kind: "line",
        name: s.name,
        points: pts.map((p) => [p.cores, f(p.summary!.median, p)]),
        stroke,
      },
      {
        kind: "marks",
        name: `${s.name} medians`,
        points: pts.map((p) => ({
          x: p.cores,
          y: f(p.summary!.median, p),
          title: `${s.name}, ${p.cores} cores`,
        })),
        marker,
      },
    );
    legend.push({ label: s.name, line: stroke, marker });
  }
  if (!legend.length) return null;
  const n0 = Math.min(...cores), n1 = Math.max(...cores);
  if (kind !== "time") {
    const g = grid(n0, n1, 2);
    const stroke = { color: COLORS.ideal, dash: "5 4", width: 1.3 };
    layers.unshift({
      kind: "line",
      name: "ideal",
      points: g.map((n) => [n, kind === "speedup" ? n / n0 : 1]),
      stroke,
    });
    legend.push({ label: "ideal", line: stroke });
  }
  const y = kind === "time"
    ? { type: "log" as const, label: "median time (s)" }
    : yAxis(kind, mode, n0);
  return { x: coresAxis(cores), y, layers, legend };
}
