import assert from "node:assert/strict";
import { hpccInput, processGrid } from "./input.ts";

Deno.test("processGrid() makes the most square P × Q grid with P ≤ Q", () => {
  assert.deepEqual([1, 2, 4, 6, 7, 12, 16].map(processGrid), [
    { p: 1, q: 1 },
    { p: 1, q: 2 },
    { p: 2, q: 2 },
    { p: 2, q: 3 },
    { p: 1, q: 7 },
    { p: 3, q: 4 },
    { p: 4, q: 4 },
  ]);
});

Deno.test("hpccInput() writes N, NB and the grid where hpcc reads them (lines 6, 8, 11, 12)", () => {
  const lines = hpccInput({ n: 2000, nb: 96, ranks: 6 }).split("\n");
  const first = (i: number) => lines[i - 1].trim().split(/\s+/)[0];
  assert.deepEqual([first(5), first(6), first(7), first(8), first(10), first(11), first(12)], [
    "1",
    "2000",
    "1",
    "96",
    "1",
    "2",
    "3",
  ]);
  assert.equal(lines[31], "##### This line (no. 32) is ignored (it serves as a separator). ######");
  assert.equal(lines.length, 37);
});
