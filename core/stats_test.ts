import { assert, assertAlmostEquals, assertEquals } from "./_assert.ts";
import { mean, median, quantile, std, summarize, tukeyOutliers } from "./stats.ts";

Deno.test("median() of odd, even, unsorted and empty lists", () => {
  assertEquals(median([3, 1, 2]), 2);
  assertEquals(median([4, 1, 3, 2]), 2.5);
  assertEquals(median([7]), 7);
  assert(Number.isNaN(median([])));
});

Deno.test("mean() and std() use the sample (n − 1) deviation", () => {
  assertEquals(mean([1, 2, 3, 4]), 2.5);
  assertAlmostEquals(std([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7), 1e-12);
  assertEquals(std([5]), 0);
  assertEquals(std([]), 0);
  assert(Number.isNaN(mean([])));
});

Deno.test("quantile() interpolates linearly like numpy", () => {
  const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assertAlmostEquals(quantile(xs, 0.25), 3.25, 1e-12);
  assertAlmostEquals(quantile(xs, 0.75), 7.75, 1e-12);
  assertAlmostEquals(quantile(xs, 0.9), 9.1, 1e-12);
  assertEquals(quantile(xs, 0), 1);
  assertEquals(quantile(xs, 1), 10);
  assertEquals(quantile([10, 0], 0.3), 3);
});

Deno.test("tukeyOutliers() flags values outside the 1.5·IQR fences", () => {
  // Q1 = 2.25, Q3 = 4.75, IQR = 2.5 → fences [-1.5, 8.5]
  assertEquals(tukeyOutliers([1, 2, 3, 4, 5, 100]), [false, false, false, false, false, true]);
  // Q1 = 1.25, Q3 = 3.75 → fences [-2.5, 7.5]
  assertEquals(tukeyOutliers([-2.5, 1, 2, 3, 4, 7.5]), [false, false, false, false, false, false]);
  assertEquals(tukeyOutliers([-10, 1, 2, 3, 4, 5]), [true, false, false, false, false, false]);
  assertEquals(tukeyOutliers([1, 1, 1]), [false, false, false]);
  assertEquals(tukeyOutliers([]), []);
});

Deno.test("summarize() reports statistics, CV and the noisy flag", () => {
  const s = summarize([1, 2, 3, 4, 100]);
  assertEquals([s.n, s.min, s.median, s.mean, s.max], [5, 1, 3, 22, 100]);
  assertAlmostEquals(s.std, Math.sqrt(7610 / 4), 1e-9);
  assertAlmostEquals(s.cv, Math.sqrt(7610 / 4) / 22, 1e-12);
  assertEquals(s.noisy, true);
  assertEquals(s.outliers, [false, false, false, false, true]);
  // five values: [min, max] at 1 − 2⁻⁴ = 93.75 %, and a note that 95 % needs six
  assertEquals([s.ci!.lo, s.ci!.hi, s.ci!.method], [1, 100, "order-statistics"]);
  assertAlmostEquals(s.ci!.level, 0.9375, 1e-12);
  assert(s.ci!.note !== null);
  const six = summarize([6, 5, 4, 3, 2, 1]).ci!;
  assertEquals([six.level, six.method], [0.95, "hettmansperger-sheather"]);

  const quiet = summarize([1, 1.01, 0.99, 1.02], { noisyCv: 0.1 });
  assertEquals(quiet.noisy, false);
  assertEquals(summarize([1, 1.2], { noisyCv: 0.5 }).noisy, false);
  assertEquals(summarize([1, 1.2], { noisyCv: 0.1 }).noisy, true);

  const one = summarize([2]);
  assertEquals([one.n, one.median, one.std, one.cv, one.noisy, one.ci], [
    1,
    2,
    0,
    0,
    false,
    null,
  ]);
});
