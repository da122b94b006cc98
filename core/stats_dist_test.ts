import assert from "node:assert/strict";
import {
  betaInc,
  binomialCdf,
  fSurvival,
  lnGamma,
  mannWhitneyCdf,
  normalCdf,
  normalQuantile,
  studentTCdf,
  studentTQuantile,
} from "./stats_dist.ts";

const close = (a: number, b: number, tol: number) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} differs from ${b} by more than ${tol}`);

// reference values from scipy.stats / scipy.special
Deno.test("lnGamma() and betaInc() match scipy", () => {
  close(lnGamma(10.5), 13.940625219403763, 1e-12);
  close(lnGamma(1), 0, 1e-14);
  close(betaInc(0.3, { a: 2.5, b: 3.5 }), 0.2967529892956661, 1e-12);
  assert.equal(betaInc(0, { a: 2, b: 3 }), 0);
  assert.equal(betaInc(1, { a: 2, b: 3 }), 1);
});

Deno.test("normalCdf() and normalQuantile() match scipy", () => {
  close(normalCdf(1.96), 0.9750021048517795, 2e-7);
  close(normalCdf(-1.96), 1 - 0.9750021048517795, 2e-7);
  close(normalQuantile(0.975), 1.959963984540054, 1e-8);
  close(normalQuantile(0.001), -3.090232306167813, 1e-8);
  assert.equal(normalQuantile(0), -Infinity);
});

Deno.test("studentTCdf() and studentTQuantile() match scipy", () => {
  close(studentTQuantile(0.975, 10), 2.2281388519649385, 1e-10);
  close(studentTQuantile(0.975, 3), 3.182446305284263, 1e-10);
  close(studentTQuantile(0.025, 3), -3.182446305284263, 1e-10);
  close(studentTCdf(-1.5, 4), 0.10399999999999991, 1e-12);
});

Deno.test("fSurvival() and binomialCdf() match scipy", () => {
  close(fSurvival(4.102821, { d1: 2, d2: 10 }), 0.05000000041554158, 1e-10);
  close(fSurvival(3, { d1: 3, d2: 20 }), 0.054858618668295125, 1e-10);
  assert.equal(fSurvival(0, { d1: 3, d2: 20 }), 1);
  close(binomialCdf(1, { n: 10, p: 0.5 }), 11 / 1024, 1e-15);
  close(binomialCdf(30, { n: 100, p: 0.5 }), 3.925069822796835e-05, 1e-15);
  assert.equal(binomialCdf(-1, { n: 10, p: 0.5 }), 0);
  assert.equal(binomialCdf(10, { n: 10, p: 0.5 }), 1);
});

Deno.test("mannWhitneyCdf() is exact for small samples (enumerated) and normal for large", () => {
  close(mannWhitneyCdf(0, { m: 3, n: 3 }), 1 / 20, 1e-15);
  close(mannWhitneyCdf(3, { m: 4, n: 6 }), 0.03333333333333333, 1e-15);
  close(mannWhitneyCdf(3, { m: 6, n: 4 }), 0.03333333333333333, 1e-15);
  close(mannWhitneyCdf(10, { m: 5, n: 5 }), 0.34523809523809523, 1e-15);
  assert.equal(mannWhitneyCdf(-1, { m: 5, n: 5 }), 0);
  assert.equal(mannWhitneyCdf(25, { m: 5, n: 5 }), 1);
  // 60 × 60 (normal approximation): symmetric about mn/2 = 1800 like the exact distribution
  close(mannWhitneyCdf(1799, { m: 60, n: 60 }) + mannWhitneyCdf(1800, { m: 60, n: 60 }), 1, 1e-12);
  close(mannWhitneyCdf(1700, { m: 60, n: 60 }), 0.3007517720035444, 1e-6);
});
