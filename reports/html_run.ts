/**
 * The HTML page of one run: header (workload, params, mode, provider, environment, times,
 * status, warnings, failures), overview plots, fits table, per-operation timing tables and plots,
 * and the monitoring figure.
 *
 * @module
 */
import { markup, type SafeHtml } from "./_escape.ts";
import { type FigureFile, FigureSet } from "./_figures.ts";
import { fmtBytes, fmtDuration, fmtInterval, fmtTime } from "./_format.ts";
import { badge, type Crumb, page } from "./_page.ts";
import type { OpAnalysis, RunAnalysis } from "./model.ts";
import { measured, opChart, overviewChart, seriesStyle } from "./plots.ts";
import { monitorCharts } from "./plots_monitor.ts";
import { failuresTable, fitsTable, metaList, timingTable } from "./tables.ts";
import type { Json } from "../core/types.ts";
import { CHECKS_ID, checksSection } from "./expect_html.ts";

function statusBadge(status: string | null): SafeHtml {
  if (!status) return markup``;
  const kind = status === "complete" ? "ok" : status === "running" ? "warn" : "bad";
  return badge(status, kind);
}

function kv(obj: Record<string, Json> | null | undefined): SafeHtml | null {
  const entries = Object.entries(obj ?? {});
  if (!entries.length) return null;
  return markup`${
    entries.map(([k, v], i) =>
      markup`${i ? " " : ""}<code>${k}=${typeof v === "string" ? v : JSON.stringify(v)}</code>`
    )
  }`;
}

function header(a: RunAnalysis): SafeHtml {
  const s = a.src;
  const env = s.environment;
  const plan = s.plan;
  const dur = s.startedAt && s.endedAt
    ? (Date.parse(s.endedAt) - Date.parse(s.startedAt)) / 1000
    : null;
  const providerText = s.provider
    ? markup`${s.provider.name}${
      kv(s.provider.settings) ? markup` — ${kv(s.provider.settings)}` : ""
    }`
    : null;
  return metaList([
    ["Run", s.id],
    ["Source", s.kind === "scalebench" ? null : `${s.kind} file ${s.path}`],
    ["Mode", `${s.mode} scaling`],
    ["Parameters", kv(s.params)],
    ["Provider", providerText],
    [
      "Plan",
      plan
        ? `cores ${
          plan.cores.join(", ")
        }; layout ${plan.layout}; ${plan.cores_per_node} cores/node; ` +
          `${plan.reps} repetitions + ${plan.warmup} warm-up; order ${plan.order}`
        : null,
    ],
    [
      "Environment",
      env
        ? `${env.host}: ${env.cpu_model ?? "unknown CPU"}, ${env.cores} cores, ${
          fmtBytes(env.memory_bytes)
        }, ${env.os}; Deno ${env.deno}, scalebench ${env.scalebench}`
        : null,
    ],
    [
      "Git commit",
      env?.git
        ? markup`<code>${env.git.commit}</code>${
          env.git.dirty ? " (with uncommitted changes)" : ""
        }`
        : null,
    ],
    ["Started", s.startedAt ? fmtTime(s.startedAt) : null],
    ["Ended", s.endedAt ? `${fmtTime(s.endedAt)} (${fmtDuration(dur)})` : null],
    ["Status", s.status ? statusBadge(s.status) : null],
    [
      "Observations",
      `${a.counts.measured} measured, ${a.counts.warmup} warm-up, ${a.counts.failed} failed`,
    ],
  ]);
}

function cards(a: RunAnalysis): SafeHtml {
  const points = new Set(a.ops.flatMap((o) => o.points.map((p) => p.cores)));
  const first = a.ops.find((o) => o.fits.amdahl || o.fits.gustafson);
  const fit = first?.fits.amdahl?.s ?? first?.fits.gustafson?.s;
  const card = (k: string, v: string) =>
    markup`<div class="card"><div class="k">${k}</div><div class="v">${v}</div></div>`;
  return markup`<div class="cards">${card("operations", String(a.ops.length))}${
    card("scale points", String(points.size))
  }${card("measured repetitions", String(a.counts.measured))}${
    card("failed", String(a.counts.failed))
  }${
    fit
      ? card(
        a.src.mode === "weak"
          ? `Gustafson s′ [95 % CI] (${first!.op})`
          : `Amdahl s [95 % CI] (${first!.op})`,
        fmtInterval(fit.value, fit.ci),
      )
      : ""
  }</div>`;
}

function hasData(o: OpAnalysis): boolean {
  return measured(o).length > 0;
}

function opSection(o: OpAnalysis, i: number, a: RunAnalysis, figs: FigureSet): SafeHtml {
  const st = seriesStyle(i);
  const mode = a.src.mode;
  const plots: SafeHtml[] = [];
  const id = `${o.op}`;
  const t = opChart(o, "time", { mode, style: st });
  if (t) plots.push(figs.add(`time ${id}`, `${o.op}: time vs cores (log–log)`, t.chart, t.note));
  const sp = opChart(o, "speedup", { mode, style: st });
  if (sp) {
    plots.push(figs.add(
      `speedup ${id}`,
      `${o.op}: ${mode === "weak" ? "scaled speedup" : "speedup"} vs cores (log–log)`,
      sp.chart,
    ));
  }
  const ef = opChart(o, "efficiency", { mode, style: st });
  if (ef) {
    plots.push(figs.add(
      `efficiency ${id}`,
      `${o.op}: ${mode === "weak" ? "weak-scaling" : "parallel"} efficiency`,
      ef.chart,
    ));
  }
  return markup`<section id="op-${i + 1}">
<h3>${o.op}${o.unit ? markup` <span class="sub">· rate in ${o.unit}</span>` : ""}</h3>
${timingTable(o, mode)}
${plots.length ? markup`<div class="plots">${plots}</div>` : ""}
</section>`;
}

