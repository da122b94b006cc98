import assert from "node:assert/strict";
import { sampleChecks } from "../tests/expect_checks.ts";
import { amdahl, seeded, syntheticRun } from "../tests/expect_synthetic.ts";
import { lognormal } from "../tests/calibration.ts";
import { fmtInterval } from "./_format.ts";
import { checksSection, mdCell, renderSummary } from "./expect_md.ts";
import { renderMarkdown } from "./md.ts";

Deno.test("mdCell() keeps a table cell in its cell", () => {
  assert.equal(mdCell("a|b\nc <d> `e` *f*"), "a\\|b c \\<d\\> \\`e\\` \\*f\\*");
});

Deno.test("renderSummary() writes GitHub Markdown tables of expectations and regressions", () => {
  const c = sampleChecks();
  const md = renderSummary(c);
  const lines = md.split("\n");
  assert.equal(
    lines[0],
    "### ❌ scalebench synthetic: 4 failed, 9 passed, 1 inconclusive, 1 skipped",
  );
  assert.equal(lines[2], "Run `run-2`; intervals at 95 %.");
  const table = lines.filter((l) => l.startsWith("|"));
  // header + rule + 5 expectation rows; header + rule + 4 compared + 2 unmatched
  assert.equal(table.length, 2 + 5 + 2 + 6);
  for (const row of table) assert.equal(row.split(/(?<!\\)\|/).length, 9, row);
  const e = c.expectations[1];
  assert.equal(
    table[3],
    `| ❌ | \`op:sort efficiency>=0.95@2\` | sort | 2 | ${
      fmtInterval(e.points[0].value, e.points[0].ci)
    } | ≥ 0.95 | fail |`,
  );
  assert.equal(e.verdict, "fail");
  assert.ok(
    table.some((l) =>
      l.startsWith("| ✅ | `op:a<b> & 'c'\\|d efficiency>=0.5@2` | a\\<b\\> & 'c'\\|d | 2 |")
    ),
  );
  assert.ok(
    table.some((l) =>
      /^\| ❌ \| sort \| 1 \| [\d.]+ \| [\d.]+ \| 1\.\d+ \[[\d.]+, [\d.]+\] \| regression \|$/.test(
        l,
      )
    ),
  );
  assert.ok(md.includes("Environment differences: host `node-a` → `node-b`."));
  assert.ok(md.includes("- sort at 4 cores: 1 of 5 failed — Sum of sort is wrong at rep 0"));
  assert.ok(md.endsWith("\n\n"));
});

Deno.test("renderMarkdown() shows a run's expectations and regressions below its header", () => {
  const c = sampleChecks();
  const a = syntheticRun({
    ops: { sort: amdahl(0.5, 0.2) },
    cores: [1, 2],
    reps: 3,
    noise: lognormal(0.02),
    random: seeded(3),
    failing: ["sort@2#0"],
  });
  const plain = renderMarkdown([a], []);
  assert.equal(plain.includes("Expectations and regressions"), false);
  a.src.checks = c;
  const md = renderMarkdown([a], []);
  const section = checksSection(c);
  assert.deepEqual(section.slice(0, 4), [
    "### Expectations and regressions",
    "",
    "❌ 4 failed, 9 passed, 1 inconclusive, 1 skipped; intervals at 95 %.",
    "",
  ]);
  // the --summary tables without their heading and the failed checks (the report lists the
  // failed observations itself)
  const tables = renderSummary(c).split("\n").slice(4);
  const body = tables.slice(0, tables.indexOf("**Failed checks**"));
  assert.deepEqual(section.slice(4), body);
  const at = md.indexOf(section.join("\n"));
  assert.ok(at > md.indexOf("- 3 measured, 0 warm-up, 1 failed observations"), md);
  assert.ok(at < md.indexOf("### sort"), md);
  assert.equal(md.includes("**Failed checks**"), false);
  assert.match(md, /^\*\*Failed observations\*\*$/m);
});
