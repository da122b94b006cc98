import assert from "node:assert/strict";
import { assertAlmostEquals, assertEquals } from "../core/_assert.ts";
import type { Observation } from "../core/types.ts";
import { renderJson } from "./json.ts";
import { analyzeRun, type RunSource } from "./model.ts";
import { observation, runSource } from "../tests/_fixtures.ts";

function o(
  cores: number,
  rep: number,
  seconds: number | null,
  extra: Partial<Observation> = {},
): Observation {
  return observation({
    cores,
    rep,
    seconds,
    rank_seconds: [],
    error: seconds === null ? "boom" : null,
    unit: "MB/s",
    rate: seconds === null ? null : 10 / seconds,
    peak_rss_bytes: 100 * cores + rep,
    size: 1000,
    ...extra,
  });
}

function source(observations: Observation[], mode: "strong" | "weak" = "strong"): RunSource {
  return runSource(observations, { mode });
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

Deno.test("analyzeRun() gives every figure of a point an interval with its level and method", () => {
  const a = analyzeRun(source([
    o(1, 0, 1),
    o(1, 1, 1.2),
    o(1, 2, 0.8),
    o(2, 0, 0.5),
    o(2, 1, null),
    o(2, 2, 0.75),
  ]));
  const [p1, p2] = a.ops[0].points;
  // the reference point: speedup and efficiency 1 by definition
  assert.deepEqual(
    [p1.intervals.speedup!.lo, p1.intervals.speedup!.hi, p1.intervals.speedup!.method],
    [1, 1, "definition"],
  );
  assert.equal(p1.intervals.seconds, p1.summary!.ci);
  assert.deepEqual([p1.intervals.seconds!.lo, p1.intervals.seconds!.hi], [0.8, 1.2]);
  // t/t₀ over all pairs: 0.4167 … 0.9375; 3 and 2 repetitions reach 80 % at most
  const s = p2.intervals.speedup!;
  assert.equal(s.method, "mann-whitney");
  assertAlmostEquals(s.level, 0.8, 1e-12);
  assertAlmostEquals(s.lo, 1 / 0.9375, 1e-12);
  assertAlmostEquals(s.hi, 2.4, 1e-12);
  assert.equal(s.note, "3 and 2 repetitions give at most 80 %; 95 % needs more");
  const e = p2.intervals.efficiency!;
  assertAlmostEquals(e.lo, 1 / 0.9375 / 2, 1e-12);
  assertAlmostEquals(e.hi, 1.2, 1e-12);
  const kf = p2.intervals.karpFlatt!;
  assertAlmostEquals(kf.lo, 2 / 2.4 - 1, 1e-12);
  assertAlmostEquals(kf.hi, 2 * 0.9375 - 1, 1e-12);
  assert.ok(kf.lo <= p2.karpFlatt! && p2.karpFlatt! <= kf.hi);
  // rates 10/seconds: [min, max] of two values at 50 %
  assert.deepEqual([p2.intervals.rate!.lo, p2.intervals.rate!.hi], [10 / 0.75, 20]);
  assertAlmostEquals(p2.intervals.rate!.level, 0.5, 1e-12);
});

Deno.test("analyzeRun() weak mode: scaled speedup interval k·t₀/t, efficiency t₀/t", () => {
  const a = analyzeRun(source([
    o(1, 0, 1),
    o(1, 1, 1.01),
    o(1, 2, 0.99),
    o(1, 3, 1.02),
    o(2, 0, 1.25),
    o(2, 1, 1.26),
    o(2, 2, 1.24),
    o(2, 3, 1.27),
  ], "weak"));
  const p2 = a.ops[0].points[1];
  const sp = p2.intervals.speedup!, ef = p2.intervals.efficiency!;
  assertAlmostEquals(sp.lo, 2 * ef.lo, 1e-12);
  assertAlmostEquals(sp.hi, 2 * ef.hi, 1e-12);
  // every t₂/t₁ ratio lies in [1.24/1.02, 1.27/0.99]; 4 and 4 reach 97.1 %: k = 1
  assertAlmostEquals(ef.lo, 0.99 / 1.27, 1e-12);
  assertAlmostEquals(ef.hi, 1.02 / 1.24, 1e-12);
  assertAlmostEquals(ef.level, 1 - 2 / 70, 1e-12);
  assert.ok(ef.lo < p2.efficiency! && p2.efficiency! < ef.hi);
});

Deno.test("analyzeRun() in --format json: every interval with its level and method, fits with verdicts", () => {
  const reps = (c: number, t: number) =>
    [0.98, 1, 1.02, 0.99, 1.01, 1].map((f, i) => o(c, i, t * f));
  const a = analyzeRun(source([...reps(1, 1), ...reps(2, 0.6), ...reps(4, 0.4)]));
  const doc = JSON.parse(renderJson([a], []));
  const op = doc.runs[0].operations[0];
  const intervals = [
    ...op.points.flatMap((p: { ci: unknown; intervals: Record<string, unknown> }) => [
      p.ci,
      ...Object.values(p.intervals),
    ]),
    op.fits.amdahl.s.ci,
    op.fits.usl.sigma.ci,
    op.fits.usl.kappa.ci,
  ].filter((x) => x !== null);
  assert.equal(intervals.length, 3 * 6 + 3 - 1); // no Karp–Flatt interval at n₀
  for (const ci of intervals) {
    assert.ok(typeof ci.level === "number" && ci.level > 0 && ci.level <= 1, JSON.stringify(ci));
    assert.ok(typeof ci.method === "string" && ci.method.length > 0, JSON.stringify(ci));
  }
  for (const fit of [op.fits.amdahl, op.fits.usl]) {
    assert.ok(
      ["consistent", "lack-of-fit", "contradicted", "unchecked"].includes(fit.verdict.status),
    );
    assert.ok(fit.verdict.reason.length > 20, fit.verdict.reason);
  }
});