/** Options of {@linkcode renderRunPage}. */
export interface RunPageOptions {
  /** Link back to the index (relative) */
  indexHref?: string;
  /** Name of the page's figure folder (default `run`) */
  stem?: string;
  /** Link a PNG beside each figure's SVG */
  png?: boolean;
  /** Extra links of the breadcrumb bar, after the index (e.g. the workload's history) */
  crumbs?: Crumb[];
}

/** Render the page of one run and its figures. */
export function renderRunPage(
  a: RunAnalysis,
  options: RunPageOptions = {},
): { html: string; figures: FigureFile[] } {
  const s = a.src;
  const mode = s.mode;
  const figs = new FigureSet(options.stem ?? "run", { context: s.label, png: options.png });
  const series = a.ops.map((op, i) => ({ name: op.op, style: seriesStyle(i), op }));
  const withData = series.filter((x) => hasData(x.op));
  const multiPoint = withData.some((x) => measured(x.op).length > 1);
  const overview: SafeHtml[] = [];
  if (withData.length > 1) {
    overview.push(figs.add(
      "overview time",
      "Median time vs cores, all operations (log–log)",
      overviewChart(withData, "time", mode),
    ));
    if (multiPoint) {
      overview.push(figs.add(
        "overview speedup",
        mode === "weak" ? "Scaled speedup k·t₀/tₖ, all operations" : "Speedup, all operations",
        overviewChart(withData, "speedup", mode),
      ));
      overview.push(figs.add(
        "overview efficiency",
        mode === "weak"
          ? "Weak-scaling efficiency t₀/tₖ, all operations"
          : "Parallel efficiency, all operations",
        overviewChart(withData, "efficiency", mode),
      ));
    }
  }
  const empty = a.counts.total === 0;
  const toc: [string, string][] = [];
  const checks = checksSection(s.checks); // expectations and regressions (reports/expect_html.ts)
  if (checks) toc.push([CHECKS_ID, "Expectations"]);
  if (overview.length) toc.push(["overview", "Overview"]);
  if (multiPoint) toc.push(["fits", "Scaling-law fits"]);
  a.ops.forEach((o, i) => toc.push([`op-${i + 1}`, o.op]));
  const opsHtml = a.ops.map((o, i) => opSection(o, i, a, figs));
  const mon = monitorCharts(
    s.monitor,
    s.observations,
    series.map((x) => ({ name: x.name, color: x.style.color })),
  );
  const monHtml = mon
    ? markup`<h2 id="monitoring">Memory and CPU over time</h2>
<p class="sub">Shaded: operation phases; vertical lines mark the start of each scale point.</p>
<div class="plots">${figs.add("memory", "Resident memory per rank", mon.rss, mon.note)}${
      figs.add("cpu", "CPU per rank", mon.cpu, mon.note)
    }</div>`
    : "";
  if (mon) toc.push(["monitoring", "Memory and CPU"]);
  if (a.failures.length) toc.push(["failures", "Failed observations"]);
  const crumbs: Crumb[] = [
    { href: options.indexHref ?? null, label: "Report" },
    ...(options.crumbs ?? []),
    { href: null, label: s.label },
  ];
  const body = markup`<h1>${s.workload}${statusBadge(s.status)}</h1>
<p class="sub">${s.summary ?? ""}${s.summary ? " · " : ""}${s.label}</p>
${header(a)}
${
    s.warnings.length
      ? markup`<div class="note"><strong>Warnings while reading this run</strong><ul>${
        s.warnings.map((w) => markup`<li>${w}</li>`)
      }</ul></div>`
      : ""
  }
${
    empty
      ? markup`<div class="note bad"><strong>No observations recorded.</strong> This run has no
observations yet (it may have been interrupted before the first repetition finished); there is
nothing to plot.</div>`
      : ""
  }
${
    a.failures.length
      ? markup`<div class="note bad"><strong>${a.failures.length} failed observation${
        a.failures.length > 1 ? "s" : ""
      }</strong> — excluded from the timing statistics, listed <a href="#failures">below</a>.</div>`
      : ""
  }
${empty ? "" : cards(a)}
${
    toc.length > 1
      ? markup`<ul class="toc">${
        toc.map(([id, t]) => markup`<li><a href="#${id}">${t}</a></li>`)
      }</ul>`
      : ""
  }${checks ?? ""}
${
    overview.length
      ? markup`<h2 id="overview">Overview</h2><div class="plots">${overview}</div>`
      : ""
  }
${
    multiPoint
      ? markup`<h2 id="fits">Scaling-law fits</h2>${fitsTable(a.ops.filter(hasData), mode)}
<p class="sub">Fitted to every repetition's log time (least squares, bounded)${
        mode === "weak" ? "; Gustafson on the scaled speedup k·t₀/tₖ" : ""
      }; k and N count cores relative to the smallest point n₀ (as do efficiency and Karp–Flatt),
while Amdahl's s is the serial fraction of the 1-core time (extrapolated when n₀ > 1). Each
operation's figures draw the fitted curves, shaded by the interval of the serial fraction.</p>`
      : ""
  }
${a.ops.length ? markup`<h2>Operations</h2>${opsHtml}` : ""}
${monHtml}
${
    a.failures.length
      ? markup`<h2 id="failures">Failed observations</h2>${failuresTable(a.failures)}`
      : ""
  }`;
  return {
    html: page({ title: `${s.workload} — ${s.label} · scalebench`, crumbs, body }),
    figures: figs.files,
  };
}
