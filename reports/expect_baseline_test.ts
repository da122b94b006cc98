import assert from "node:assert/strict";
import { lognormal } from "../tests/calibration.ts";
import { amdahl, seeded, syntheticRun } from "../tests/expect_synthetic.ts";
import { compareWithBaseline } from "./expect_baseline.ts";

const OPS = { sum: amdahl(0.2, 0.1), sort: amdahl(0.5, 0.3) };
const CORES = [1, 2, 4];
// a run-to-run scatter like a shared machine's: 5 % log-normal
const NOISE = lognormal(0.05);

function run(random: ReturnType<typeof seeded>, factor = 1, reps = 5) {
  return syntheticRun({ ops: OPS, cores: CORES, reps, noise: NOISE, random, factor });
}

Deno.test("compareWithBaseline() flags a 30 % slower rerun at every point, with the ratio and its CI", () => {
  const random = seeded(11);
  const base = run(random);
  const slow = run(random, 1.3);
  const r = compareWithBaseline(base, slow, { dir: "results/base" });
  assert.equal(r.rows.length, 6);
  assert.equal(r.regressions, 6);
  for (const row of r.rows) {
    assert.equal(row.status, "fail");
    assert.equal(row.verdict, "slower");
    assert.ok(row.ci!.lo > 1 && row.ci!.hi > row.ci!.lo, JSON.stringify(row.ci));
    assert.ok(Math.abs(row.ratio - 1.3) < 0.15, String(row.ratio));
    assert.ok(row.bound!.lo > 1.1 && row.bound!.hi === Infinity);
    assert.equal(row.falseAlarmRate, 1 - row.bound!.level);
    assert.match(row.message, /^(sum|sort) at \d cores?: [\d.]+ s → [\d.]+ s, new\/base 1\.\d+ \[/);
    assert.match(row.message, /, slower; Slower than 1\.1× with 95\.24 % confidence/);
  }
  assert.deepEqual([r.maxRegression, r.level, r.unmatched, r.environment], [0.1, 0.95, [], []]);
});

Deno.test("compareWithBaseline() raises no false alarm over 20 unchanged reruns", () => {
  const random = seeded(12);
  const base = run(random);
  let alarms = 0, slower = 0, faster = 0, rows = 0;
  for (let i = 0; i < 20; i++) {
    const r = compareWithBaseline(base, run(random), { dir: "base" });
    rows += r.rows.length;
    alarms += r.regressions;
    slower += r.rows.filter((x) => x.verdict === "slower").length;
    faster += r.rows.filter((x) => x.verdict === "faster").length;
  }
  assert.equal(rows, 120);
  assert.equal(alarms, 0);
  // "slower" and "faster" (the two-sided interval excluding 1) happen at the stated rate, 3.17 %
  // each side with 5 and 5 repetitions: about 4 of 120, far below what a 30 % change gives
  assert.ok(slower + faster <= 12, `${slower} slower, ${faster} faster of 120`);
});

Deno.test("compareWithBaseline() raises false alarms at the documented rate at the threshold", () => {
  // the regression test's documented error rate: at most 1 − level when the true slowdown is at
  // most maxRegression, exactly that at it (one-sided bound, 5 and 5 repetitions: 1 − 0.9524)
  const random = seeded(13);
  const trials = 400;
  // six operations at one core count: 2400 comparisons, no fits to compute
  const ops = Object.fromEntries([1, 2, 3, 4, 5, 6].map((i) => [`op${i}`, () => 0.1 * i]));
  const one = (factor: number) =>
    syntheticRun({ ops, cores: [1], reps: 5, noise: NOISE, random, factor });
  let alarms = 0, stated = 0, rows = 0;
  for (let i = 0; i < trials; i++) {
    const r = compareWithBaseline(one(1), one(1.1), { dir: "base" });
    for (const row of r.rows) {
      rows++;
      stated += row.falseAlarmRate!;
      if (row.regressed) alarms++;
    }
  }
  const rate = alarms / rows, expected = stated / rows;
  assert.ok(Math.abs(expected - 0.0476) < 0.0001, String(expected));
  // 2400 comparisons: the binomial standard error is 0.0043; allow 3 of them
  assert.ok(Math.abs(rate - expected) < 0.013, `alarm rate ${rate} against ${expected}`);
  // just below the threshold it is lower, and far below it there is none
  let below = 0;
  for (let i = 0; i < trials; i++) {
    below += compareWithBaseline(one(1), one(1), { dir: "b" }).regressions;
  }
  assert.equal(below, 0);
});

Deno.test("compareWithBaseline() leaves too few repetitions untested and lists points of one run only", () => {
  const random = seeded(14);
  const base = syntheticRun({ ops: OPS, cores: [1, 2], reps: 2, noise: NOISE, random });
  const other = syntheticRun({ ops: OPS, cores: [2, 4], reps: 2, noise: NOISE, random, factor: 2 });
  const r = compareWithBaseline(base, other, {
    dir: "base",
    maxRegression: 0.05,
    environment: [{ field: "host", base: "a", run: "b" }],
  });
  assert.deepEqual(r.rows.map((x) => [x.op, x.cores, x.status, x.regressed]), [
    ["sum", 2, "untested", false],
    ["sort", 2, "untested", false],
  ]);
  assert.match(r.rows[0].message, /too few to show a regression with 95 % confidence$/);
  assert.deepEqual(r.unmatched, [
    { op: "sum", cores: 1, only: "baseline" },
    { op: "sort", cores: 1, only: "baseline" },
    { op: "sum", cores: 4, only: "run" },
    { op: "sort", cores: 4, only: "run" },
  ]);
  assert.deepEqual([r.maxRegression, r.environment], [0.05, [{
    field: "host",
    base: "a",
    run: "b",
  }]]);
});
