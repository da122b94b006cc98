/**
 * The comparison page of several runs of one workload: the runs with their colours, per
 * operation an overlay of the runs (one colour per run, legend) and a ratio table B/A per point
 * saying who is faster where.
 *
 * @module
 */
import { markup, raw, type SafeHtml } from "./_escape.ts";
import { symbolSvg } from "./_chart.ts";
import { type FigureFile, FigureSet } from "./_figures.ts";
import { fmtInterval, fmtSig, fmtTime } from "./_format.ts";
import { badge, page } from "./_page.ts";
import type { Comparison, OpComparison, PairComparison } from "./compare.ts";
import type { RunAnalysis } from "./model.ts";
import { overviewChart, seriesStyle } from "./plots.ts";
import { reason } from "./tables.ts";

/** Display names of runs on a comparison page: the label, made unique, with the provider. */
export function runNames(runs: RunAnalysis[]): string[] {
  const names = runs.map((r) => `${r.src.label} (${r.src.provider?.name ?? r.src.kind})`);
  return names.map((n, i) => (names.indexOf(n) === i ? n : `${n} #${i + 1}`));
}

function verdict(f: "A" | "B" | "tie", names: [string, string], basis: string): SafeHtml {
  if (f === "tie") {
    return markup`<span class="na">${
      basis === "untested" ? "too few repetitions to test" : "no significant difference"
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
            <th class="num">A: median [95 % CI] (s)</th>
            <th class="num">B: median [95 % CI] (s)</th>
            <th class="num">ratio B/A [95&nbsp;% CI] (×)</th>
            <th>who is faster</th>
          </tr>
        </thead>
        <tbody>${
    c.rows.map((r) =>
      markup`
            <tr>
              <td class="num">${r.cores}</td>
              <td class="num">${fmtInterval(r.a, r.aCi)}</td>
              <td class="num">${fmtInterval(r.b, r.bCi)}</td>
              <td class="num"><strong>${fmtInterval(r.ratio, r.ratioCi)}</strong></td>
              <td>${verdict(r.faster, names, r.basis)}</td>
            </tr>
          `
    )
  }</tbody>
      </table>
    </div>
    <p class="sub">Geometric mean of B/A: ${
    c.geomean === null ? reason("no common point") : fmtSig(c.geomean, 3)
  } (below 1: B is faster).</p>
  `;
}

/** One sentence on who is faster where, with the runs' names. */
export function pairSentence(p: PairComparison, names: [string, string]): string {
  const total = p.wins.A + p.wins.B + p.wins.tie;
  const pts = (k: number) => `${k} point${k === 1 ? "" : "s"}`;
  if (!total) return `${names[1]} and ${names[0]} have no core count in common.`;
  if (!p.wins.A && !p.wins.B) {
    return `No significant difference at any of the ${pts(total)} measured by both.`;
  }
  const parts: string[] = [];
  if (p.wins.B) parts.push(`${names[1]} is faster at ${p.wins.B} of ${pts(total)}`);
  if (p.wins.A) {
    parts.push(`${names[0]} is faster at ${p.wins.A}${p.wins.B ? "" : ` of ${pts(total)}`}`);
  }
  if (p.wins.tie) parts.push(`no significant difference at ${p.wins.tie}`);
  return parts.join(", ") + ".";
}

function pairSummary(p: PairComparison, names: [string, string]): SafeHtml {
  return markup`<li><strong>B = ${names[1]}</strong> vs <strong>A = ${names[0]}</strong>: ${
    pairSentence(p, names)
  }</li>`;
}

/** Render the comparison page. */
export function renderComparePage(
  cmp: Comparison,
  options: { indexHref: string; runHrefs: string[]; stem?: string; png?: boolean; title?: string },
): { html: string; figures: FigureFile[] } {
  const names = runNames(cmp.runs);
  const styles = cmp.runs.map((_, i) => seriesStyle(i));
  const colors = styles.map((st) => st.color);
  const figs = new FigureSet(options.stem ?? "compare", {
    context: cmp.workload,
    png: options.png,
  });
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
              <td>${
        raw(symbolSvg({
          line: { color: colors[i], width: 1.8, dash: styles[i].dash || undefined },
          marker: { shape: styles[i].shape, r: 3.8, color: colors[i] },
        }))
      } ${i === 0 ? badge("A · baseline") : badge(`B${cmp.runs.length > 2 ? i : ""}`)}</td>
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
      return o ? [{ name: names[i], style: styles[i], op: o }] : [];
    });
    const plots = [
      figs.add(
        `time ${op}`,
        `${op}: median time vs cores (log–log)`,
        overviewChart(series, "time", mode),
      ),
      figs.add(
        `efficiency ${op}`,
        `${op}: ${mode === "weak" ? "weak-scaling" : "parallel"} efficiency`,
        overviewChart(series, "efficiency", mode),
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
  const title = options.title ?? `Comparison: ${cmp.workload}`;
  const body = markup`<h1>${title}</h1>
<p class="sub">${cmp.runs.length} runs of the same workload. Ratios are B/A of the median times with
their 95 % confidence interval (Mann–Whitney, from the repetitions); a point counts as faster only
when that interval excludes 1, so two runs of one distribution are called different at a point
with probability 5 % at most.</p>
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
  const html = page({
    title: `${title} · scalebench`,
    crumbs: [{ href: options.indexHref, label: "Report" }, { href: null, label: title }],
    body,
  });
  return { html, figures: figs.files };
}
