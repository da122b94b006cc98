// The TypeScript `arrays` and Dask's `dask-arrays` measure the same operations (names and units),
// so a report of both compares them (reports/compare.ts), like two runs of one workload; a run
// of other operations stays alone.
import assert from "node:assert/strict";
import type { Observation } from "../core/types.ts";
import { compareRuns } from "../reports/compare.ts";
import { analyzeRun } from "../reports/model.ts";
import { observation, runSource } from "./_fixtures.ts";

function run(workload: string, ops: [string, string][], seconds: number) {
  const observations: Observation[] = ops.flatMap(([op, unit]) =>
    [1, 2].flatMap((cores) =>
      [0, 1, 2].map((rep) =>
        observation({
          workload,
          op,
          mode: "weak",
          cores,
          ranks: cores,
          threads: 1,
          rep,
          seconds: seconds * (1 + rep / 100),
          rank_seconds: [seconds],
          unit,
          rate: 8 / seconds,
        })
      )
    )
  );
  const src = runSource(observations, {
    path: `/${workload}`,
    id: `${workload}-1`,
    label: workload,
    workload,
    mode: "weak",
    operations: ops.map(([op]) => op),
  });
  return analyzeRun(src);
}

Deno.test("compareRuns() puts arrays and dask-arrays side by side: same operations and units", () => {
  const ops: [string, string][] = [["random access", "bytes/s"], ["sum the transpose", "MB/s"]];
  const [cmp, ...more] = compareRuns([
    run("arrays", ops, 0.01),
    run("dask-arrays", [...ops].reverse(), 0.04),
    run("amdahl", [["amdahl", "units/s"]], 1),
    run("dataframes", [["random access", "bytes/s"]], 1), // another set of operations
  ]);
  assert.equal(more.length, 0);
  assert.equal(cmp.workload, "arrays vs dask-arrays");
  assert.deepEqual(cmp.runs.map((r) => r.src.workload), ["arrays", "dask-arrays"]);
  assert.deepEqual(cmp.ops, ["random access", "sum the transpose"]);
  const rows = cmp.pairs[0].ops.flatMap((o) => o.rows.map((r) => [o.op, r.cores, r.ratio]));
  assert.deepEqual(rows.map(([op, cores]) => `${op} ${cores}`), [
    "random access 1",
    "random access 2",
    "sum the transpose 1",
    "sum the transpose 2",
  ]);
  for (const [, , ratio] of rows) assert.ok(Math.abs((ratio as number) - 4) < 1e-9);
});

Deno.test("compareRuns() keeps a different unit apart: same names are not enough", () => {
  const cmp = compareRuns([
    run("arrays", [["sum the transpose", "MB/s"]], 1),
    run("other", [["sum the transpose", "elements/s"]], 1),
  ]);
  assert.deepEqual(cmp, []);
});
