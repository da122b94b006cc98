import { assertAlmostEquals, assertEquals } from "../core/_assert.ts";
import type { Observation } from "../core/types.ts";
import { analyzeRun, type RunSource } from "./model.ts";

function o(
  cores: number,
  rep: number,
  seconds: number | null,
  extra: Partial<Observation> = {},
): Observation {
  return {
    workload: "w",
    op: "op",
    mode: "strong",
    cores,
    nodes: 1,
    ranks: 1,
    threads: cores,
    rep,
    warmup: false,
    seconds,
    rank_seconds: [],
    ok: seconds !== null,
    error: seconds === null ? "boom" : null,
    unit: "MB/s",
    rate: seconds === null ? null : 10 / seconds,
    peak_rss_bytes: 100 * cores + rep,
    size: 1000,
    ...extra,
  };
}

function source(observations: Observation[], mode: "strong" | "weak" = "strong"): RunSource {
  return {
    kind: "scalebench",
    path: "/r",
    id: "r",
    label: "r",
    workload: "w",
    summary: null,
    mode,
    params: {},
    provider: null,
    environment: null,
    plan: null,
    startedAt: null,
    endedAt: null,
    status: null,
    operations: ["op"],
    observations,
    monitor: [],
    aggregates: [],
    warnings: [],
  };
}

Deno.test("analyzeRun() excludes warm-ups from statistics and failures from timings", () => {
  const a = analyzeRun(source([
    o(1, 0, 9, { warmup: true }),
    o(1, 0, 1),
    o(1, 1, 1.2),
    o(1, 2, 0.8),
    o(2, 0, 0.5),
    o(2, 1, null),
    o(2, 2, 0.75),
  ]));
  const [p1, p2] = a.ops[0].points;
  assertEquals([p1.summary!.n, p1.summary!.median, p1.warmups, p1.failed], [3, 1, 1, 0]);
  assertEquals([p2.summary!.n, p2.summary!.median, p2.failed], [2, 0.625, 1]);
  assertEquals(p1.peakRss, 102);
  assertEquals(p1.rate, 10);
  assertEquals([p2.speedup, p2.efficiency], [1.6, 0.8]);
  assertAlmostEquals(p2.karpFlatt!, 0.25, 1e-12);
  assertEquals(a.counts, { total: 7, measured: 5, warmup: 1, failed: 1 });
  assertEquals(a.failures.map((f) => f.error), ["boom"]);
});

Deno.test("analyzeRun() computes weak-scaling efficiency t₀/t and scaled speedup", () => {
  const a = analyzeRun(source([o(1, 0, 1), o(2, 0, 1.25), o(4, 0, 2)], "weak"));
  const pts = a.ops[0].points;
  assertEquals(pts.map((p) => p.efficiency), [1, 0.8, 0.5]);
  assertEquals(pts.map((p) => p.speedup), [1, 1.6, 2]);
  assertEquals(a.ops[0].fits.amdahl, null);
});
