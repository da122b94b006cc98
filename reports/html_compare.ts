/**
 * The comparison page of several runs of one workload: the runs with their colours, per
 * operation an overlay of the runs (one colour per run, legend) and a ratio table B/A per point
 * saying who is faster where.
 *
 * @module
 */
import { markup, type SafeHtml } from "./_escape.ts";
import { fmtNum, fmtSeconds, fmtTime, NA } from "./_format.ts";
import { badge, figure, page } from "./_page.ts";
import type { Comparison, OpComparison, PairComparison } from "./compare.ts";
import type { RunAnalysis } from "./model.ts";
import { color, overviewPlot } from "./plots.ts";

/** Display names of runs on a comparison page: the label, made unique, with the provider. */
export function runNames(runs: RunAnalysis[]): string[] {
  const names = runs.map((r) => `${r.src.label} (${r.src.provider?.name ?? r.src.kind})`);
  return names.map((n, i) => (names.indexOf(n) === i ? n : `${n} #${i + 1}`));
}

function ci(c: [number, number] | null): string {
  return c ? `${fmtSeconds(c[0])} – ${fmtSeconds(c[1])}` : NA;
}

function verdict(f: "A" | "B" | "tie", names: [string, string], basis: string): SafeHtml {
  if (f === "tie") {
    return markup`<span class="b-muted">≈ ${
      basis === "ci" ? "(CIs overlap)" : "(within 2 %)"
    }</span>`;
  }
  return markup`<span class="${f === "B" ? "better" : "worse"}">${
    f === "A" ? names[0] : names[1]
  } faster</span>`;
}

function ratioTable(c: OpComparison, names: [string, string]): SafeHtml {
  if (!c.rows.length) return markup`<p class="sub">No core count measured by both runs.</p>`;
  return markup`
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th class="num">cores</th>
            <th class="num">A median s</th>
            <th class="num">A 95 % CI</th>
            <th class="num">B median s</th>
            <th class="num">B 95 % CI</th>
            <th class="num">ratio B/A</th>
            <th>who is faster</th>
          </tr>
        </thead>
        <tbody>${
    c.rows.map((r) =>
      markup`
            <tr>
              <td class="num">${r.cores}</td>
              <td class="num">${fmtSeconds(r.a)}</td>
              <td class="num">${ci(r.aCi)}</td>
              <td class="num">${fmtSeconds(r.b)}</td>
              <td class="num">${ci(r.bCi)}</td>
              <td class="num"><strong>${fmtNum(r.ratio, 3)}</strong></td>
              <td>${verdict(r.faster, names, r.basis)}</td>
            </tr>
          `
    )
  }</tbody>
      </table>
    </div>
    <p class="sub">Geometric mean of B/A: ${fmtNum(c.geomean, 3)} (below 1: B is faster).</p>
  `;
}

function pairSummary(p: PairComparison, names: [string, string]): SafeHtml {
  const total = p.wins.A + p.wins.B + p.wins.tie;
  return markup`<li><strong>B = ${names[1]}</strong> vs <strong>A = ${
    names[0]
  }</strong>: B faster at ${p.wins.B} of ${total} points, A faster at ${p.wins.A}, indistinguishable at ${p.wins.tie}.</li>`;
}

/** Render the comparison page. */
export function renderComparePage(
  cmp: Comparison,
  options: { indexHref: string; runHrefs: string[] },
): string {
  const names = runNames(cmp.runs);
  const colors = cmp.runs.map((_, i) => color(i));
  const runList = markup`
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th></th>
            <th>run</th>
            <th>provider</th>
            <th>mode</th>
            <th>started</th>
            <th class="num">measured</th>
            <th class="num">failed</th>
          </tr>
        </thead>
        <tbody>${
    cmp.runs.map((r, i) =>
      markup`
            <tr>
              <td><span class="swatch" style="background:${colors[i]};margin:0"></span> ${
        i === 0 ? badge("A · baseline") : badge(`B${cmp.runs.length > 2 ? i : ""}`)
      }</td>
              <td><a href="${options.runHrefs[i]}">${r.src.label}</a></td>
              <td>${r.src.provider?.name ?? r.src.kind}</td>
              <td>${r.src.mode}</td>
              <td>${fmtTime(r.src.startedAt)}</td>
              <td class="num">${r.counts.measured}</td>
              <td class="num">${r.counts.failed}</td>
            </tr>
          `
    )
  }</tbody>
      </table>
    </div>
  `;
  const modes = new Set(cmp.runs.map((r) => r.src.mode));
  const mode = cmp.runs[0].src.mode;
  const sections = cmp.ops.map((op, k) => {
    const series = cmp.runs.flatMap((r, i) => {
      const o = r.ops.find((x) => x.op === op);
      return o ? [{ name: names[i], color: colors[i], op: o }] : [];
    });
    const plots = [
      figure("Time vs cores (log-log)", overviewPlot(series, "time", mode)),
      figure(
        mode === "weak" ? "Weak-scaling efficiency" : "Parallel efficiency",
        overviewPlot(series, "efficiency", mode),
      ),
    ];
    const tables = cmp.pairs.map((p, j) => {
      const c = p.ops.find((x) => x.op === op);
      const pn: [string, string] = [names[0], names[j + 1]];
      return c
        ? markup`${cmp.pairs.length > 1 ? markup`<h4>${pn[1]} vs ${pn[0]}</h4>` : ""}${
          ratioTable(c, pn)
        }`
        : markup`<p class="sub">${pn[1]} has no operation ${op}.</p>`;
    });
    return markup`<section id="cmp-${k + 1}"><h3>${op}</h3>
<div class="plots">${plots}</div>${tables}</section>`;
  });
  const body = markup`<h1>Comparison: ${cmp.workload}</h1>
<p class="sub">${cmp.runs.length} runs of the same workload. Ratios are B/A of the median times; a
point counts as faster only when the 95 % confidence intervals of the medians do not overlap.</p>
${
    modes.size > 1
      ? markup`<div class="note">These runs mix scaling modes (${
        [...modes].join(", ")
      }); ratios compare the same core count only.</div>`
      : ""
  }
${runList}
<h2>Who is faster where</h2>
<ul>${cmp.pairs.map((p, j) => pairSummary(p, [names[0], names[j + 1]]))}</ul>
<h2>Operations</h2>
${sections}`;
  return page({
    title: `Comparison: ${cmp.workload} · scalebench`,
    crumbs: [{ href: options.indexHref, label: "Report" }, {
      href: null,
      label: `Comparison: ${cmp.workload}`,
    }],
    body,
  });
}
