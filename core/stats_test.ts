import { assert, assertAlmostEquals, assertEquals } from "./_assert.ts";
import { rng } from "./random.ts";
import {
  bootstrapMedianCI,
  mean,
  median,
  quantile,
  resampleMedian,
  std,
  summarize,
  tukeyOutliers,
} from "./stats.ts";

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

Deno.test("resampleMedian() equals the median of the same resample sorted", () => {
  const s = Float64Array.from([1, 2, 4, 8, 16, 32, 64]);
  const a = rng(7), b = rng(7);
  const counts = new Int32Array(s.length);
  for (let i = 0; i < 50; i++) {
    const fast = resampleMedian(s, (n) => a.int(0, n), counts);
    const drawn = Array.from({ length: s.length }, () => s[b.int(0, s.length)]);
    assertEquals(fast, median(drawn));
  }
  const even = Float64Array.from([1, 2, 3, 4]);
  const seq = [0, 3, 3, 1];
  let i = 0;
  // drawn values 1, 4, 4, 2 → median (2 + 4) / 2
  assertEquals(resampleMedian(even, () => seq[i++], counts), 3);
});

Deno.test("bootstrapMedianCI() is reproducible from its seed and exact on small cases", () => {
  const xs = [1.2, 0.9, 1.1, 1.0, 1.3, 0.95, 1.05];
  const a = bootstrapMedianCI(xs, { seed: 3 });
  assertEquals(a, bootstrapMedianCI(xs, { seed: 3 }));
  assert(a !== null && a[0] <= median(xs) && median(xs) <= a[1]);
  assert(a[0] >= 0.9 && a[1] <= 1.3);
  // two values: resample medians are 1, 2 or 3 with probabilities 1/4, 1/2, 1/4
  assertEquals(bootstrapMedianCI([1, 3]), [1, 3]);
  assertEquals(bootstrapMedianCI([2, 2, 2]), [2, 2]);
  assertEquals(bootstrapMedianCI([5]), null);
  assertEquals(bootstrapMedianCI([]), null);
});

Deno.test("bootstrapMedianCI() matches a straightforward resampling with the same generator", () => {
  const xs = [3, 1, 4, 1, 5, 9, 2, 6];
  const r = rng(11);
  const meds: number[] = [];
  for (let b = 0; b < 500; b++) {
    meds.push(median(Array.from(xs, () => [...xs].sort((p, q) => p - q)[r.int(0, xs.length)])));
  }
  assertEquals(
    bootstrapMedianCI(xs, { seed: 11, resamples: 500, level: 0.9 }),
    [quantile(meds, 0.05), quantile(meds, 0.95)],
  );
});

Deno.test("summarize() reports statistics, CV and the noisy flag", () => {
  const s = summarize([1, 2, 3, 4, 100]);
  assertEquals([s.n, s.min, s.median, s.mean, s.max], [5, 1, 3, 22, 100]);
  assertAlmostEquals(s.std, Math.sqrt(7610 / 4), 1e-9);
  assertAlmostEquals(s.cv, Math.sqrt(7610 / 4) / 22, 1e-12);
  assertEquals(s.noisy, true);
  assertEquals(s.outliers, [false, false, false, false, true]);
  assert(s.ci95 !== null);

  const quiet = summarize([1, 1.01, 0.99, 1.02], { noisyCv: 0.1 });
  assertEquals(quiet.noisy, false);
  assertEquals(summarize([1, 1.2], { noisyCv: 0.5 }).noisy, false);
  assertEquals(summarize([1, 1.2], { noisyCv: 0.1 }).noisy, true);

  const one = summarize([2]);
  assertEquals([one.n, one.median, one.std, one.cv, one.noisy, one.ci95], [
    1,
    2,
    0,
    0,
    false,
    null,
  ]);
});
