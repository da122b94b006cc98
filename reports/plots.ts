/**
 * Scaling plots rendered on the server with Observable Plot on a linkedom document and returned
 * as SVG markup (text is escaped by linkedom's serializer): time vs cores (log-log, ideal, fits,
 * every repetition as a dot behind the medians, 95 % CI, noisy points and outliers flagged),
 * speedup, parallel efficiency and the per-operation breakdown.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { amdahlTime, gustafsonSpeedup, uslCapacity } from "./fits.ts";
import type { OpAnalysis, PointStats } from "./model.ts";
import type { Mode } from "../core/types.ts";

/** Colours of operations (and of runs on the comparison page), in order. */
export const PALETTE = [
  "#4269d0",
  "#ff725c",
  "#3ca951",
  "#efb118",
  "#a463f2",
  "#6cc5b0",
  "#ff8ab7",
  "#9c6b4e",
  "#97bbf5",
  "#9498a0",
];
/** Colours of reference lines and flags. */
export const COLORS = {
  ideal: "#8c959f",
  amdahl: "#8250df",
  gustafson: "#8250df",
  usl: "#bc4c00",
  noisy: "#e8590c",
  outlier: "#cf222e",
};
/** Most repetition dots drawn in one plot; more are evenly subsampled (and the caption says so). */
export const MAX_DOTS = 1500;

let doc: Document | null = null;
function document(): Document {
  if (!doc) doc = parseHTML("<!doctype html><html><head></head><body></body></html>").document;
  return doc as Document;
}

/** Render a Plot specification to markup. */
export function renderPlot(options: Plot.PlotOptions): string {
  const el = Plot.plot({
    width: 640,
    height: 320,
    marginLeft: 60,
    style: { fontSize: "12px", background: "transparent", overflow: "visible" },
    ...options,
    document: document(),
  });
  return (el as unknown as { outerHTML: string }).outerHTML;
}

/** Colour of the i-th series. */
export function color(i: number): string {
  return PALETTE[i % PALETTE.length];
}

type Rep = { cores: number; y: number; outlier: boolean; series: string };

/** Repetition dots of `points` (y mapped by `f`), at most `max`, evenly subsampled per point. */
export function repDots(
  points: PointStats[],
  f: (t: number, p: PointStats) => number,
  options: { series?: string; max?: number } = {},
): { dots: Rep[]; total: number } {
  const total = points.reduce((s, p) => s + p.seconds.length, 0);
  const stride = Math.max(1, Math.ceil(total / (options.max ?? MAX_DOTS)));
  const dots: Rep[] = [];
  for (const p of points) {
    for (let i = 0; i < p.seconds.length; i += stride) {
      dots.push({
        cores: jitter(p.cores, i, p.seconds.length),
        y: f(p.seconds[i], p),
        outlier: p.summary?.outliers[i] ?? false,
        series: options.series ?? "",
      });
    }
    // outliers are never dropped by the subsampling
    if (stride > 1) {
      p.seconds.forEach((t, i) => {
        if (i % stride && p.summary?.outliers[i]) {
          dots.push({
            cores: jitter(p.cores, i, p.seconds.length),
            y: f(t, p),
            outlier: true,
            series: options.series ?? "",
          });
        }
      });
    }
  }
  return { dots, total };
}

/** Core counts on a log grid between the smallest and largest point, for fit curves. */
export function grid(points: PointStats[], steps = 60): number[] {
  const lo = points[0].cores, hi = points[points.length - 1].cores;
  if (!(hi > lo)) return [lo];
  return Array.from({ length: steps + 1 }, (_, i) => lo * (hi / lo) ** (i / steps));
}

function measured(op: OpAnalysis): PointStats[] {
  return op.points.filter((p) => p.summary && p.summary.median > 0);
}

