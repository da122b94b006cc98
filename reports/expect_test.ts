import assert from "node:assert/strict";
import { parseExpectation, type PlannedExpectation } from "../core/expect.ts";
import { pct } from "../core/stats_interval.ts";
import { lognormal } from "../tests/calibration.ts";
import { amdahl, seeded, syntheticRun } from "../tests/expect_synthetic.ts";
import { fmtInterval } from "./_format.ts";
import { judgeExpectations } from "./expect.ts";

const RUN = syntheticRun({
  ops: { a: amdahl(1, 0.5), b: amdahl(2, 0.1) },
  cores: [1, 2, 4],
  reps: 6,
  noise: lognormal(0.02),
  random: seeded(7),
  amount: 10,
  failing: ["b@4#0", "b@4#1", "b@4#2", "b@4#3", "b@4#4", "b@4#5"],
});

function planned(text: string, skipped: string | null = null): PlannedExpectation {
  return { ...parseExpectation(text), skipped };
}

function judge(text: string, strict = false) {
  return judgeExpectations(RUN, [planned(text)], { strict });
}

const A = RUN.ops.find((o) => o.op === "a")!;
const at = (cores: number) => A.points.find((p) => p.cores === cores)!;

Deno.test("judgeExpectations() passes and fails by the whole interval, with the numbers", () => {
  const p2 = at(2);
  assert.ok(Math.abs(p2.efficiency! - 2 / 3) < 0.03, String(p2.efficiency));
  const ci = p2.intervals.efficiency!;
  assert.equal(ci.method, "mann-whitney");
  const [pass] = judge("op:a efficiency>=0.5@2");
  assert.equal(pass.verdict, "pass");
  assert.equal(pass.failed, false);
  assert.deepEqual(pass.points, [{ cores: 2, value: p2.efficiency, ci, verdict: "pass", reps: 6 }]);
  const numbers = `${fmtInterval(p2.efficiency, ci)} (${pct(ci.level)} CI)`;
  assert.equal(pass.message, `Pass: efficiency of a ≥ 0.5: 2 cores ${numbers} entirely ≥ 0.5`);
  const [fail] = judge("op:a efficiency>=0.9@2");
  assert.equal(fail.verdict, "fail");
  assert.equal(fail.failed, true);
  assert.equal(fail.message, `Fail: efficiency of a ≥ 0.9: 2 cores ${numbers} entirely < 0.9`);
  assert.equal(fail.detail, `efficiency of a ≥ 0.9: 2 cores ${numbers} entirely < 0.9`);
  assert.equal(judge("op:a efficiency<0.9@2")[0].verdict, "pass");
  assert.equal(judge("op:a efficiency<=0.5@2")[0].verdict, "fail");
});

Deno.test("judgeExpectations() is inconclusive when the interval straddles the bound; strict fails it", () => {
  const p2 = at(2);
  const bound = Number(
    ((p2.intervals.efficiency!.lo + p2.intervals.efficiency!.hi) / 2).toFixed(4),
  );
  const [r] = judge(`op:a efficiency>=${bound}@2`);
  assert.equal(r.verdict, "inconclusive");
  assert.equal(r.failed, false);
  assert.match(r.message, new RegExp(`straddles ${bound} \\(--strict would fail it\\)$`));
  const [s] = judge(`op:a efficiency>=${bound}@2`, true);
  assert.deepEqual([s.verdict, s.failed], ["inconclusive", true]);
  assert.match(s.message, /\(--strict: failed\)$/);
});

Deno.test("judgeExpectations() judges every point of a range and every operation without op:", () => {
  const [range] = judge("op:a speedup>=1.2@2..4");
  assert.deepEqual(range.points.map((p) => [p.cores, p.verdict]), [[2, "pass"], [4, "pass"]]);
  assert.equal(range.verdict, "pass");
  // the reference point is in a range from 1: its speedup is 1 by definition
  const [from1] = judge("op:a speedup>=1.2@1..4");
  assert.deepEqual(from1.points.map((p) => [p.cores, p.verdict]), [[1, "fail"], [2, "pass"], [
    4,
    "pass",
  ]]);
  assert.equal(from1.verdict, "fail");
  assert.equal(from1.points[0].ci?.method, "definition");
  // b has no successful repetition at 4 cores: not measured there, so inconclusive
  const both = judge("speedup>=1.2@2..4");
  assert.deepEqual(both.map((r) => [r.judgedOp, r.verdict]), [["a", "pass"], [
    "b",
    "inconclusive",
  ]]);
  assert.deepEqual(both[1].points.map((p) => [p.cores, p.value === null, p.verdict]), [
    [2, false, "pass"],
    [4, true, "inconclusive"],
  ]);
  assert.match(both[1].message, /; 4 cores not measured \(--strict would fail it\)$/);
});

Deno.test("judgeExpectations() bounds seconds, rates and fitted parameters", () => {
  assert.equal(judge("op:a seconds<=0.8@2")[0].verdict, "pass");
  assert.equal(judge("op:a seconds<=0.7@2")[0].verdict, "fail");
  const [rate] = judge("op:a rate>=5@1");
  assert.equal(rate.verdict, "pass");
  assert.match(rate.message, /^Pass: median rate \(it\/s\) of a ≥ 5: 1 core /);
  const [s] = judge("op:a amdahl.s<=0.6");
  assert.equal(s.verdict, "pass");
  assert.deepEqual(
    { law: s.fit!.law, param: s.fit!.param, value: s.fit!.value },
    { law: "amdahl", param: "s", value: A.fits.amdahl!.s.value },
  );
  assert.ok(Math.abs(s.fit!.value! - 0.5) < 0.05);
  assert.equal(s.fit!.ci, A.fits.amdahl!.s.ci);
  assert.equal(judge("op:a amdahl.s<=0.3")[0].verdict, "fail");
  assert.match(judge("op:a amdahl.s<=0.3")[0].message, /^Fail: Amdahl's s of a ≤ 0\.3: 0\.\d+ \[/);
});

Deno.test("judgeExpectations() reports a skipped expectation and an operation with no data", () => {
  const [skip] = judgeExpectations(RUN, [
    planned("efficiency>=0.8@16", "is about 16 cores, which this run does not measure"),
  ]);
  assert.deepEqual([skip.verdict, skip.failed, skip.points], ["skipped", false, []]);
  assert.equal(
    skip.message,
    "Skipped: efficiency>=0.8@16 is about 16 cores, which this run does not measure",
  );
  const [none] = judge("op:c efficiency>=0.8@2");
  assert.deepEqual([none.verdict, none.failed], ["inconclusive", false]);
  assert.equal(
    none.message,
    "Inconclusive: op:c efficiency>=0.8@2: no measured repetition of operation c (--strict would fail it)",
  );
});
