/**
 * The checks of a run as GitHub-flavoured Markdown (`--summary FILE`, appended, so that
 * `--summary "$GITHUB_STEP_SUMMARY"` adds to a job's summary page): a heading with the outcome,
 * a table of the expectations (value and interval, bound, verdict), a table of the comparison
 * with the baseline (ratio and interval, verdict, regression) with the environment differences,
 * and the failed checks.
 *
 * @module
 */
import { cmpSign } from "../core/expect.ts";
import { pct } from "../core/stats_interval.ts";
import { fmtInterval, fmtSig } from "./_format.ts";
import type { RunChecks } from "./expect_run.ts";

/** Escape text for a table cell: newlines, pipes and Markdown's active characters. */
export function mdCell(value: unknown): string {
  return String(value ?? "").replace(/\r?\n/g, " ").replace(/([\\|`*<>])/g, "\\$1");
}

/** Markdown made here, kept as it is in a table cell. */
class Code {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** A code span (backticks inside become quotes; a pipe is escaped, as tables need). */
function code(value: unknown): Code {
  return new Code(
    `\`${String(value ?? "").replace(/\r?\n/g, " ").replace(/`/g, "'").replace(/\|/g, "\\|")}\``,
  );
}

const ICON = { pass: "✅", fail: "❌", inconclusive: "⚠️", skipped: "⏭️" };

/** A table row; a cell made by code() is kept as it is. */
function row(cells: unknown[]): string {
  return `| ${cells.map((c) => (c instanceof Code ? c.text : mdCell(c))).join(" | ")} |`;
}

/** "1 failed, 2 passed, 1 inconclusive" */
function countsText(c: RunChecks): string {
  const n = c.counts;
  return `${n.failed} failed, ${n.passed} passed${
    n.inconclusive ? `, ${n.inconclusive} inconclusive` : ""
  }${n.skipped ? `, ${n.skipped} skipped` : ""}`;
}

/** The Markdown section of one run's checks (`--summary`). */
export function renderSummary(c: RunChecks): string {
  const lines = [
    `### ${c.ok ? "✅" : "❌"} scalebench ${mdCell(c.run.workload)}: ${countsText(c)}`,
    "",
    `Run ${code(c.run.id)}; intervals at ${pct(c.level)}${
      c.strict ? "; --strict: an inconclusive expectation fails" : ""
    }.`,
    "",
    ...checksBody(c, { failedChecks: true }),
  ];
  return lines.join("\n") + "\n";
}

/**
 * The checks of a run in `report --format md` (reports/md.ts), below the run's heading: the
 * outcome, the expectations and the comparison with the baseline (its failed observations are
 * listed by the report itself).
 */
export function checksSection(c: RunChecks): string[] {
  return [
    "### Expectations and regressions",
    "",
    `${c.ok ? "✅" : "❌"} ${countsText(c)}; intervals at ${pct(c.level)}${
      c.strict ? "; strict: an inconclusive expectation fails" : ""
    }.`,
    "",
    ...checksBody(c, { failedChecks: false }),
  ];
}

/** The tables of expectations and of the baseline comparison, and the failed checks. */
function checksBody(c: RunChecks, options: { failedChecks: boolean }): string[] {
  const lines: string[] = [];
  if (c.expectations.length) {
    lines.push(
      row([
        "",
        "expectation",
        "operation",
        "cores",
        `value [${pct(c.level)} CI]`,
        "bound",
        "verdict",
      ]),
      "|---|---|---|--:|--:|--:|---|",
    );
    for (const e of c.expectations) {
      const icon = e.failed ? ICON.fail : ICON[e.verdict];
      const bound = `${cmpSign(e.cmp)} ${e.bound}`;
      if (e.verdict === "skipped" || (!e.points.length && !e.fit)) {
        lines.push(row([icon, code(e.text), e.judgedOp ?? "", "", "", bound, e.message]));
        continue;
      }
      if (e.fit) {
        lines.push(
          row([
            icon,
            code(e.text),
            e.judgedOp,
            "fit",
            fmtInterval(e.fit.value, e.fit.ci),
            bound,
            e.verdict,
          ]),
        );
      }
      for (const p of e.points) {
        lines.push(row([
          icon,
          code(e.text),
          e.judgedOp,
          p.cores,
          p.value === null ? "not measured" : fmtInterval(p.value, p.ci),
          bound,
          p.verdict,
        ]));
      }
    }
    lines.push("");
  }
  const b = c.baseline;
  if (b) {
    lines.push(
      `**Against baseline ${code(b.runId)}**: ${b.regressions} regression${
        b.regressions === 1 ? "" : "s"
      } (slower than +${fmtSig(b.maxRegression * 100)} % with ${pct(b.level)} confidence fails).`,
      "",
      row(["", "operation", "cores", "base (s)", "new (s)", "new/base [CI]", "verdict"]),
      "|---|---|--:|--:|--:|--:|---|",
    );
    for (const r of b.rows) {
      lines.push(row([
        r.status === "fail" ? "❌" : r.status === "untested" ? "⏭️" : "✅",
        r.op,
        r.cores,
        fmtSig(r.base.median),
        fmtSig(r.run.median),
        fmtInterval(r.ratio, r.ci),
        r.status === "fail" ? "regression" : r.verdict,
      ]));
    }
    for (const u of b.unmatched) {
      lines.push(row(["⏭️", u.op, u.cores, "", "", "", `only in the ${u.only}`]));
    }
    lines.push("");
    if (b.environment.length) {
      lines.push(
        `Environment differences: ${
          b.environment.map((d) => `${d.field} ${code(d.base ?? "?")} → ${code(d.run ?? "?")}`)
            .join(", ")
        }.`,
        "",
      );
    }
  }
  const failed = options.failedChecks ? c.checks.filter((r) => r.failed) : [];
  if (failed.length) {
    lines.push("**Failed checks**", "");
    for (const r of failed) {
      lines.push(
        `- ${mdCell(r.op)} at ${r.cores} cores: ${r.failed} of ${r.observations} failed — ${
          mdCell(r.errors.join("; "))
        }`,
      );
    }
    lines.push("");
  }
  return lines;
}