/** The cores axis: log scale with a tick at every measured core count. */
function xScale(points: PointStats[]): Plot.ScaleOptions {
  const ticks = [...new Set(points.map((p) => p.cores))];
  return {
    type: "log",
    label: "cores",
    ticks: ticks.length > 12 ? undefined : ticks,
    tickFormat: "~g",
    grid: true,
    insetLeft: 14,
    insetRight: 14,
  };
}

/** Deterministic horizontal spread (±8 % on the log axis) of repetition dots at one point. */
function jitter(cores: number, i: number, n: number): number {
  if (n < 2) return cores;
  return cores * Math.pow(1.08, (i / (n - 1)) * 2 - 1);
}

/** Legend entries as a colour scale: names → colours. */
function legend(entries: [string, string][]): Plot.ScaleOptions {
  return {
    type: "categorical",
    domain: entries.map((e) => e[0]),
    range: entries.map((e) => e[1]),
    legend: true,
  };
}

function flags(pts: PointStats[], y: (p: PointStats) => number): Plot.Markish[] {
  const noisy = pts.filter((p) => p.summary!.noisy).map((p) => ({ cores: p.cores, y: y(p) }));
  return [
    Plot.dot(noisy, { x: "cores", y: "y", r: 8, stroke: COLORS.noisy, strokeWidth: 1.5 }),
    Plot.text(noisy, {
      x: "cores",
      y: "y",
      text: () => "noisy",
      dy: -14,
      fill: COLORS.noisy,
      fontWeight: "bold",
    }),
  ];
}

function outlierDots(dots: Rep[]): Plot.Markish {
  return Plot.dot(dots.filter((d) => d.outlier), {
    x: "cores",
    y: "y",
    symbol: "times",
    r: 4,
    stroke: COLORS.outlier,
    strokeWidth: 1.5,
  });
}

/** Time vs cores of one operation: log-log, repetitions, medians with CI, ideal, fits. */
export function timePlot(op: OpAnalysis, mode: Mode, c: string): { svg: string; note: string } {
  const pts = measured(op);
  const t0 = pts[0].summary!.median, n0 = pts[0].cores;
  const { dots, total } = repDots(pts, (t) => t);
  const meds = pts.map((p) => ({
    cores: p.cores,
    y: p.summary!.median,
    lo: p.summary!.ci95?.[0] ?? p.summary!.median,
    hi: p.summary!.ci95?.[1] ?? p.summary!.median,
  }));
  const g = grid(pts);
  const ideal = g.map((n) => ({ cores: n, y: mode === "weak" ? t0 : (t0 * n0) / n }));
  const entries: [string, string][] = [["median (95 % CI)", c], ["ideal", COLORS.ideal]];
  const marks: Plot.Markish[] = [
    Plot.line(ideal, { x: "cores", y: "y", stroke: COLORS.ideal, strokeDasharray: "4,4" }),
  ];
  if (op.fits.amdahl) {
    const a = op.fits.amdahl;
    entries.push([`Amdahl fit (s = ${a.s.value.toPrecision(3)})`, COLORS.amdahl]);
    marks.push(Plot.line(g.map((n) => ({ cores: n, y: amdahlTime(a, n) })), {
      x: "cores",
      y: "y",
      stroke: COLORS.amdahl,
      strokeWidth: 1.5,
    }));
  }
  if (op.fits.usl) {
    const u = op.fits.usl;
    entries.push(["USL fit", COLORS.usl]);
    const k = (n: number) => (mode === "weak" ? n / u.n0 : 1);
    marks.push(Plot.line(g.map((n) => ({ cores: n, y: (k(n) * u.t0) / uslCapacity(u, n) })), {
      x: "cores",
      y: "y",
      stroke: COLORS.usl,
      strokeDasharray: "6,3",
      strokeWidth: 1.5,
    }));
  }
  if (dots.length) entries.push(["repetition", c]);
  if (pts.some((p) => p.summary!.noisy)) entries.push(["noisy (CV > 10 %)", COLORS.noisy]);
  if (dots.some((d) => d.outlier)) entries.push(["outlier (Tukey)", COLORS.outlier]);
  marks.push(
    Plot.dot(dots, { x: "cores", y: "y", r: 2.8, fill: c, fillOpacity: 0.45 }),
    outlierDots(dots),
    Plot.ruleX(meds, { x: "cores", y1: "lo", y2: "hi", stroke: c, strokeWidth: 2.5 }),
    Plot.line(meds, { x: "cores", y: "y", stroke: c, strokeWidth: 2 }),
    Plot.dot(meds, { x: "cores", y: "y", r: 4, fill: c, stroke: "white", title: (d) => `${d.y}` }),
    ...flags(pts, (p) => p.summary!.median),
  );
  const svg = renderPlot({
    x: xScale(pts),
    y: { type: "log", label: "seconds", grid: true, tickFormat: "~g", insetTop: 8, insetBottom: 8 },
    color: legend(entries),
    marks,
  });
  return { svg, note: total > dots.length ? `${dots.length} of ${total} repetitions shown` : "" };
}

