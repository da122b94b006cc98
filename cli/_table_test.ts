import assert from "node:assert/strict";
import { fitTable, hanging, wrap, wrapLines } from "./_table.ts";

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

Deno.test("wrap() breaks at spaces within the width and keeps a long word whole", () => {
  assert.deepEqual(wrap("aa bb cc dd", 5), ["aa bb", "cc dd"]);
  assert.deepEqual(wrap("abcdefgh ij", 4), ["abcdefgh", "ij"]);
});

Deno.test("hanging() puts the text in a column and wraps it under its own start", () => {
  assert.deepEqual(
    hanging("  --pin", "Pin each local rank to its own cores", { col: 12, width: 32 }),
    ["  --pin     Pin each local rank", "            to its own cores"],
  );
});

Deno.test("hanging() starts the text on a line of its own when the first column is too wide", () => {
  assert.deepEqual(hanging("  --a-very-long-flag <v>", "Help", { col: 12, width: 40 }), [
    "  --a-very-long-flag <v>",
    "            Help",
  ]);
});
