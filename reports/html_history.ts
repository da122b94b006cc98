/**
 * A workload's history page: its runs grouped into tracks (same provider, mode and parameters),
 * and per track and operation a figure of each scale point's median and confidence interval over
 * time — or over commits when every run of the track recorded its git commit. A run is marked
 * where it is slower than the track's previous run by the same test as `--baseline` (the
 * comparison of `compare.ts`), and the regressions are listed.
 *
 * @module
 */
import type { Chart, Layer, LegendItem } from "./_chart.ts";
import { markup, type SafeHtml } from "./_escape.ts";
import { type FigureFile, FigureSet } from "./_figures.ts";
import { bounds, fmtSig, fmtTime } from "./_format.ts";
import { badge, page } from "./_page.ts";
import { type RegressionResult, regressionTest } from "../core/stats_compare.ts";
import { coresLabel } from "../core/labels.ts";
import { commitOf } from "./html_index.ts";
import type { RunAnalysis } from "./model.ts";
import { measured, seriesStyle } from "./plots.ts";
import { reason } from "./tables.ts";

/** Runs of one workload with the same provider, mode and parameters, oldest first. */
export interface Track {
  key: string;
  label: string;
  runs: RunAnalysis[];
}

/** A point where a run is slower than the previous run of its track. */
export interface Regression {
  run: RunAnalysis;
  previous: RunAnalysis;
  op: string;
  cores: number;
  /** Medians (seconds) of the previous run and of this one */
  a: number;
  b: number;
  test: RegressionResult;
}

/** Slowdown beyond which a point is a regression (`--max-regression`'s default). */
export const MAX_REGRESSION = 0.10;

/** When the run started, in ms since the epoch; 0 when unknown. */
export function startTime(a: RunAnalysis): number {
  const t = a.src.startedAt ? Date.parse(a.src.startedAt) : NaN;
  return Number.isFinite(t) ? t : 0;
}

/** Group a workload's runs into tracks, each sorted by start time. */
export function tracks(runs: RunAnalysis[]): Track[] {
  const m = new Map<string, Track>();
  for (const a of runs) {
    const s = a.src;
    const params = Object.entries(s.params).sort(([x], [y]) => (x < y ? -1 : 1));
    const key = JSON.stringify([s.provider?.name ?? s.kind, s.mode, params]);
    const label = `${s.provider?.name ?? s.kind} · ${s.mode}${
      params.length
        ? ` · ${
          params.map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ")
        }`
        : ""
    }`;
    const t = m.get(key) ?? { key, label, runs: [] };
    t.runs.push(a);
    m.set(key, t);
  }
  for (const t of m.values()) t.runs.sort((a, b) => startTime(a) - startTime(b));
  return [...m.values()];
}

/**
 * Regressions of a track: every point of a run slower than the same point of the run before it
 * by more than `maxRegression`, with the one-sided confidence of the `--baseline` test
 * (`regressionTest` of core/stats_compare.ts, on the repetitions).
 */
export function regressions(track: Track, maxRegression = MAX_REGRESSION): Regression[] {
  const out: Regression[] = [];
  for (let i = 1; i < track.runs.length; i++) {
    const previous = track.runs[i - 1], run = track.runs[i];
    for (const o of run.ops) {
      const po = previous.ops.find((x) => x.op === o.op);
      for (const p of o.points) {
        const q = po?.points.find((x) => x.cores === p.cores);
        if (!q?.summary || !p.summary || !q.seconds.length || !p.seconds.length) continue;
        const test = regressionTest(q.seconds, p.seconds, { maxRegression });
        if (test.regressed) {
          out.push({
            run,
            previous,
            op: o.op,
            cores: p.cores,
            a: q.summary.median,
            b: p.summary.median,
            test,
          });
        }
      }
    }
  }
  return out;
}

const HOUR = 3600e3, DAY = 24 * HOUR;

/** Round time ticks (hours to months) over [lo, hi] in ms, with their labels. */
export function timeTicks(lo: number, hi: number): { ticks: number[]; labels: string[] } {
  const steps = [
    HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
    2 * DAY,
    7 * DAY,
    14 * DAY,
    30 * DAY,
    91 * DAY,
    365 * DAY,
  ];
  const step = steps.find((s) => (hi - lo) / s <= 6) ?? steps[steps.length - 1];
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) ticks.push(t);
  if (!ticks.length) ticks.push(lo);
  const iso = (t: number) => new Date(t).toISOString();
  const labels = ticks.map((t) =>
    step < DAY ? iso(t).slice(5, 16).replace("T", " ") : iso(t).slice(0, 10)
  );
  return { ticks, labels };
}

