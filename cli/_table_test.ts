import assert from "node:assert/strict";
import { fitTable, wrapLines } from "./_table.ts";

Deno.test("fitTable() drops the least important columns until the table fits, and names them", () => {
  const cols = [
    { head: "a", priority: 0 },
    { head: "bbbb", priority: 2 },
    { head: "c", priority: 1 },
  ];
  const rows = [["1", "2222", "3"]];
  assert.deepEqual(fitTable(cols, rows, { width: 20 }), {
    text: "a  bbbb  c\n─  ────  ─\n1  2222  3",
    hidden: [],
    shown: [0, 1, 2],
  });
  assert.deepEqual(fitTable(cols, rows, { width: 6 }), {
    text: "a  c\n─  ─\n1  3",
    hidden: ["bbbb"],
    shown: [0, 2],
  });
  assert.equal(fitTable(cols, rows, { width: 1, wide: true }).hidden.length, 0);
});

Deno.test("wrapLines() wraps long lines under their indent and leaves short ones", () => {
  assert.equal(wrapLines("  aa bb cc dd\nshort", 8), "  aa bb\n      cc\n      dd\nshort");
  assert.equal(wrapLines("averyveryverylongword x", 5), "averyveryverylongword\n    x");
});
