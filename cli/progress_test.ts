import assert from "node:assert/strict";
import type { Observation } from "../core/types.ts";
import type { SweepEvent } from "../core/sweep.ts";
import { fitLine, progressReporter } from "./progress.ts";

const POINT = { cores: 2, nodes: 1, ranks: 1, threads: 2 };
const BATCH = {
  id: "p01-c0002",
  point: POINT,
  tasks: Array.from({ length: 5 }, (_, rep) => ({ op: "burn", rep, warmup: false, record: true })),
} as never;

function obs(rep: number, error: string | null, seconds = 0.01): Observation {
  return {
    workload: "amdahl",
    op: "burn",
    mode: "strong",
    ...POINT,
    rep,
    warmup: false,
    seconds: error ? null : seconds,
    rank_seconds: [],
    ok: !error,
    error,
    unit: null,
    rate: null,
    peak_rss_bytes: null,
    size: 1,
  };
}

Deno.test("progressReporter() prints each failure with its message as it happens, then the point's line", () => {
  const lines: string[] = [];
  const p = progressReporter({ tty: false, width: 100, write: (l) => lines.push(l) });
  const events: SweepEvent[] = [
    { type: "batch-start", batch: BATCH, index: 0, total: 1, observations: 5 },
    { type: "observation", batch: BATCH, observation: obs(0, "rank 0: got 41, wanted 42\nat x") },
    { type: "observation", batch: BATCH, observation: obs(1, null, 0.01) },
    { type: "observation", batch: BATCH, observation: obs(2, "e2") },
    { type: "observation", batch: BATCH, observation: obs(3, "e3") },
    { type: "observation", batch: BATCH, observation: obs(4, "e4") },
    { type: "batch-end", batch: BATCH, failed: 4, reason: null },
  ];
  events.forEach((e) => p.event(e));
  assert.deepEqual(lines, [
    "[1/1] p01-c0002: 2 cores = 1×2 on 1 node, 5 observations",
    "  ✗ burn · 2 cores · rep 1: rank 0: got 41, wanted 42",
    "  ✗ burn · 2 cores · rep 3: e2",
    "  ✗ burn · 2 cores · rep 4: e3",
    "  p01-c0002: 1 ok, 4 failed, median 10.0 ms, 1 more failure (scalebench show lists all)",
  ]);
});

Deno.test("progressReporter() keeps lines within the width", () => {
  const lines: string[] = [];
  const p = progressReporter({ tty: false, width: 60, write: (l) => lines.push(l) });
  p.event({ type: "batch-start", batch: BATCH, index: 0, total: 1, observations: 5 });
  p.event({ type: "observation", batch: BATCH, observation: obs(0, "x".repeat(300)) });
  assert.equal(lines[1].length, 60);
  assert.equal(lines[1].endsWith("x…"), true);
  assert.equal(fitLine("abc", 3), "abc");
  assert.equal(fitLine("abcd", 3), "ab…");
});
