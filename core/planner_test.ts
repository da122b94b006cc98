import { assertAlmostEquals, assertEquals, assertThrows } from "./_assert.ts";
import { ValidationError } from "./errors.ts";
import {
  makeBatches,
  parseCores,
  parseLayout,
  planSweep,
  ranksPerNode,
  remainingBatches,
  scalePoint,
} from "./planner.ts";
import { observationKey } from "./results.ts";
import amdahl from "../workloads/amdahl.ts";

Deno.test("parseCores() reads lists, ranges, dask-bench steps and doubling", () => {
  assertEquals(parseCores("1,2,4"), [1, 2, 4]);
  assertEquals(parseCores("1..4"), [1, 2, 3, 4]);
  assertEquals(parseCores("1..12:4"), [1, 4, 8, 12]);
  assertEquals(parseCores("1..48:2"), [1, ...Array.from({ length: 24 }, (_, i) => 2 * (i + 1))]);
  assertEquals(parseCores("1..10:4"), [1, 4, 8]);
  assertEquals(parseCores("1..64:*2"), [1, 2, 4, 8, 16, 32, 64]);
  assertEquals(parseCores("8, 1..3, 2"), [1, 2, 3, 8]);
});

Deno.test("parseCores() rejects zero, reversed ranges and garbage with one line naming the flag", () => {
  for (
    const [text, why] of [
      ["0", "at least 1"],
      ["2..1", "end is below its start"],
      ["a", "whole numbers"],
      ["", "is empty"],
      ["1..8:*1", "factor"],
    ]
  ) {
    const err = assertThrows(() => parseCores(text), ValidationError);
    assertEquals(err.message.startsWith("Flag --cores "), true, err.message);
    assertEquals(err.message.includes(why), true, err.message);
  }
});

Deno.test("parseLayout() accepts threads, ranks and ranks:T only", () => {
  assertEquals([parseLayout("threads"), parseLayout("ranks"), parseLayout("ranks:4")], [
    "threads",
    "ranks",
    "ranks:4",
  ]);
  assertThrows(
    () => parseLayout("ranks:0"),
    ValidationError,
    "Unknown layout 'ranks:0' for --layout (known: threads, ranks, ranks:T)",
  );
});

Deno.test("scalePoint() maps cores to ranks × threads and nodes with dask-bench's rule", () => {
  assertEquals(scalePoint(8, { layout: "threads", coresPerNode: 8 }), {
    cores: 8,
    nodes: 1,
    ranks: 1,
    threads: 8,
  });
  assertEquals(scalePoint(12, { layout: "ranks", coresPerNode: 4 }), {
    cores: 12,
    nodes: 3,
    ranks: 12,
    threads: 1,
  });
  assertEquals(scalePoint(8, { layout: "ranks:2", coresPerNode: 4 }), {
    cores: 8,
    nodes: 2,
    ranks: 4,
    threads: 2,
  });
  assertThrows(
    () => scalePoint(6, { layout: "ranks:4", coresPerNode: 8 }),
    ValidationError,
    "not a multiple of 4 threads",
  );
  assertThrows(
    () => scalePoint(8, { layout: "threads", coresPerNode: 4 }),
    ValidationError,
    "use --layout ranks or ranks:T",
  );
});

Deno.test("ranksPerNode() spreads ranks evenly, the first nodes taking one more", () => {
  assertEquals(ranksPerNode({ cores: 5, nodes: 2, ranks: 5, threads: 1 }), [3, 2]);
  assertEquals(ranksPerNode({ cores: 12, nodes: 3, ranks: 12, threads: 1 }), [4, 4, 4]);
});

const base = {
  workloadRef: "amdahl",
  provider: "local",
  layout: "ranks" as const,
  reps: 2,
  warmup: 1,
  seed: 1,
  params: { s: 0.2, work: 10 },
};

