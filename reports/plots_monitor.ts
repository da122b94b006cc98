/**
 * The monitoring figure (ngCASA style): resident memory and CPU% over time per rank from
 * monitor.jsonl, with phase markers — a shaded band per operation phase (from the observations'
 * t_start/t_end, or from the samples' `phase` when those are missing) and a label per scale point.
 *
 * @module
 */
import type { Chart, Layer, LegendItem } from "./_chart.ts";
import type { MonitorSample, Observation } from "../core/types.ts";
import { coresLabel } from "../core/labels.ts";
import { seriesStyle } from "./plots.ts";

/** Most samples drawn per plot; more are evenly subsampled per series. */
export const MAX_SAMPLES = 6000;

/** One phase band. */
export interface PhaseBand {
  op: string;
  x1: number;
  x2: number;
}

/** Phase bands: contiguous spans of the same operation in the same batch. */
export function phaseBands(
  observations: readonly Observation[],
  samples: readonly MonitorSample[],
  t0: number,
): PhaseBand[] {
  const spans = new Map<string, PhaseBand>();
  for (const o of observations) {
    if (typeof o.t_start !== "number" || typeof o.t_end !== "number") continue;
    const key = `${o.batch ?? o.cores}|${o.op}`;
    const b = spans.get(key);
    if (b) {
      b.x1 = Math.min(b.x1, o.t_start - t0);
      b.x2 = Math.max(b.x2, o.t_end - t0);
    } else spans.set(key, { op: o.op, x1: o.t_start - t0, x2: o.t_end - t0 });
  }
  if (spans.size) return [...spans.values()];
  // fallback: the samples' phases, `op:<name>` until the rank's next sample
  const bands: PhaseBand[] = [];
  const bySeries = groupBy(samples, (s) => `${s.batch ?? s.cores ?? ""}|${s.rank}`);
  for (const list of bySeries.values()) {
    for (let i = 0; i < list.length - 1; i++) {
      const p = list[i].phase;
      if (!p?.startsWith("op:")) continue;
      const op = p.slice(3), x1 = list[i].t - t0, x2 = list[i + 1].t - t0;
      const last = bands[bands.length - 1];
      if (last && last.op === op && Math.abs(last.x2 - x1) < 1e-9) last.x2 = x2;
      else bands.push({ op, x1, x2 });
    }
  }
  return bands;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  for (const list of m.values()) {
    list.sort((a, b) => (a as { t: number }).t - (b as { t: number }).t);
  }
  return m;
}

/** Memory and CPU% over time per rank, as charts; null when there are no samples. */
export function monitorCharts(
  samples: readonly MonitorSample[],
  observations: readonly Observation[],
  ops: { name: string; color: string }[],
): { rss: Chart; cpu: Chart | null; note: string } | null {
  const valid = samples.filter((s) => typeof s.t === "number" && Number.isFinite(s.t));
  if (!valid.length) return null;
  const t0 = valid.reduce((m, s) => Math.min(m, s.t), Infinity); // no spread: 10⁵+ samples
  const series = groupBy(valid, (s) => `${s.batch ?? s.cores ?? ""}|${s.rank}`);
  const stride = Math.max(1, Math.ceil(valid.length / MAX_SAMPLES));
  const bands = phaseBands(observations, valid, t0);
  const points = [...groupBy(valid, (s) => String(s.batch ?? s.cores ?? "")).values()]
    .map((list) => ({
      x: list[0].t - t0,
      label: list[0].cores ? coresLabel(list[0].cores) : "",
    }))
    .filter((p) => p.label);
  const ranks = [...new Set(valid.map((s) => s.rank))].sort((a, b) => a - b);
  const chart = (y: "rss" | "cpu", label: string): Chart => {
    const layers: Layer[] = [];
    const legend: LegendItem[] = [];
    ops.forEach((op) => {
      const spans = bands.filter((b) => b.op === op.name).map((b) => ({ x1: b.x1, x2: b.x2 }));
      if (!spans.length) return;
      layers.push({
        kind: "spans",
        name: `phase ${op.name}`,
        spans,
        color: op.color,
        opacity: 0.12,
      });
      legend.push({ label: op.name, band: { color: op.color, opacity: 0.3 } });
    });
    if (points.length) layers.push({ kind: "rules", name: "scale points", rules: points });
    const drawn = new Set<number>();
    for (const list of series.values()) {
      const pts: [number, number][] = [];
      list.forEach((s, i) => {
        if (i % stride && i !== list.length - 1) return;
        const v = y === "rss" ? s.rss_bytes / 2 ** 20 : s.cpu_percent;
        if (typeof v !== "number" || !Number.isFinite(v)) return;
        const x = s.t - t0;
        // a step: the value holds until the next sample
        if (pts.length) pts.push([x, pts[pts.length - 1][1]]);
        pts.push([x, v]);
      });
      if (!pts.length) continue;
      const rank = list[0].rank;
      const st = seriesStyle(ranks.indexOf(rank) + 2);
      const stroke = { color: st.color, width: 1.5, dash: st.dash || undefined };
      layers.push({ kind: "line", name: `rank ${rank}`, points: pts, stroke });
      if (!drawn.has(rank) && drawn.size < 8) {
        legend.push({ label: `rank ${rank}`, line: stroke });
      }
      drawn.add(rank);
    }
    if (drawn.size > 8) legend.push({ label: `… ${drawn.size} ranks` });
    return {
      height: 300,
      x: { type: "linear", label: "seconds since start" },
      y: { type: "linear", label, include: [0] },
      layers,
      legend,
    };
  };
  const rss = chart("rss", "resident memory (MiB)");
  const cpu = valid.some((s) => typeof s.cpu_percent === "number")
    ? chart("cpu", "CPU (%, 100 = one core)")
    : null;
  return { rss, cpu, note: stride > 1 ? `samples subsampled 1 in ${stride} per rank` : "" };
}