/** The history figure of one operation of a track; null without a measured point. */
export function historyChart(track: Track, op: string, regs: Regression[]): Chart | null {
  const byCommit = track.runs.every((r) => commitOf(r));
  const xOf = (a: RunAnalysis, i: number) => (byCommit ? i : startTime(a));
  const cores = [
    ...new Set(track.runs.flatMap((r) => {
      const o = r.ops.find((x) => x.op === op);
      return o ? measured(o).map((p) => p.cores) : [];
    })),
  ].sort((a, b) => a - b);
  if (!cores.length) return null;
  const layers: Layer[] = [], legend: LegendItem[] = [];
  cores.forEach((c, k) => {
    const st = seriesStyle(k);
    const pts: { x: number; y: number; ci: [number, number] | null; run: RunAnalysis }[] = [];
    track.runs.forEach((r, i) => {
      const p = r.ops.find((x) => x.op === op)?.points.find((q) => q.cores === c);
      if (p?.summary && p.summary.median > 0) {
        pts.push({ x: xOf(r, i), y: p.summary.median, ci: bounds(p.summary.ci), run: r });
      }
    });
    if (!pts.length) return;
    const stroke = { color: st.color, width: 1.5, dash: st.dash || undefined };
    const marker = { shape: st.shape, r: 3.5, color: st.color };
    const cis = pts.filter((p) => p.ci).map((p) => ({ x: p.x, lo: p.ci![0], hi: p.ci![1] }));
    if (cis.length) {
      layers.push({
        kind: "errorbars",
        name: `${c} cores ci`,
        points: cis,
        stroke: { color: st.color, width: 1.1 },
      });
    }
    layers.push(
      { kind: "line", name: `${c} cores`, points: pts.map((p) => [p.x, p.y]), stroke },
      {
        kind: "marks",
        name: `${c} cores medians`,
        points: pts.map((p) => ({
          x: p.x,
          y: p.y,
          title: `${p.run.src.label}: ${c} cores, median ${p.y} s`,
        })),
        marker,
      },
    );
    legend.push({ label: coresLabel(c), line: stroke, marker });
  });
  const mine = regs.filter((r) => r.op === op);
  if (mine.length) {
    const ring = { shape: "circle" as const, r: 8, color: "#CC3311", filled: false };
    layers.push({
      kind: "marks",
      name: "regressions",
      points: mine.map((g) => ({ x: xOf(g.run, track.runs.indexOf(g.run)), y: g.b })),
      marker: ring,
    });
    legend.push({
      label: `> ${MAX_REGRESSION * 100} % slower than the previous run`,
      marker: ring,
    });
  }
  const xs = track.runs.map(xOf);
  const x: Chart["x"] = byCommit
    ? {
      type: "linear",
      label: "commit (oldest to newest)",
      ticks: xs.filter((_, i) => i % Math.ceil(xs.length / 10) === 0),
      tickLabels: track.runs.filter((_, i) => i % Math.ceil(xs.length / 10) === 0).map((r) =>
        commitOf(r)!.slice(0, 7)
      ),
    }
    : {
      type: "linear",
      label: "run start (UTC)",
      ...(() => {
        const t = timeTicks(Math.min(...xs), Math.max(...xs));
        return { ticks: t.ticks, tickLabels: t.labels };
      })(),
    };
  return { x, y: { type: "log", label: "median time (s)" }, layers, legend };
}

/** Render a workload's history page. */
export function renderHistoryPage(
  workload: string,
  runs: RunAnalysis[],
  options: { indexHref: string; runHref: (a: RunAnalysis) => string; stem: string; png?: boolean },
): { html: string; figures: FigureFile[]; regressions: number } {
  const figs = new FigureSet(options.stem, { context: `${workload} history`, png: options.png });
  let total = 0;
  const sections: SafeHtml[] = tracks(runs).map((t, ti) => {
    const regs = regressions(t);
    total += regs.length;
    const ops = [...new Set(t.runs.flatMap((r) => r.ops.map((o) => o.op)))];
    const plots = ops.map((op) =>
      figs.add(
        `${ti + 1} ${op}`,
        `${op}: median time per scale point, ${t.label}`,
        historyChart(t, op, regs),
      )
    );
    const byCommit = t.runs.every((r) => commitOf(r));
    return markup`<section id="track-${ti + 1}"><h2>${t.label}</h2>
<p class="sub">${t.runs.length} run${t.runs.length === 1 ? "" : "s"}, ${
      byCommit ? "in commit order" : "over time"
    }; error bars are 95 % CIs of the medians.</p>
<div class="plots">${plots}</div>
${
      regs.length
        ? markup`<h3>Slower than the previous run</h3><div class="scroll"><table>
<thead><tr><th>run</th><th>operation</th><th class="num">cores</th>
<th class="num">previous median (s)</th><th class="num">this median (s)</th>
<th class="num">ratio (×)</th><th>test</th></tr></thead><tbody>${
          regs.map((g) =>
            markup`<tr><td><a href="${
              options.runHref(g.run)
            }">${g.run.src.label}</a></td><td>${g.op}</td>
<td class="num">${g.cores}</td><td class="num">${fmtSig(g.a, 3)}</td>
<td class="num">${fmtSig(g.b, 3)}</td><td class="num">${
              fmtSig(g.test.ratio, 3)
            }</td><td>${g.test.reason}</td></tr>`
          )
        }</tbody></table></div>`
        : markup`<p>${badge("no regression", "ok")} No run is slower than the one before it at
any point.</p>`
    }
<details><summary>Runs of this track</summary><div class="scroll"><table><thead><tr><th>run</th>
<th>started (UTC)</th><th>commit</th><th>status</th><th class="num">measured (reps)</th></tr></thead><tbody>${
      t.runs.map((r) =>
        markup`<tr><td><a href="${options.runHref(r)}">${r.src.label}</a></td><td>${
          fmtTime(r.src.startedAt)
        }</td><td>${
          commitOf(r) ? markup`<code>${commitOf(r)!.slice(0, 10)}</code>` : reason("not recorded")
        }</td><td>${
          r.src.status ?? reason("unknown")
        }</td><td class="num">${r.counts.measured}</td></tr>`
      )
    }</tbody></table></div></details></section>`;
  });
  const body = markup`<h1>History: ${workload}</h1>
<p class="sub">${runs.length} runs. A point is marked when it is more than ${MAX_REGRESSION * 100} %
slower than the same point of the track's previous run by the test of <code>--baseline</code>: the
one-sided 95 % confidence bound of the ratio of the medians, from the repetitions.</p>
${sections}`;
  return {
    html: page({
      title: `History: ${workload} · scalebench`,
      crumbs: [{ href: options.indexHref, label: "Report" }, {
        href: null,
        label: `History: ${workload}`,
      }],
      body,
    }),
    figures: figs.files,
    regressions: total,
  };
}
