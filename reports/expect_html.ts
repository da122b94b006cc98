/**
 * The run page's section on its recorded checks (reports/expect_run.ts): every expectation with
 * its verdict, value, interval (level and method) and bound, and the comparison with the
 * baseline (medians, ratio and interval, verdict, the regression test's bound) with the
 * environment differences. reports/html_run.ts places it after the run's summary cards.
 *
 * @module
 */
import { cmpSign } from "../core/expect.ts";
import { type Interval, pct } from "../core/stats_interval.ts";
import { markup, type SafeHtml } from "./_escape.ts";
import { fmtInterval, fmtSig } from "./_format.ts";
import { badge } from "./_page.ts";
import type { Verdict } from "./expect.ts";
import type { RunChecks } from "./expect_run.ts";

/** Id of the section's heading (for the page's table of contents). */
export const CHECKS_ID = "checks";

function verdictBadge(v: Verdict | "regression" | "untested" | "ok", failed: boolean): SafeHtml {
  if (failed) return badge(v === "inconclusive" ? "inconclusive (strict)" : v, "bad");
  const kind = v === "pass" || v === "ok" ? "ok" : v === "inconclusive" ? "warn" : "muted";
  return badge(v, kind);
}

function how(ci: Interval | null): string {
  if (!ci) return "no interval";
  if (ci.method === "definition") return "by definition";
  return `${pct(ci.level)}, ${ci.method}${ci.note ? ` — ${ci.note}` : ""}`;
}

function expectationRows(c: RunChecks): SafeHtml[] {
  const rows: SafeHtml[] = [];
  for (const e of c.expectations) {
    const bound = `${cmpSign(e.cmp)} ${e.bound}`;
    const cells = (cores: string, value: string, ci: Interval | null, v: Verdict) =>
      markup`<tr><td>${
        verdictBadge(v, e.failed && v === e.verdict)
      }</td><td><code>${e.text}</code>${markup`<br><span class="na">${e.source}</span>`}</td><td>${
        e.judgedOp ?? ""
      }</td><td class="num">${cores}</td><td class="num">${value}</td><td>${
        how(ci)
      }</td><td class="num">${bound}</td></tr>`;
    if (e.fit) {
      rows.push(cells("fit", fmtInterval(e.fit.value, e.fit.ci), e.fit.ci, e.verdict));
    }
    for (const p of e.points) {
      rows.push(cells(
        String(p.cores),
        p.value === null ? "not measured" : fmtInterval(p.value, p.ci),
        p.ci,
        p.verdict,
      ));
    }
    if (!e.fit && !e.points.length) {
      rows.push(
        markup`<tr><td>${
          verdictBadge(e.verdict, e.failed)
        }</td><td><code>${e.text}</code>${markup`<br><span class="na">${e.source}</span>`}</td><td>${
          e.judgedOp ?? ""
        }</td><td colspan="4">${e.message}</td></tr>`,
      );
    }
  }
  return rows;
}

function baselineHtml(c: RunChecks): SafeHtml {
  const b = c.baseline!;
  const rows = b.rows.map((r) =>
    markup`<tr><td>${
      verdictBadge(
        r.status === "fail" ? "regression" : r.status === "untested" ? "untested" : "ok",
        r.status === "fail",
      )
    }</td><td>${r.op}</td><td class="num">${r.cores}</td><td class="num">${
      fmtInterval(r.base.median, r.base.ci)
    }</td><td class="num">${fmtInterval(r.run.median, r.run.ci)}</td><td class="num">${
      fmtInterval(r.ratio, r.ci)
    }</td><td>${r.verdict}${
      r.falsePositiveRate !== null
        ? markup` <span class="na">(false positives ${pct(r.falsePositiveRate)})</span>`
        : ""
    }</td><td class="num">${
      r.bound && Number.isFinite(r.bound.lo) ? `≥ ${fmtSig(r.bound.lo)}` : "–"
    }</td></tr>`
  );
  const env = b.environment.length
    ? markup`<div class="note"><strong>The environments differ</strong><ul>${
      b.environment.map((d) =>
        markup`<li>${d.field}: <code>${String(d.base ?? "?")}</code> → <code>${
          String(d.run ?? "?")
        }</code></li>`
      )
    }</ul></div>`
    : markup`<p class="sub">Same host, CPU, Deno, scalebench and workload source as the baseline.</p>`;
  return markup`<h3>Against baseline <code>${b.runId}</code></h3>
<p class="sub">${b.dir}: ${b.regressions} regression${
    b.regressions === 1 ? "" : "s"
  } in ${b.rows.length} compared point${
    b.rows.length === 1 ? "" : "s"
  }. A point regresses when it is slower than ${fmtSig(1 + b.maxRegression)}× the baseline with ${
    pct(b.level)
  } confidence (one-sided bound of the ratio of medians, Mann–Whitney).</p>
<div class="scroll"><table><thead><tr><th></th><th>operation</th><th class="num">cores</th><th class="num">baseline median s [CI]</th><th class="num">median s [CI]</th><th class="num">new/base [${
    pct(b.level)
  } CI]</th><th>verdict</th><th class="num">regression bound</th></tr></thead>
<tbody>${rows}</tbody></table></div>
${
    b.unmatched.length
      ? markup`<p class="sub">Not compared (measured in one run only): ${
        b.unmatched.map((u, i) => markup`${i ? ", " : ""}${u.op} at ${u.cores} cores (${u.only})`)
      }.</p>`
      : ""
  }
${env}`;
}

/** The section, or null when the run has no recorded expectations or baseline. */
export function checksSection(c: RunChecks | null | undefined): SafeHtml | null {
  if (!c || (!c.expectations.length && !c.baseline)) return null;
  const n = c.counts;
  return markup`<h2 id="${CHECKS_ID}">Expectations and regressions ${
    badge(c.ok ? "passed" : "failed", c.ok ? "ok" : "bad")
  }</h2>
<p class="sub">${n.passed} passed, ${n.failed} failed, ${n.inconclusive} inconclusive, ${n.skipped} skipped${
    c.strict ? " (--strict: an inconclusive expectation fails)" : ""
  }. An expectation passes when the whole confidence interval satisfies its bound, fails when none
of it does, and is inconclusive when the interval straddles the bound.</p>
${
    c.expectations.length
      ? markup`<div class="scroll"><table><thead><tr><th></th><th>expectation</th><th>operation</th><th class="num">cores</th><th class="num">value [CI]</th><th>level, method</th><th class="num">bound</th></tr></thead>
<tbody>${expectationRows(c)}</tbody></table></div>`
      : ""
  }
${c.baseline ? baselineHtml(c) : ""}`;
}