Deno.test("planSweep() applies the weak rule per point and keeps strong parameters fixed", () => {
  const weak = planSweep(amdahl, { ...base, mode: "weak", cores: [1, 4], order: "sequential" });
  assertEquals(weak.points.map((p) => [p.cores, p.params.work, p.size]), [[1, 10, 10_000_000], [
    4,
    40,
    40_000_000,
  ]]);
  assertAlmostEquals(weak.points[1].params.s as number, 0.2 / 3.4, 1e-15);
  const strong = planSweep(amdahl, { ...base, cores: [1, 4], order: "sequential" });
  assertEquals(strong.mode, "strong");
  assertEquals(strong.points.map((p) => p.params.work), [10, 10]);
});

Deno.test("makeBatches() orders sequential, interleaved (rep-major) and seeded random batches", () => {
  const plan = planSweep(amdahl, { ...base, cores: [1, 2], order: "sequential" });
  assertEquals(
    plan.batches.map((b) => [b.id, b.tasks.map((t) => `${t.rep}${t.warmup ? "w" : ""}`)]),
    [
      ["p01-c0001", ["0w", "0", "1"]],
      ["p02-c0002", ["0w", "0", "1"]],
    ],
  );
  const inter = makeBatches(plan.points, {
    ops: ["burn"],
    reps: 2,
    warmup: 1,
    order: "interleaved",
    seed: 1,
  });
  assertEquals(inter.map((b) => b.id), [
    "p01-c0001-r001",
    "p02-c0002-r001",
    "p01-c0001-r002",
    "p02-c0002-r002",
  ]);
  // a warm-up runs in every batch, and is recorded once per point
  assertEquals(inter.map((b) => b.tasks[0].record), [true, true, false, false]);
  const r1 = makeBatches(plan.points, {
    ops: ["burn"],
    reps: 3,
    warmup: 0,
    order: "random",
    seed: 5,
  }).map((b) => b.id);
  const r2 = makeBatches(plan.points, {
    ops: ["burn"],
    reps: 3,
    warmup: 0,
    order: "random",
    seed: 5,
  }).map((b) => b.id);
  assertEquals(r1, r2);
  assertEquals(
    [...r1].sort(),
    makeBatches(plan.points, { ops: ["burn"], reps: 3, warmup: 0, order: "interleaved", seed: 5 })
      .map((b) => b.id).sort(),
  );
});

Deno.test("remainingBatches() keeps only unrecorded tasks and skips finished points", () => {
  const plan = planSweep(amdahl, { ...base, cores: [1, 2], order: "sequential" });
  const done = new Set([
    observationKey({ cores: 1, op: "burn", rep: 0, warmup: true }),
    observationKey({ cores: 1, op: "burn", rep: 0, warmup: false }),
    observationKey({ cores: 1, op: "burn", rep: 1, warmup: false }),
    observationKey({ cores: 2, op: "burn", rep: 0, warmup: true }),
    observationKey({ cores: 2, op: "burn", rep: 0, warmup: false }),
  ]);
  const left = remainingBatches(plan.batches, done);
  assertEquals(left.map((b) => [b.id, b.tasks.map((t) => [t.rep, t.warmup, t.record])]), [
    ["p02-c0002", [[0, true, false], [0, false, false], [1, false, true]]],
  ]);
});

Deno.test("planSweep() rejects weak mode without a rule, unknown operations and bad reps", () => {
  const noWeak = { ...amdahl, weak: undefined };
  assertThrows(
    () => planSweep(noWeak, { ...base, mode: "weak", cores: [1], order: "sequential" }),
    ValidationError,
    "has no weak-scaling rule",
  );
  assertThrows(
    () => planSweep(amdahl, { ...base, cores: [1], order: "sequential", operations: ["nope"] }),
    ValidationError,
    "Unknown operation 'nope' for workload 'amdahl' (known: burn)",
  );
  assertThrows(
    () => planSweep(amdahl, { ...base, cores: [1], order: "sequential", reps: 0 }),
    ValidationError,
    "Flag --reps expects a whole number ≥ 1",
  );
});
