import assert from "node:assert/strict";
import { compareSamples, kthPairDifference, ratioCI, regressionTest } from "./stats_compare.ts";
import { rng } from "./random.ts";

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} differs from ${b}`);

const A = [1.0, 1.01, 0.99, 1.02, 0.98];
const B = [1.5, 1.52, 1.47, 1.55, 1.49];

Deno.test("kthPairDifference() agrees with sorting all differences, small and large", () => {
  const r = rng(4);
  for (const [m, n] of [[3, 4], [400, 300]]) {
    const a = Float64Array.from({ length: m }, () => r()).sort();
    const b = Float64Array.from({ length: n }, () => r() + 0.1).sort();
    const all = Float64Array.from({ length: m * n }, (_, i) => b[i % n] - a[Math.floor(i / n)])
      .sort();
    for (const k of [1, 7, Math.floor((m * n) / 2), m * n]) {
      close(kthPairDifference({ a, b }, k), all[k - 1], 1e-12);
    }
  }
});

Deno.test("ratioCI() uses the Mann–Whitney order statistics of the pairwise ratios", () => {
  // 5 and 5: k = 3 (P(U ≤ 2) = 4/252 ≤ 0.025 < P(U ≤ 3)); level 1 − 8/252
  const ci = ratioCI(A, B)!;
  close(ci.lo, 1.4607843137254903);
  close(ci.hi, 1.5510204081632653);
  close(ci.level, 1 - 8 / 252);
  assert.equal(ci.method, "mann-whitney");
  assert.equal(ci.note, null);
  // one-sided lower bound at 95 %: k = 5 (P(U ≤ 4) = 12/252)
  const lower = ratioCI(A, B, { sides: "lower" })!;
  close(lower.lo, 1.4705882352941178);
  assert.equal(lower.hi, Infinity);
  close(lower.level, 1 - 12 / 252);
});

Deno.test("ratioCI() with too few repetitions gives the widest interval and says so", () => {
  const ci = ratioCI([1, 2, 4], [2, 4, 8])!;
  // ratios 0.5 1 1 2 2 2 4 4 8: [min, max] at 1 − 2/20
  close(ci.lo, 0.5);
  close(ci.hi, 8);
  close(ci.level, 0.9);
  assert.equal(ci.note, "3 and 3 repetitions give at most 90 %; 95 % needs more");
  assert.equal(ratioCI([1], [2]), null);
  assert.equal(ratioCI([], [2, 3]), null);
});

Deno.test("compareSamples() calls slower, faster or indistinguishable and states its error rate", () => {
  const slower = compareSamples(A, B);
  assert.equal(slower.verdict, "slower");
  close(slower.ratio, 1.5);
  close(slower.falsePositiveRate!, 8 / 252);
  assert.equal(slower.reason, "Slower: ratio 1.5, 96.83 % CI 1.46–1.55 excludes 1");
  assert.equal(compareSamples(B, A).verdict, "faster");
  const same = compareSamples(A, A.map((x) => x * 1.001));
  assert.equal(same.verdict, "indistinguishable");
  assert.match(same.reason, /^Indistinguishable: ratio 1, 96.83 % CI 0\.9.*contains 1$/);
  const one = compareSamples([1], [1.2]);
  assert.deepEqual([one.verdict, one.ci, one.falsePositiveRate], ["untested", null, null]);
  assert.equal(one.reason, "Ratio 1.2 from 1 and 1 repetitions: too few for a test");
});

Deno.test("regressionTest() flags a slowdown beyond the threshold only with confidence", () => {
  const r = regressionTest(A, B, { maxRegression: 0.1 });
  assert.equal(r.regressed, true);
  close(r.falseAlarmRate!, 12 / 252);
  assert.equal(r.reason, "Slower than 1.1× with 95.24 % confidence: ratio 1.5, at least 1.47");
  // 50 % slower but the threshold is 50 %: not shown
  assert.equal(regressionTest(A, B, { maxRegression: 0.5 }).regressed, false);
  // 3 against 3 reaches exactly 95 % one-sided: every new time above 1.1 × every old one
  assert.equal(regressionTest([1, 1.01, 1.02], [1.13, 1.14, 1.15]).regressed, true);
  assert.equal(regressionTest([1, 1.01, 1.02], [1.11, 1.14, 1.15]).regressed, false);
  // 2 against 2 reach 83.3 % one-sided at most: never a regression at 95 %
  const few = regressionTest([1, 1.01], [2, 2.1]);
  assert.deepEqual([few.regressed, few.falseAlarmRate], [false, null]);
  assert.equal(
    few.reason,
    "Ratio 2.04: 2 and 2 repetitions are too few to show a regression with 95 % confidence",
  );
});