/** Speedup (strong) or weak-scaling efficiency of one operation with fit curves and ideal. */
export function speedupPlot(op: OpAnalysis, mode: Mode, c: string): string {
  const pts = measured(op);
  const t0 = pts[0].summary!.median, n0 = pts[0].cores;
  const weak = mode === "weak";
  // weak: efficiency t₀/t; strong: speedup t₀/t
  const { dots } = repDots(pts, (t) => t0 / t);
  const g = grid(pts);
  const meds = pts.map((p) => ({ cores: p.cores, y: t0 / p.summary!.median }));
  const entries: [string, string][] = [[weak ? "efficiency" : "speedup", c], [
    "ideal",
    COLORS.ideal,
  ]];
  const marks: Plot.Markish[] = [
    Plot.line(g.map((n) => ({ cores: n, y: weak ? 1 : n / n0 })), {
      x: "cores",
      y: "y",
      stroke: COLORS.ideal,
      strokeDasharray: "4,4",
    }),
  ];
  const curve = (name: string, stroke: string, f: (n: number) => number, dash?: string) => {
    entries.push([name, stroke]);
    marks.push(Plot.line(g.map((n) => ({ cores: n, y: f(n) })), {
      x: "cores",
      y: "y",
      stroke,
      strokeWidth: 1.5,
      strokeDasharray: dash,
    }));
  };
  const { amdahl, gustafson, usl } = op.fits;
  if (amdahl && !weak) curve("Amdahl fit", COLORS.amdahl, (n) => t0 / amdahlTime(amdahl, n));
  if (gustafson && weak) {
    curve("Gustafson fit", COLORS.gustafson, (n) => gustafsonSpeedup(gustafson, n) / (n / n0));
  }
  if (usl) {
    curve("USL fit", COLORS.usl, (n) => uslCapacity(usl, n) / (weak ? n / n0 : 1), "6,3");
  }
  if (dots.length) entries.push(["repetition", c]);
  marks.push(
    Plot.dot(dots, { x: "cores", y: "y", r: 2.8, fill: c, fillOpacity: 0.45 }),
    Plot.line(meds, { x: "cores", y: "y", stroke: c, strokeWidth: 2 }),
    Plot.dot(meds, { x: "cores", y: "y", r: 4, fill: c, stroke: "white" }),
    ...flags(pts, (p) => t0 / p.summary!.median),
  );
  return renderPlot({
    x: xScale(pts),
    y: {
      label: weak ? "efficiency t₀/tₙ" : `speedup vs ${n0} core${n0 === 1 ? "" : "s"}`,
      grid: true,
      zero: true,
    },
    color: legend(entries),
    marks,
  });
}

type Series = { name: string; color: string; op: OpAnalysis };

