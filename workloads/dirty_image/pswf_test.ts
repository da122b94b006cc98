import { assert, assertAlmostEquals, assertEquals } from "../../core/_assert.ts";
import { gridCorrection, kernelTable, kernelValue, spheroidal } from "./pswf.ts";

Deno.test("spheroidal() is Schwab's m=6 α=1 function: ψ(0)=1, continuous at 0.75, 0 past 1", () => {
  assertAlmostEquals(spheroidal(0), 1, 1e-6);
  assertAlmostEquals(spheroidal(0.75 - 1e-12), spheroidal(0.75), 1e-6);
  assertAlmostEquals(spheroidal(1), 4.028559e-3, 1e-12);
  assertEquals(spheroidal(1.01), 0);
  assertEquals(spheroidal(-0.3), spheroidal(0.3));
});

Deno.test("kernelTable() rows sample C(d) at the rounded fractional offsets", () => {
  const t = kernelTable(7, 100);
  assertEquals(t.length, 101 * 7);
  // offset 0 (row 50): symmetric about the centre cell, zero at the ends (|d| = 3)
  assertAlmostEquals(t[50 * 7 + 3], kernelValue(0, 7), 1e-15);
  assertAlmostEquals(t[50 * 7 + 0], 0, 1e-15);
  assertAlmostEquals(t[50 * 7 + 1], t[50 * 7 + 5], 1e-15);
  // row 0 is frac −0.5: cell k at d = k − 3 + 0.5
  assertAlmostEquals(t[0 * 7 + 3], kernelValue(0.5, 7), 1e-15);
});

Deno.test("gridCorrection() is the kernel's Fourier transform: c(0) = ∫C, sampled sums agree", () => {
  const n = 600;
  const c = gridCorrection(n, 7);
  // ∫C dd by a fine Riemann sum
  let integral = 0;
  for (let d = -3; d <= 3; d += 1e-4) integral += kernelValue(d, 7) * 1e-4;
  assertAlmostEquals(c[0], integral, 1e-6);
  // Σ_k C(k − f) cos(2π (k − f) p / n) ≈ c(p) for any fractional offset f (Poisson summation)
  for (const p of [0, 100, 250]) {
    for (const f of [0, 0.23, -0.41]) {
      let sum = 0;
      for (let k = -3; k <= 3; k++) {
        sum += kernelValue(k - f, 7) * Math.cos(2 * Math.PI * (k - f) * p / n);
      }
      assert(Math.abs(sum - c[p]) < 2e-3 * c[0], `p=${p} f=${f}: ${sum} vs ${c[p]}`);
    }
  }
  assertEquals(c[n - 100], c[100]);
});
