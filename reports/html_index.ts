/**
 * The report's index page: per workload its runs, providers and links to its history and
 * comparison pages; then every run (with a link to its page).
 *
 * @module
 */
import { markup } from "./_escape.ts";
import { fmtInterval, fmtTime } from "./_format.ts";
import { badge, page } from "./_page.ts";
import type { RunAnalysis } from "./model.ts";
import { reason } from "./tables.ts";

/** A workload's entry on the index. */
export interface WorkloadLinks {
  workload: string;
  runs: number;
  providers: string[];
  history: string | null;
  compare: string | null;
  /** Regressions found on the history page */
  regressions: number;
}

/** Short form of a git commit recorded with a run, or null. */
export function commitOf(a: RunAnalysis): string | null {
  const git = a.src.environment?.git;
  return typeof git?.commit === "string" ? git.commit : null;
}

/** Render index.html: `runHrefs[i]` is the relative link of run i's page. */
export function renderIndexPage(
  runs: RunAnalysis[],
  options: { runHrefs: string[]; workloads: WorkloadLinks[] },
): string {
  const rows = runs.map((a, i) => {
    const s = a.src;
    const cores = [...new Set(a.ops.flatMap((o) => o.points.map((p) => p.cores)))].sort((x, y) =>
      x - y
    );
    const op = a.ops.find((o) => o.fits.amdahl?.s ?? o.fits.gustafson?.s);
    const fit = op?.fits.amdahl?.s ?? op?.fits.gustafson?.s;
    const status = s.status
      ? badge(s.status, s.status === "complete" ? "ok" : s.status === "running" ? "warn" : "bad")
      : badge(s.kind);
    const commit = commitOf(a);
    return markup`
      <tr>
        <td><a href="${options.runHrefs[i]}">${s.label}</a></td>
        <td>${s.workload}</td>
        <td>${s.mode}</td>
        <td>${s.provider?.name ?? reason(s.kind)}</td>
        <td class="num">${cores.length ? cores.join(", ") : reason("none")}</td>
        <td class="num">${a.counts.measured}</td>
        <td class="num">${a.counts.failed}</td>
        <td class="num">${
      fit
        ? markup`${op!.fits.amdahl ? "s" : "s′"} = ${
          fmtInterval(fit.value, fit.ci)
        } <span class="na">${op!.op}</span>`
        : reason(
          cores.length > 1 ? "no fit" : "one core count",
        )
    }</td>
        <td>${s.startedAt ? fmtTime(s.startedAt) : reason("unknown")}${
      commit ? markup` <code>${commit.slice(0, 10)}</code>` : ""
    }</td>
        <td>${status}${a.counts.total === 0 ? badge("no observations", "bad") : ""}${
      s.warnings.length ? badge(`${s.warnings.length} warning(s)`, "warn") : ""
    }</td>
      </tr>
    `;
  });
  const wl = options.workloads;
  const body = markup`
    <h1>Scaling report</h1>
    <p class="sub">${runs.length} run${runs.length === 1 ? "" : "s"} of ${wl.length} workload${
    wl.length === 1 ? "" : "s"
  }</p>
    ${
    wl.some((w) => w.history || w.compare)
      ? markup`<h2>Workloads</h2>
    <div class="scroll">
      <table>
        <thead><tr><th>workload</th><th class="num">runs</th><th>providers</th>
          <th>history</th><th>provider comparison</th></tr></thead>
        <tbody>${
        wl.map((w) =>
          markup`<tr><td>${w.workload}</td><td class="num">${w.runs}</td><td>${
            w.providers.join(", ")
          }</td><td>${
            w.history
              ? markup`<a href="${w.history}">history</a>${
                w.regressions
                  ? badge(`${w.regressions} regression${w.regressions > 1 ? "s" : ""}`, "bad")
                  : ""
              }`
              : reason("one run")
          }</td><td>${
            w.compare ? markup`<a href="${w.compare}">comparison</a>` : reason(
              w.providers.length < 2 ? "one provider" : "no common points",
            )
          }</td></tr>`
        )
      }</tbody>
      </table>
    </div>`
      : ""
  }
    <h2>Runs</h2>
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>run</th>
            <th>workload</th>
            <th>mode</th>
            <th>provider</th>
            <th class="num">cores</th>
            <th class="num">measured (reps)</th>
            <th class="num">failed (reps)</th>
            <th class="num">serial fraction s or s′ [95 % CI]</th>
            <th>started (UTC), commit</th>
            <th>status</th>
          </tr>
        </thead>
        <tbody>${rows}</tbody>
      </table>
    </div>
    <p class="sub">Serial fraction: Amdahl s (strong scaling; of the 1-core time) or Gustafson s′
      (weak scaling; relative to the smallest core count) of the first operation that has a fit,
      named after it.</p>
  `;
  return page({ title: "Scaling report · scalebench", body });
}
