import assert from "node:assert/strict";
import { fitLogShape, logPoints, type LogShapeLaw, minimize1d } from "./stats_fit.ts";

const close = (a: number, b: number, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} differs from ${b}`);

// log times y at x with repetitions; reference values from scipy.stats.linregress
const REPS: Record<number, number[]> = {
  1: [0.1, 0.2],
  2: [0.5],
  3: [0.9, 1.1, 1.0],
  4: [1.2],
  5: [1.8, 1.6],
};
const DATA = logPoints(
  Object.entries(REPS).map(([x, ys]) => ({ x: Number(x), values: ys.map(Math.exp) })),
);
/** y = θ + b·x: a linear model, where the profile interval is the textbook t interval */
const LINEAR: LogShapeLaw = {
  names: ["b"],
  logShape: (x, [b]) => b * x,
  bounds: [[-10, 10]],
  outer: [[-20, 20]],
};

Deno.test("logPoints() groups log times by point with the within-point sum of squares", () => {
  assert.deepEqual(DATA.x, [1, 2, 3, 4, 5]);
  assert.deepEqual(DATA.count, [2, 1, 3, 1, 2]);
  close(DATA.mean[2], 1.0, 1e-12);
  close(DATA.ssWithin, 0.045, 1e-12);
  assert.equal(DATA.total, 9);
  assert.equal(logPoints([{ x: 1, values: [0, -1, NaN] }]).total, 0);
});

Deno.test("minimize1d() finds interior and boundary minima", () => {
  close(minimize1d((x) => (x - 0.3) ** 2, { lo: 0, hi: 1 }).x, 0.3, 1e-8);
  close(minimize1d((x) => (x - 3) ** 2, { lo: 0, hi: 1 }).x, 1, 1e-8);
  close(minimize1d((x) => x, { lo: 0, hi: 1 }).x, 0, 1e-8);
});

Deno.test("fitLogShape() on a linear law reproduces least squares, its t interval and F tests", () => {
  const f = fitLogShape(DATA, LINEAR)!;
  close(f.params[0], 0.38333333333333336);
  close(f.logScale, -0.21666666666666679);
  assert.equal(f.df, 7);
  close(f.intervals[0]!.lo, 0.3256424088569128, 1e-8);
  close(f.intervals[0]!.hi, 0.4410242578097539, 1e-8);
  assert.deepEqual([f.intervals[0]!.level, f.intervals[0]!.method], [0.95, "profile-likelihood"]);
  close(f.se[0]!, 0.024397501823713336, 1e-8);
  close(f.rss, 0.075, 1e-12);
  assert.deepEqual([f.lackOfFit!.df1, f.lackOfFit!.df2], [3, 4]);
  close(f.lackOfFit!.f, 0.8888888888888885, 1e-9);
  close(f.lackOfFit!.p, 0.5193337956544066, 1e-9);
  close(f.aicc!, -32.287425685038414, 1e-9);
  assert.equal(f.beyond, null);
});

Deno.test("fitLogShape() holds a bounded estimate and tests the data beyond the bound", () => {
  const law = { ...LINEAR, bounds: [[-10, 0.2]] as [number, number][] };
  const f = fitLogShape(DATA, law)!;
  assert.equal(f.params[0], 0.2);
  // the whole interval lies beyond the bound: the bound alone, with a note
  assert.deepEqual([f.intervals[0]!.lo, f.intervals[0]!.hi], [0.2, 0.2]);
  assert.equal(f.intervals[0]!.note, "Every value the data allow lies beyond the bound 0.2");
  assert.equal(f.se[0], null);
  assert.deepEqual(f.beyond!.params, [0]);
  close(f.beyond!.values[0], 0.38333333333333336, 1e-8);
  // F = Sxx·(0.2 − b̂)² / (RSS/7), against F(1, 7)
  close(f.beyond!.f!, 56.46666666666668, 1e-6);
  close(f.beyond!.p!, 0.00013564826401052922, 1e-9);
  // a bound inside the interval clips it
  const clipped = fitLogShape(DATA, { ...LINEAR, bounds: [[-10, 0.4]] })!;
  close(clipped.params[0], 0.38333333333333336);
  assert.equal(clipped.intervals[0]!.hi, 0.4);
  assert.equal(clipped.beyond, null);
  close(clipped.intervals[0]!.lo, 0.3256424088569128, 1e-8);
});

Deno.test("fitLogShape() without spare degrees of freedom gives no interval", () => {
  const two = logPoints([{ x: 1, values: [1] }, { x: 2, values: [2] }]);
  const f = fitLogShape(two, LINEAR)!;
  close(f.params[0], Math.log(2));
  assert.deepEqual([f.df, f.intervals, f.lackOfFit, f.aicc], [0, [null], null, null]);
  assert.equal(fitLogShape(logPoints([{ x: 1, values: [1, 2] }]), LINEAR), null);
});