/** All operations (or runs) together: one colour each, medians over repetition dots. */
export function overviewPlot(
  series: Series[],
  kind: "time" | "speedup" | "efficiency",
  mode: Mode,
): string {
  const marks: Plot.Markish[] = [];
  const lines: { cores: number; y: number; series: string }[] = [];
  const all: PointStats[] = [];
  let reps: Rep[] = [];
  const perSeries = Math.max(50, Math.floor(MAX_DOTS / Math.max(1, series.length)));
  for (const s of series) {
    const pts = measured(s.op);
    if (!pts.length) continue;
    all.push(...pts);
    const t0 = pts[0].summary!.median, n0 = pts[0].cores;
    const f = (t: number, p: PointStats) =>
      kind === "time"
        ? t
        : kind === "speedup"
        ? (mode === "weak" ? (p.cores / n0) * t0 / t : t0 / t)
        : (mode === "weak" ? t0 / t : t0 / t / (p.cores / n0));
    reps = reps.concat(repDots(pts, f, { series: s.name, max: perSeries }).dots);
    for (const p of pts) lines.push({ cores: p.cores, y: f(p.summary!.median, p), series: s.name });
  }
  if (!lines.length) return "";
  all.sort((a, b) => a.cores - b.cores);
  const g = grid(all, 2);
  const n0 = all[0].cores;
  if (kind !== "time") {
    const ideal = g.map((n) => ({ cores: n, y: kind === "speedup" ? n / n0 : 1 }));
    marks.push(
      Plot.line(ideal, { x: "cores", y: "y", stroke: COLORS.ideal, strokeDasharray: "4,4" }),
    );
  }
  marks.push(
    Plot.dot(reps, { x: "cores", y: "y", r: 2, fill: "series", fillOpacity: 0.25 }),
    Plot.line(lines, { x: "cores", y: "y", stroke: "series", strokeWidth: 2 }),
    Plot.dot(lines, { x: "cores", y: "y", r: 3.5, fill: "series", stroke: "white" }),
  );
  const label = kind === "time"
    ? "seconds (median)"
    : kind === "speedup"
    ? (mode === "weak" ? "scaled speedup k·t₀/tₖ" : "speedup")
    : (mode === "weak" ? "weak efficiency t₀/tₙ" : "parallel efficiency");
  return renderPlot({
    x: xScale(all),
    y: kind === "time"
      ? { type: "log", label, grid: true, tickFormat: "~g", insetTop: 8, insetBottom: 8 }
      : { label, grid: true, zero: true },
    color: {
      domain: series.map((s) => s.name),
      range: series.map((s) => s.color),
      legend: true,
    },
    marks,
  });
}

/** Per-operation breakdown: median seconds of every operation side by side at each core count. */
export function breakdownPlot(series: Series[]): string {
  const bars = series.flatMap((s) =>
    measured(s.op).map((p) => ({
      cores: `${p.cores} core${p.cores === 1 ? "" : "s"}`,
      n: p.cores,
      name: s.name,
      y: p.summary!.median,
      lo: p.summary!.ci95?.[0] ?? p.summary!.median,
      hi: p.summary!.ci95?.[1] ?? p.summary!.median,
    }))
  ).sort((a, b) => a.n - b.n);
  if (!bars.length) return "";
  return renderPlot({
    height: 340,
    fx: { label: null, domain: [...new Set(bars.map((b) => b.cores))] },
    x: { axis: null, domain: series.map((s) => s.name), paddingInner: 0.1 },
    y: { label: "seconds (median, 95 % CI)", grid: true },
    color: { domain: series.map((s) => s.name), range: series.map((s) => s.color), legend: true },
    marks: [
      Plot.barY(bars, { fx: "cores", x: "name", y: "y", fill: "name" }),
      Plot.ruleX(bars, { fx: "cores", x: "name", y1: "lo", y2: "hi", stroke: "currentColor" }),
      Plot.ruleY([0]),
    ],
  });
}
