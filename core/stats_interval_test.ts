import assert from "node:assert/strict";
import {
  judgeBound,
  mapInterval,
  medianCI,
  minRepsForLevel,
  orderStatLevel,
  pct,
} from "./stats_interval.ts";

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} differs from ${b}`);

Deno.test("orderStatLevel() is the binomial coverage of [x₍ₖ₎, x₍ₙ₋ₖ₊₁₎]", () => {
  close(orderStatLevel(4, 1), 0.875);
  close(orderStatLevel(10, 2), 1 - 22 / 1024); // 97.85 %
  close(orderStatLevel(6, 1), 1 - 2 / 64);
  assert.equal(minRepsForLevel(0.95), 6);
  assert.equal(minRepsForLevel(0.99), 8);
  assert.equal(pct(0.978515625), "97.85 %");
  assert.equal(pct(0.9375), "93.75 %");
  assert.equal(pct(0.95), "95 %");
});

Deno.test("medianCI() below 6 values is [min, max] with its exact level and a note", () => {
  const ci = medianCI([3, 1, 2, 4])!;
  assert.deepEqual([ci.lo, ci.hi, ci.method], [1, 4, "order-statistics"]);
  close(ci.level, 0.875);
  assert.equal(ci.note, "4 repetitions give at most 87.5 % (min to max); 95 % needs 6");
  close(medianCI([2, 1])!.level, 0.5);
  assert.equal(medianCI([5]), null);
  assert.equal(medianCI([]), null);
});

Deno.test("medianCI() exact: n = 10 gives [x₂, x₉] at 97.85 %", () => {
  const xs = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
  const ci = medianCI(xs, { method: "exact" })!;
  assert.deepEqual([ci.lo, ci.hi, ci.method, ci.note], [2, 9, "order-statistics", null]);
  close(ci.level, 1 - 22 / 1024);
});

Deno.test("medianCI() interpolates to exactly 95 % between neighbouring order statistics", () => {
  const xs = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
  const ci = medianCI(xs)!;
  // k = 2: γ₂ = 0.97852, γ₃ = 0.89062; I = (γ₂ − .95)/(γ₂ − γ₃); λ = (n − k)I/(k + (n − 2k)I)
  const g2 = 1 - 22 / 1024, g3 = 1 - 112 / 1024, I = (g2 - 0.95) / (g2 - g3);
  const lambda = (8 * I) / (2 + 6 * I);
  assert.equal(ci.method, "hettmansperger-sheather");
  assert.equal(ci.level, 0.95);
  close(ci.lo, 2 + lambda);
  close(ci.hi, 9 - lambda);
  // level 0.99 at n = 10 uses k = 1..2
  const wide = medianCI(xs, { level: 0.99 })!;
  assert.ok(wide.lo < ci.lo && wide.hi > ci.hi);
});

Deno.test("judgeBound() passes, fails or is inconclusive from the interval", () => {
  const ci = { lo: 0.82, hi: 0.9, level: 0.95, method: "mann-whitney" as const, note: null };
  assert.equal(judgeBound(ci, { op: ">=", bound: 0.8 }), "pass");
  assert.equal(judgeBound(ci, { op: ">=", bound: 0.85 }), "inconclusive");
  assert.equal(judgeBound(ci, { op: ">=", bound: 0.95 }), "fail");
  assert.equal(judgeBound(ci, { op: "<", bound: 0.82 }), "fail");
  assert.equal(judgeBound(ci, { op: "<=", bound: 0.9 }), "pass");
  assert.equal(judgeBound(ci, { op: ">", bound: 0.82 }), "inconclusive");
  assert.equal(judgeBound(null, { op: ">=", bound: 0 }), "inconclusive");
});

Deno.test("mapInterval() keeps level and method and swaps ends for a decreasing map", () => {
  const ci = { lo: 2, hi: 4, level: 0.9, method: "mann-whitney" as const, note: null };
  assert.deepEqual(mapInterval(ci, (x) => 1 / x, { decreasing: true }), {
    ...ci,
    lo: 0.25,
    hi: 0.5,
  });
  assert.deepEqual(mapInterval(ci, (x) => 2 * x), { ...ci, lo: 4, hi: 8 });
});
