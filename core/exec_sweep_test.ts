import assert from "node:assert/strict";
import {
  expectedKey,
  expectedObservations,
  failedTasks,
  learnedOps,
  learnOp,
  repetitionsDone,
  taskDone,
  withLearnedOps,
} from "./exec_sweep.ts";
import { remainingBatches } from "./planner.ts";
import { observationKey } from "./results.ts";
import type { Batch, Observation, Plan, Task } from "./types.ts";

const task = (op: string, rep: number, warmup = false, record = true): Task => ({
  op,
  rep,
  warmup,
  record,
});
const batch = (cores: number, tasks: Task[]): Batch =>
  ({ id: `c${cores}`, point: { cores }, tasks }) as unknown as Batch;
const plan = (operations: string[], ops: string[] | null = null): Plan =>
  ({ operations, exec: { argv: ["x"], engine: "process", settings: {}, ops } }) as unknown as Plan;
const obs = (op: string, ok = true) => ({ op, ok }) as Observation;

Deno.test("expectedKey() matches an observation to its own task or to its repetition's `*`", () => {
  const expected = new Map([[observationKey({ cores: 2, op: "*", rep: 1, warmup: false }), 1]]);
  expected.set(observationKey({ cores: 2, op: "a", rep: 0, warmup: false }), 1);
  assert.equal(expectedKey(expected, { cores: 2, op: "a", rep: 0, warmup: false }), "2|a|0|m");
  assert.equal(expectedKey(expected, { cores: 2, op: "zz", rep: 1, warmup: false }), "2|*|1|m");
  assert.equal(expectedKey(expected, { cores: 2, op: "zz", rep: 1, warmup: true }), null);
  assert.equal(expectedKey(expected, { cores: 4, op: "a", rep: 0, warmup: false }), null);
});

Deno.test("learnOp() learns a program's ops from its observations, but not from a failed exec", () => {
  const p = plan(["*"]);
  assert.equal(learnOp(p, obs("exec", false)), false);
  assert.deepEqual(p.operations, ["*"]);
  assert.equal(learnedOps(p), null);
  assert.equal(learnOp(p, obs("a", false)), true);
  assert.equal(learnOp(p, obs("b")), true);
  assert.equal(learnOp(p, obs("a")), false);
  assert.deepEqual(learnedOps(p), ["a", "b"]);
  // declared ops, or a TypeScript workload: nothing to learn
  const declared = plan(["a"], ["a"]);
  assert.equal(learnOp(declared, obs("z")), false);
  assert.equal(learnOp({ operations: ["x"] } as Plan, obs("z")), false);
});

Deno.test("withLearnedOps() and expectedObservations() expand `*` tasks once the ops are known", () => {
  const b = batch(2, [task("*", 0, true), task("*", 0), task("*", 1)]);
  const unknown = plan(["*"]);
  assert.equal(withLearnedOps(b, unknown), b);
  assert.equal(expectedObservations([b, b], unknown), 6);
  const known = plan(["a", "b"]);
  assert.deepEqual(withLearnedOps(b, known).tasks.map((t) => [t.op, t.rep, t.warmup]), [
    ["a", 0, true],
    ["b", 0, true],
    ["a", 0, false],
    ["b", 0, false],
    ["a", 1, false],
    ["b", 1, false],
  ]);
  assert.equal(
    expectedObservations([b, batch(1, [task("x", 0), task("*", 1, false, false)])], known),
    7,
  );
});

Deno.test("failedTasks() fails a silent `*` task as each learned op, or as `exec`", () => {
  assert.deepEqual(failedTasks(task("*", 3), plan(["*"])).map((t) => [t.op, t.rep]), [["exec", 3]]);
  assert.deepEqual(failedTasks(task("*", 3), plan(["a", "b"])).map((t) => t.op), ["a", "b"]);
  assert.deepEqual(failedTasks(task("a", 3), plan(["*"])), [task("a", 3)]);
});

Deno.test("remainingBatches() counts a `*` repetition done when it has any observation", () => {
  const done = new Set([
    observationKey({ cores: 2, op: "we|ird", rep: 0, warmup: false }),
    observationKey({ cores: 2, op: "exec", rep: 0, warmup: true }),
  ]);
  const reps = repetitionsDone(done);
  assert.deepEqual([...reps].sort(), ["2|0|m", "2|0|w"]);
  assert.equal(taskDone(task("*", 0), 2, { keys: done, repetitions: reps }), true);
  assert.equal(taskDone(task("*", 1), 2, { keys: done, repetitions: reps }), false);
  assert.equal(taskDone(task("we|ird", 0), 2, { keys: done, repetitions: reps }), true);
  const left = remainingBatches([batch(2, [task("*", 0, true), task("*", 0), task("*", 1)])], done);
  assert.deepEqual(left[0].tasks.map((t) => [t.rep, t.warmup, t.record]), [
    [0, true, false],
    [0, false, false],
    [1, false, true],
  ]);
});
