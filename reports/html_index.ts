/**
 * The report's index page: the runs (with links to their pages) and the comparisons.
 *
 * @module
 */
import { markup } from "./_escape.ts";
import { fmtEstimate, fmtTime, NA } from "./_format.ts";
import { badge, page } from "./_page.ts";
import type { Comparison } from "./compare.ts";
import type { RunAnalysis } from "./model.ts";

/** Render index.html: `runHrefs[i]` is the relative link of run i's page. */
export function renderIndexPage(
  runs: RunAnalysis[],
  options: { runHrefs: string[]; comparisons: { cmp: Comparison; href: string }[] },
): string {
  const rows = runs.map((a, i) => {
    const s = a.src;
    const cores = [...new Set(a.ops.flatMap((o) => o.points.map((p) => p.cores)))].sort((x, y) =>
      x - y
    );
    const fit = a.ops.map((o) => o.fits.amdahl?.s ?? o.fits.gustafson?.s).find((e) => e);
    const status = s.status
      ? badge(s.status, s.status === "complete" ? "ok" : s.status === "running" ? "warn" : "bad")
      : badge(s.kind);
    return markup`
      <tr>
        <td><a href="${options.runHrefs[i]}">${s.label}</a></td>
        <td>${s.workload}</td>
        <td>${s.mode}</td>
        <td>${s.provider?.name ?? NA}</td>
        <td class="mono">${cores.length ? cores.join(", ") : NA}</td>
        <td class="num">${a.ops.length}</td>
        <td class="num">${a.counts.measured}</td>
        <td class="num">${a.counts.failed}</td>
        <td class="num">${fit ? fmtEstimate(fit.value, fit.se) : NA}</td>
        <td>${s.startedAt ? fmtTime(s.startedAt) : NA}</td>
        <td>${status}${a.counts.total === 0 ? badge("no observations", "bad") : ""}${
      s.warnings.length ? badge(`${s.warnings.length} warning(s)`, "warn") : ""
    }</td>
      </tr>
    `;
  });
  const body = markup`
    <h1>Scaling report</h1>
    <p class="sub">${runs.length} run${runs.length === 1 ? "" : "s"}${
    options.comparisons.length
      ? ` · ${options.comparisons.length} comparison${options.comparisons.length === 1 ? "" : "s"}`
      : ""
  }</p>
    <h2>Runs</h2>
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>run</th>
            <th>workload</th>
            <th>mode</th>
            <th>provider</th>
            <th>cores</th>
            <th class="num">operations</th>
            <th class="num">measured</th>
            <th class="num">failed</th>
            <th class="num">serial fraction</th>
            <th>started</th>
            <th>status</th>
          </tr>
        </thead>
        <tbody>${rows}</tbody>
      </table>
    </div>
    <p class="sub">Serial fraction: Amdahl s (strong scaling) or Gustafson s′ (weak scaling) of
      the first operation that has a fit.</p>
    ${
    options.comparisons.length
      ? markup`
        <h2>Comparisons</h2>
        <ul>${
        options.comparisons.map(({ cmp, href }) =>
          markup`<li><a href="${href}">${cmp.workload}</a>: ${
            cmp.runs.map((r) => r.src.label).join(" vs ")
          }</li>`
        )
      }</ul>
      `
      : ""
  }
  `;
  return page({ title: "Scaling report · scalebench", body });
}
