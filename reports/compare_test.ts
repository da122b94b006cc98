import assert from "node:assert/strict";
import type { Observation } from "../core/types.ts";
import { compareRuns } from "./compare.ts";
import { type AggregatePoint, analyzeRun } from "./model.ts";
import { repetitions, runSource } from "../tests/_fixtures.ts";

const obs = repetitions;

function run(id: string, observations: Observation[], aggregates: AggregatePoint[] = []) {
  return analyzeRun(runSource(observations, { id, aggregates }));
}

const A1 = [1.0, 1.01, 0.99, 1.02, 0.98], A2 = [0.52, 0.5, 0.51, 0.49, 0.53];

Deno.test("compareRuns() decides who is faster by a test and states its false-positive rate", () => {
  const a = run("a", [...obs(1, A1), ...obs(2, A2)]);
  // B: 1.5× slower on 1 core, the same on 2 cores
  const b = run("b", [...obs(1, A1.map((x) => 1.5 * x)), ...obs(2, A2.map((x) => x * 1.001))]);
  const [cmp] = compareRuns([a, b]);
  const [r1, r2] = cmp.pairs[0].ops[0].rows;
  assert.deepEqual([r1.faster, r1.basis, r1.test!.verdict], ["A", "test", "slower"]);
  assert.ok(Math.abs(r1.ratio - 1.5) < 1e-12);
  assert.ok(r1.ratioCi!.lo > 1.4 && r1.ratioCi!.hi < 1.6);
  assert.ok(Math.abs(r1.test!.falsePositiveRate! - 8 / 252) < 1e-12);
  assert.equal(r1.aCi, a.ops[0].points[0].summary!.ci);
  assert.deepEqual([r2.faster, r2.basis, r2.test!.verdict], ["tie", "test", "indistinguishable"]);
  assert.deepEqual(cmp.pairs[0].wins, { A: 1, B: 0, tie: 1 });
});

Deno.test("compareRuns() calls no winner without repetitions (imported summaries)", () => {
  const agg = (median: number): AggregatePoint => ({
    op: "op",
    cores: 1,
    unit: null,
    median,
    mean: median,
    min: median,
    max: median,
    std: 0,
    rate: null,
  });
  const [cmp] = compareRuns([run("a", [], [agg(1)]), run("b", [], [agg(2)])]);
  const [row] = cmp.pairs[0].ops[0].rows;
  assert.deepEqual([row.ratio, row.faster, row.basis, row.test, row.ratioCi], [
    2,
    "tie",
    "untested",
    null,
    null,
  ]);
});
