/**
 * The HTML page of one run: header (workload, params, mode, provider, environment, times,
 * status, warnings, failures), overview plots, fits table, per-operation timing tables and plots,
 * and the monitoring figure.
 *
 * @module
 */
import { markup, type SafeHtml } from "./_escape.ts";
import { fmtBytes, fmtDuration, fmtEstimate, fmtTime } from "./_format.ts";
import { badge, type Crumb, figure, page } from "./_page.ts";
import type { OpAnalysis, RunAnalysis } from "./model.ts";
import { breakdownPlot, color, overviewPlot, speedupPlot, timePlot } from "./plots.ts";
import { monitorPlots } from "./plots_monitor.ts";
import { failuresTable, fitsTable, metaList, timingTable } from "./tables.ts";
import type { Json } from "../core/types.ts";

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
        a.src.mode === "weak" ? `Gustafson s′ (${first!.op})` : `Amdahl s (${first!.op})`,
        fmtEstimate(fit.value, fit.se),
      )
      : ""
  }</div>`;
}

function measured(o: OpAnalysis): boolean {
  return o.points.some((p) => p.summary && p.summary.median > 0);
}

function opSection(o: OpAnalysis, i: number, a: RunAnalysis): SafeHtml {
  const c = color(i);
  const mode = a.src.mode;
  const plots: SafeHtml[] = [];
  if (measured(o)) {
    const t = timePlot(o, mode, c);
    plots.push(figure("Time vs cores (log-log)", t.svg, t.note));
    if (o.points.filter((p) => p.summary).length > 1) {
      plots.push(figure(
        mode === "weak" ? "Weak-scaling efficiency" : "Speedup vs ideal",
        speedupPlot(o, mode, c),
      ));
    }
  }
  return markup`<section id="op-${i + 1}">
<h3><span class="swatch" style="background:${c};margin-left:0"></span>${o.op}${
    o.unit ? markup` <span class="sub">· rate in ${o.unit}</span>` : ""
  }</h3>
${timingTable(o, mode)}
${plots.length ? markup`<div class="plots">${plots}</div>` : ""}
</section>`;
}

/** Render the page of one run. `indexHref` links back to the index (relative). */
export function renderRunPage(a: RunAnalysis, options: { indexHref?: string } = {}): string {
  const s = a.src;
  const mode = s.mode;
  const series = a.ops.map((op, i) => ({ name: op.op, color: color(i), op }));
  const withData = series.filter((x) => measured(x.op));
  const multiPoint = withData.some((x) => x.op.points.filter((p) => p.summary).length > 1);
  const overview: SafeHtml[] = [];
  if (withData.length > 1) {
    overview.push(
      figure("Time vs cores, all operations (log-log)", overviewPlot(withData, "time", mode)),
    );
  }
  if (multiPoint && withData.length > 1) {
    overview.push(figure(
      mode === "weak" ? "Scaled speedup k·t₀/tₖ" : "Speedup",
      overviewPlot(withData, "speedup", mode),
    ));
  }
  if (multiPoint) {
    overview.push(figure(
      mode === "weak" ? "Weak-scaling efficiency t₀/tₙ" : "Parallel efficiency",
      overviewPlot(withData, "efficiency", mode),
    ));
  }
  if (withData.length > 1) {
    overview.push(figure("Per-operation breakdown", breakdownPlot(withData)));
  }
  const mon = monitorPlots(s.monitor, s.observations, {
    domain: series.map((x) => x.name),
    range: series.map((x) => x.color),
  });
  const empty = a.counts.total === 0;
  const toc: [string, string][] = [];
  if (overview.length) toc.push(["overview", "Overview"]);
  if (multiPoint) toc.push(["fits", "Scaling-law fits"]);
  a.ops.forEach((o, i) => toc.push([`op-${i + 1}`, o.op]));
  if (mon.rss) toc.push(["monitoring", "Memory and CPU"]);
  if (a.failures.length) toc.push(["failures", "Failed observations"]);
  const crumbs: Crumb[] = [{ href: options.indexHref ?? null, label: "Report" }, {
    href: null,
    label: s.label,
  }];
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
  }
${
    overview.length
      ? markup`<h2 id="overview">Overview</h2><div class="plots">${overview}</div>`
      : ""
  }
${
    multiPoint
      ? markup`<h2 id="fits">Scaling-law fits</h2>${fitsTable(a.ops.filter(measured), mode)}
<p class="sub">Fitted to the medians${
        mode === "weak" ? "; Gustafson on the scaled speedup k·t₀/tₖ" : ""
      }; k and N count cores relative to the smallest point. The fit curves are drawn on each
operation's plots.</p>`
      : ""
  }
${a.ops.length ? markup`<h2>Operations</h2>${a.ops.map((o, i) => opSection(o, i, a))}` : ""}
${
    mon.rss
      ? markup`<h2 id="monitoring">Memory and CPU over time</h2>
<p class="legend">Shaded: operation phases${
        series.map((x) =>
          markup`<span class="swatch" style="background:${x.color}"></span>${x.name}`
        )
      }; vertical lines mark each scale point's start.</p>
<div class="plots">${figure("Resident memory per rank", mon.rss, mon.note)}${
        figure("CPU per rank", mon.cpu)
      }</div>`
      : ""
  }
${
    a.failures.length
      ? markup`<h2 id="failures">Failed observations</h2>${failuresTable(a.failures)}`
      : ""
  }`;
  return page({ title: `${s.workload} — ${s.label} · scalebench`, crumbs, body });
}
