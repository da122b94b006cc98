import assert from "node:assert/strict";
import {
  amdahlTime,
  fitAmdahl,
  fitGustafson,
  fitScaling,
  fitUsl,
  gustafsonSpeedup,
  karpFlatt,
  type RepPoint,
  uslCapacity,
} from "./fits.ts";

const close = (a: number, b: number, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} differs from ${b}`);

const NS = [1, 2, 4, 8, 16];
const amdahl = (n: number, s = 0.2, t1 = 1) => t1 * (s + (1 - s) / n);
/** Repetitions around t: symmetric in log, so their geometric mean is t exactly */
const SYM = [1, 1.02, 1 / 1.02, 1.01, 1 / 1.01];
/** Repetitions around t that are not symmetric (a fixed, seed-free "noise") */
const SKEW = [1, 1.013, 0.991, 1.004, 0.997];

function points(ns: number[], t: (n: number) => number, reps = SYM): RepPoint[] {
  return ns.map((n) => ({ cores: n, seconds: reps.map((f) => t(n) * f), median: t(n) }));
}

Deno.test("fitAmdahl() recovers s = 0.2 with a profile interval and a consistent verdict", () => {
  const fit = fitAmdahl(points(NS, (n) => amdahl(n)))!;
  close(fit.s.value, 0.2);
  close(fit.a, 0.2);
  close(fit.b, 0.8);
  close(amdahlTime(fit, 32), 0.225);
  const ci = fit.s.ci!;
  assert.ok(ci.lo < 0.2 && 0.2 < ci.hi && ci.hi - ci.lo < 0.01, `${ci.lo}..${ci.hi}`);
  assert.deepEqual([ci.level, ci.method, ci.note], [0.95, "profile-likelihood", null]);
  assert.deepEqual([fit.relativeTo, fit.df], [1, 23]);
  assert.equal(fit.verdict.status, "consistent");
  assert.equal(
    fit.verdict.reason,
    "The times follow Amdahl's law within the repetitions' scatter (largest departure 0 %, " +
      "lack-of-fit p = 1)",
  );
  close(fit.residuals[2].fitted, amdahl(4));
  close(fit.residuals[2].deviation, 0);
});

Deno.test("fitAmdahl() with one repetition per point keeps the method: Student-t on residuals", () => {
  const fit = fitAmdahl(points(NS, (n) => amdahl(n) * SKEW[n % 5], [1]))!;
  assert.equal(fit.df, 3);
  assert.equal(fit.s.ci!.method, "profile-likelihood");
  assert.equal(
    fit.s.ci!.note,
    "From the residuals alone (one repetition per point): assumes the law holds",
  );
  assert.ok(fit.s.ci!.lo < 0.2 && 0.2 < fit.s.ci!.hi);
  assert.equal(fit.verdict.status, "unchecked");
  assert.match(fit.verdict.reason, /^No repetitions to check Amdahl's law against/);
});

Deno.test("fitAmdahl() on two single points is exact, without interval or check", () => {
  const fit = fitAmdahl(points([1, 2], (n) => 3 * amdahl(n), [1]))!;
  close(fit.s.value, 0.2);
  assert.deepEqual([fit.s.ci, fit.s.se, fit.df], [null, null, 0]);
  assert.equal(fit.verdict.status, "unchecked");
  assert.equal(
    fit.verdict.reason,
    "Exactly determined: 2 core counts for 2 parameters, so Amdahl's law cannot be checked",
  );
  assert.equal(fitAmdahl(points([4], () => 1)), null);
});

Deno.test("fitAmdahl() holds s in [0, 1] and says when the data contradict the law", () => {
  // 2 cores 10 % slower than 1
  const slower = fitAmdahl(points([1, 2], (n) => (n === 1 ? 1 : 1.1), SKEW))!;
  assert.equal(slower.s.value, 1);
  assert.deepEqual([slower.s.ci!.lo, slower.s.ci!.hi], [1, 1]);
  assert.equal(slower.verdict.status, "contradicted");
  assert.match(slower.verdict.reason, /^Slower with more cores, which Amdahl's law cannot/);
  assert.equal(slower.verdict.bound!.param, "s");
  assert.ok(slower.verdict.bound!.beyond > 1.1);
  // logarithmic slowdown
  const log = fitAmdahl(points(NS, (n) => 1 + 0.1 * Math.log2(n), SKEW))!;
  assert.deepEqual([log.s.value, log.verdict.status], [1, "contradicted"]);
  // superlinear speedup
  const sup = fitAmdahl(points(NS, (n) => 1 / n ** 1.03, SKEW))!;
  assert.deepEqual([sup.s.value, sup.verdict.status], [0, "contradicted"]);
  assert.match(sup.verdict.reason, /^Faster than linear speedup, which Amdahl's law/);
});

const usl = (n: number, s = 0.05, k = 0.02) => (1 + s * (n - 1) + k * n * (n - 1)) / n;

Deno.test("fitScaling() on USL data with a peak at 6.9 cores rejects Amdahl and finds the peak", () => {
  const f = fitScaling(points(NS, (n) => usl(n), SKEW), { mode: "strong" });
  assert.equal(f.amdahl!.verdict.status, "lack-of-fit");
  assert.equal(
    f.amdahl!.verdict.reason,
    "The times depart from Amdahl's law by up to 28.86 %, more than the repetitions scatter " +
      "(lack-of-fit F = 3700, p < 0.0001)",
  );
  assert.equal(f.usl!.verdict.status, "consistent");
  close(f.usl!.sigma.value, 0.05, 0.01);
  close(f.usl!.kappa.value, 0.02, 0.001);
  close(f.usl!.peakCores!, Math.sqrt(0.95 / 0.02), 0.3);
  assert.equal(f.usl!.peakExtrapolated, false);
  assert.equal(f.usl!.peakNote, "Peak at 6.89 cores, within the measured 1–16");
  assert.equal(f.preferred, "usl");
  assert.equal(f.comparison, "AICc prefers the USL (-236 against -80.6 for Amdahl's law)");
  assert.deepEqual([f.method, f.level, f.n0], ["profile-likelihood", 0.95, 1]);
});

Deno.test("fitUsl() recovers σ and κ, flags an extrapolated peak and explains a missing one", () => {
  const ns = [1, 2, 4, 8, 16, 32, 64];
  const fit = fitUsl(points(ns, (n) => 10 * usl(n, 0.05, 0.001)), "strong")!;
  close(fit.sigma.value, 0.05, 1e-6);
  close(fit.kappa.value, 0.001, 1e-7);
  close(fit.peakCores!, Math.sqrt(0.95 / 0.001), 1e-3);
  assert.equal(fit.peakExtrapolated, false);
  close(uslCapacity(fit, 16), 1 / usl(16, 0.05, 0.001), 1e-6);
  // the same law measured up to 16 cores only: the peak at 30.8 is extrapolated
  const short = fitUsl(points(NS, (n) => 10 * usl(n, 0.05, 0.001)), "strong")!;
  assert.equal(short.peakExtrapolated, true);
  assert.match(short.peakNote, /^Peak at 30\.8 cores, outside the measured 1–16: extrapolated$/);
  // weak mode: capacity N·t₀/t
  const weak = fitUsl(points(ns, (n) => 10 * n * usl(n, 0.05, 0.001)), "weak")!;
  close(weak.sigma.value, 0.05, 1e-6);
  close(weak.kappa.value, 0.001, 1e-7);
  // Amdahl data: κ = 0, no peak
  const am = fitUsl(points(NS, (n) => amdahl(n)), "strong")!;
  close(am.sigma.value, 0.2, 1e-6);
  assert.equal(am.kappa.value, 0);
  assert.equal(am.peakCores, null);
  assert.equal(am.peakNote, "No peak: κ = 0 (no coherency delay), the capacity keeps rising");
  // slower from the first step: σ ≥ 1
  const down = fitUsl(points(NS, (n) => 1 + 0.1 * Math.log2(n), SKEW), "strong")!;
  assert.ok(down.sigma.value >= 1);
  assert.equal(down.peakNote, "No peak: σ ≥ 1, the capacity falls from 1 core on");
  assert.equal(fitUsl(points([1, 2], (n) => amdahl(n)), "strong"), null);
});

Deno.test("fitUsl() on exactly 3 core counts: an interval from the repetitions, no check", () => {
  const f = fitUsl(points([1, 2, 4], (n) => usl(n), SKEW), "strong")!;
  assert.ok(f.sigma.ci !== null && f.kappa.ci !== null);
  assert.equal(f.verdict.status, "unchecked");
  assert.equal(
    f.verdict.reason,
    "Exactly determined: 3 core counts for 3 parameters, so the USL cannot be checked",
  );
  const single = fitUsl(points([1, 2, 4], (n) => usl(n), [1]), "strong")!;
  assert.deepEqual([single.sigma.ci, single.kappa.ci, single.df], [null, null, 0]);
});

Deno.test("fitGustafson() recovers s′ from Gustafson times t(k) = t₀·k / (k − s′(k − 1))", () => {
  const s = 0.15, time = (k: number) => (100 * k) / (k - s * (k - 1));
  const fit = fitGustafson(points(NS, time))!;
  close(fit.s.value, s, 1e-9);
  close(gustafsonSpeedup(fit, 8), 8 - s * 7, 1e-8);
  assert.deepEqual([fit.n0, fit.relativeTo, fit.verdict.status], [1, 1, "consistent"]);
  close(fit.t0, 100, 1e-6);
  const from2 = fitGustafson(points([2, 4, 8], (n) => time(n / 2)))!;
  close(from2.s.value, s, 1e-9);
  assert.deepEqual([from2.n0, from2.relativeTo], [2, 2]);
  assert.equal(fitGustafson(points([2], () => 1)), null);
});

Deno.test("fitScaling() in weak mode prefers the USL for times growing linearly", () => {
  const f = fitScaling(points(NS, (k) => 1 + 0.05 * (k - 1), SKEW), { mode: "weak" });
  assert.equal(f.amdahl, null);
  assert.equal(f.gustafson!.verdict.status, "lack-of-fit");
  assert.equal(f.usl!.verdict.status, "consistent");
  assert.equal(f.preferred, "usl");
});

Deno.test("karpFlatt() gives the serial fraction at every point of an Amdahl curve", () => {
  const kf = karpFlatt(NS, { times: NS.map((n) => amdahl(n, 0.2, 5)), mode: "strong" });
  assert.deepEqual(kf[0], { cores: 1, e: null });
  for (const p of kf.slice(1)) close(p.e!, 0.2, 1e-12);
  assert.deepEqual(
    karpFlatt([1, 2, 4], { times: [1, 1, 1], mode: "weak" }).map((p) => p.e),
    [null, 0, 0],
  );
});

Deno.test("fitScaling() with one point has nothing to fit and says how intervals were made", () => {
  const f = fitScaling([{ cores: 4, seconds: [1, 2], median: 1.5 }], { mode: "strong" });
  assert.deepEqual([f.amdahl, f.usl, f.method, f.preferred, f.comparison], [
    null,
    null,
    "none",
    null,
    null,
  ]);
  // imported summaries (no repetitions) are fitted from their medians
  const imported = fitScaling(
    NS.map((n) => ({ cores: n, seconds: [], median: amdahl(n) })),
    { mode: "strong" },
  );
  close(imported.amdahl!.s.value, 0.2, 1e-9);
});
