import assert from "node:assert/strict";
import { sampleChecks } from "../tests/expect_checks.ts";
import { fmtInterval } from "./_format.ts";
import { mdCell, renderSummary } from "./expect_md.ts";

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
