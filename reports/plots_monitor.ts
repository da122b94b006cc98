/**
 * The monitoring figure (ngCASA style): resident memory and CPU% over time per rank from
 * monitor.jsonl, with phase markers — a shaded band per operation phase (from the observations'
 * t_start/t_end, or from the samples' `phase` when those are missing) and a label per scale point.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { MonitorSample, Observation } from "../core/types.ts";
import { renderPlot } from "./plots.ts";

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

/** Memory and CPU% over time per rank; empty strings when there are no samples. */
export function monitorPlots(
  samples: readonly MonitorSample[],
  observations: readonly Observation[],
  opColors: { domain: string[]; range: string[] },
): { rss: string; cpu: string; note: string } {
  const valid = samples.filter((s) => typeof s.t === "number" && Number.isFinite(s.t));
  if (!valid.length) return { rss: "", cpu: "", note: "" };
  const t0 = Math.min(...valid.map((s) => s.t));
  const series = groupBy(valid, (s) => `${s.batch ?? s.cores ?? ""}|${s.rank}`);
  const stride = Math.max(1, Math.ceil(valid.length / MAX_SAMPLES));
  const rows: { x: number; rss: number; cpu: number | null; rank: string; z: string }[] = [];
  for (const [z, list] of series) {
    list.forEach((s, i) => {
      if (i % stride && i !== list.length - 1) return;
      rows.push({
        x: s.t - t0,
        rss: s.rss_bytes / 2 ** 20,
        cpu: typeof s.cpu_percent === "number" ? s.cpu_percent : null,
        rank: `rank ${s.rank}`,
        z,
      });
    });
  }
  const bands = phaseBands(observations, valid, t0);
  const points = [...groupBy(valid, (s) => String(s.batch ?? s.cores ?? "")).values()]
    .map((list) => ({
      x: list[0].t - t0,
      label: list[0].cores ? `${list[0].cores} core${list[0].cores === 1 ? "" : "s"}` : "",
    }))
    .filter((p) => p.label);
  const ranks = [...new Set(rows.map((r) => r.rank))].sort((a, b) =>
    Number(a.slice(5)) - Number(b.slice(5))
  );
  const common = (y: "rss" | "cpu", label: string) =>
    renderPlot({
      height: 260,
      x: { label: "seconds since start", grid: true },
      y: { label, grid: true, zero: true },
      color: { domain: ranks, scheme: "tableau10", legend: true },
      marks: [
        ...opColors.domain.map((op, i) =>
          Plot.rectX(bands.filter((b) => b.op === op), {
            x1: "x1",
            x2: "x2",
            fill: opColors.range[i],
            fillOpacity: 0.14,
          })
        ),
        Plot.ruleX(points, { x: "x", stroke: "currentColor", strokeOpacity: 0.35 }),
        Plot.text(points, {
          x: "x",
          text: "label",
          frameAnchor: "top",
          textAnchor: "start",
          dx: 3,
          dy: 2,
          fillOpacity: 0.7,
        }),
        Plot.line(rows.filter((r) => y === "rss" || r.cpu !== null), {
          x: "x",
          y,
          z: "z",
          stroke: "rank",
          strokeWidth: 1.5,
          curve: "step-after",
        }),
      ],
    });
  const n = valid.length;
  return {
    rss: common("rss", "resident memory (MiB)"),
    cpu: rows.some((r) => r.cpu !== null) ? common("cpu", "CPU % (100 = one core)") : "",
    note: stride > 1 ? `${rows.length} of ${n} samples shown` : "",
  };
}
