import { assert, assertAlmostEquals, assertEquals } from "../core/_assert.ts";
import {
  amdahlTime,
  fitAmdahl,
  fitGustafson,
  fitScaling,
  fitUsl,
  gustafsonSpeedup,
  karpFlatt,
  uslCapacity,
} from "./fits.ts";

const NS = [1, 2, 4, 8, 16];
const amdahl = (n: number, s = 0.2, t1 = 1) => t1 * (s + (1 - s) / n);

Deno.test("fitAmdahl() recovers s = 0.2 exactly from t(n) = 0.2 + 0.8/n", () => {
  const fit = fitAmdahl(NS, NS.map((n) => amdahl(n)))!;
  assertAlmostEquals(fit.s.value, 0.2, 1e-9);
  assertAlmostEquals(fit.a, 0.2, 1e-9);
  assertAlmostEquals(fit.b, 0.8, 1e-9);
  assertAlmostEquals(fit.s.se!, 0, 1e-9);
  assertAlmostEquals(amdahlTime(fit, 32), 0.225, 1e-9);
});

Deno.test("fitAmdahl() solves two points exactly and has no least-squares error then", () => {
  const fit = fitAmdahl([1, 2], [3 * amdahl(1), 3 * amdahl(2)])!;
  assertAlmostEquals(fit.s.value, 0.2, 1e-12);
  assertEquals(fit.s.se, null);
  assertEquals(fitAmdahl([4, 4], [1, 1]), null);
  assertEquals(fitAmdahl([1], [1]), null);
});

Deno.test("fitAmdahl() reports a positive standard error for noisy data", () => {
  const ts = NS.map((n, i) => amdahl(n, 0.1) * (1 + (i % 2 ? 0.02 : -0.02)));
  const fit = fitAmdahl(NS, ts)!;
  assert(fit.s.se! > 0 && fit.s.se! < 0.05, `se ${fit.s.se}`);
  assert(Math.abs(fit.s.value - 0.1) < 0.03);
  assert(fit.s.ci![0] < fit.s.value && fit.s.value < fit.s.ci![1]);
});

Deno.test("fitGustafson() recovers the scaled serial fraction from weak-scaling times", () => {
  // scaled speedup S(k) = k − 0.2(k − 1) = k·t₀/t(k)  ⇒  t(k) = t₀·k / (k − 0.2(k − 1))
  const t = (n: number, n0: number) => (2 * (n / n0)) / (n / n0 - 0.2 * (n / n0 - 1));
  const fit = fitGustafson(NS, NS.map((n) => t(n, 1)))!;
  assertAlmostEquals(fit.s.value, 0.2, 1e-9);
  assertAlmostEquals(fit.s.se!, 0, 1e-9);
  assertAlmostEquals(gustafsonSpeedup(fit, 8), 8 - 0.2 * 7, 1e-9);
  const from2 = fitGustafson([2, 4, 8], [2, 4, 8].map((n) => t(n, 2)))!;
  assertAlmostEquals(from2.s.value, 0.2, 1e-9);
  assertEquals(from2.n0, 2);
  assertEquals(fitGustafson([2], [1]), null);
});

Deno.test("karpFlatt() gives the serial fraction at every point of an Amdahl curve", () => {
  const kf = karpFlatt(NS, NS.map((n) => amdahl(n, 0.2, 5)), "strong");
  assertEquals(kf[0], { cores: 1, e: null });
  for (const p of kf.slice(1)) assertAlmostEquals(p.e!, 0.2, 1e-12);
  // weak: scaled speedup k·t₀/t; perfectly flat times → e = 0
  const weak = karpFlatt([1, 2, 4], [1, 1, 1], "weak");
  assertEquals(weak.map((p) => p.e), [null, 0, 0]);
});

Deno.test("fitUsl() recovers σ and κ and predicts the peak N* = √((1 − σ)/κ)", () => {
  const sigma = 0.05, kappa = 0.001;
  const C = (n: number) => n / (1 + sigma * (n - 1) + kappa * n * (n - 1));
  const ns = [1, 2, 4, 8, 16, 32, 64];
  const fit = fitUsl(ns, ns.map((n) => 10 / C(n)), "strong")!;
  assertAlmostEquals(fit.sigma.value, 0.05, 1e-9);
  assertAlmostEquals(fit.kappa.value, 0.001, 1e-9);
  assertAlmostEquals(fit.peakCores!, Math.sqrt(0.95 / 0.001), 1e-6);
  assertAlmostEquals(fit.peakCapacity!, C(Math.sqrt(0.95 / 0.001)), 1e-9);
  assertAlmostEquals(uslCapacity(fit, 16), C(16), 1e-9);
  // weak mode: capacity is the scaled speedup N·t₀/t(N)
  const weak = fitUsl(ns, ns.map((n) => (10 * n) / C(n)), "weak")!;
  assertAlmostEquals(weak.sigma.value, 0.05, 1e-9);
  assertAlmostEquals(weak.kappa.value, 0.001, 1e-9);
  // Amdahl data: κ = 0, σ = s, no peak
  const am = fitUsl(NS, NS.map((n) => amdahl(n)), "strong")!;
  assertAlmostEquals(am.sigma.value, 0.2, 1e-9);
  assertAlmostEquals(am.kappa.value, 0, 1e-9);
  assertEquals(fitUsl([1, 2], [1, 0.6], "strong"), null);
});

Deno.test("fitScaling() bootstraps over repetitions reproducibly", () => {
  const noise = [0.97, 1.0, 1.03, 0.99, 1.01];
  const points = [1, 2, 4].map((n) => {
    const seconds = noise.map((f) => amdahl(n) * f);
    return { cores: n, seconds, median: amdahl(n) };
  });
  const a = fitScaling(points, { mode: "strong", seed: 3, resamples: 300 });
  const b = fitScaling(points, { mode: "strong", seed: 3, resamples: 300 });
  assertEquals(a, b);
  assertEquals(a.method, "bootstrap");
  assertEquals(a.resamples, 300);
  assertAlmostEquals(a.amdahl!.s.value, 0.2, 1e-9);
  assert(a.amdahl!.s.se! > 0);
  assert(a.amdahl!.s.ci![0] < 0.2 && 0.2 < a.amdahl!.s.ci![1]);
  assertEquals(a.gustafson, null);
  assert(a.usl !== null);
  assertEquals(a.karpFlatt.length, 3);
});

Deno.test("fitScaling() falls back to least squares with one repetition per point", () => {
  const points = NS.map((n) => ({ cores: n, seconds: [amdahl(n)], median: amdahl(n) }));
  const f = fitScaling(points, { mode: "weak" });
  assertEquals(f.method, "least-squares");
  assertEquals(f.amdahl, null);
  assert(f.gustafson !== null);
  const single = fitScaling([{ cores: 4, seconds: [1, 2], median: 1.5 }], { mode: "strong" });
  assertEquals([single.amdahl, single.usl, single.method], [null, null, "none"]);
});
