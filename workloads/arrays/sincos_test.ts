import { assert, assertEquals } from "../../core/_assert.ts";
import { sin2cos2, sincos } from "./sincos.ts";

Deno.test("sincos() agrees with Math.sin and Math.cos to an ulp, including near multiples of π", () => {
  const out = new Float64Array(2);
  const xs = [0, -0, 1e-300, 0.5, -0.7853981633974483, 1, 3, Math.PI, 355, 103993, 99999, -12345.6];
  for (let k = 1; k < 2000; k++) xs.push(k * 0.7381, -k * 39.13, k * 50, Math.round(k * Math.PI));
  for (const x of xs) {
    sincos(x, out);
    assert(
      Math.abs(out[0] - Math.sin(x)) <= 2.3e-16 * Math.max(1, Math.abs(Math.sin(x))),
      `sin ${x}`,
    );
    assert(Math.abs(out[1] - Math.cos(x)) <= 2.3e-16, `cos ${x}`);
  }
  sincos(355, out); // 355 − 113π ≈ 3e−5: relative accuracy of sin needs the extra reduction step
  assert(Math.abs(out[0] / Math.sin(355) - 1) < 1e-12);
});

Deno.test("sincos() falls back for large and non-finite arguments", () => {
  const out = new Float64Array(2);
  sincos(1e10, out);
  assertEquals([out[0], out[1]], [Math.sin(1e10), Math.cos(1e10)]);
  sincos(NaN, out);
  assert(Number.isNaN(out[0]) && Number.isNaN(out[1]));
  sincos(Infinity, out);
  assert(Number.isNaN(out[0]));
});

Deno.test("sin2cos2() is 1 within 1e-15 on integers and on blocks taking the fallback", () => {
  const x = new Int32Array(10_000);
  for (let i = 0; i < x.length; i++) x[i] = (i * 7919) % 100_000;
  x[9000] = 2_000_000_000; // this block goes through sincos()
  const out = new Float64Array(x.length);
  sin2cos2(x, out, { start: 0, end: x.length });
  for (let i = 0; i < x.length; i++) assert(Math.abs(out[i] - 1) <= 1e-15, `at ${i}: ${out[i]}`);
  const part = new Float64Array(x.length);
  sin2cos2(x, part, { start: 10, end: 20 });
  assertEquals(part[9], 0);
  assertEquals(part[20], 0);
  assertEquals(part[15], out[15]);
});

Deno.test("sin2cos2() gives the bits of (±sin)² + (±cos)² with the quadrant applied, on every integer in [−1e5, 1e5]", () => {
  // the reference applies the quadrant (swap and signs) as sincos() does, after the same single
  // reduction step as sin2cos2()'s fast path; sin2cos2() skips it, since it cannot change the sum
  const PIO2_1 = 1.57079632673412561417e+00, PIO2_1T = 6.07710050650619224932e-11;
  const S = [-1.66666666666666324348e-01, 8.33333333332248946124e-03, -1.98412698298579493134e-04];
  const S_ = [2.75573137070700676789e-06, -2.50507602534068634195e-08, 1.58969099521155010221e-10];
  const C = [4.16666666666666019037e-02, -1.38888888888741095749e-03, 2.48015872894767294178e-05];
  const C_ = [-2.75573143513906633035e-07, 2.08757232129817482790e-09, -1.13596475577881948265e-11];
  const reference = (x: number) => {
    const n = (x * 6.36619772367581382433e-1 + (x < 0 ? -0.5 : 0.5)) | 0;
    const r = x - n * PIO2_1, w = n * PIO2_1T, y0 = r - w, y1 = (r - y0) - w;
    const z = y0 * y0, w2 = z * z, v = z * y0;
    const rs = S[1] + z * (S[2] + z * S_[0]) + z * w2 * (S_[1] + z * S_[2]);
    const ks = y0 - ((z * (0.5 * y1 - v * rs) - y1) - v * S[0]);
    const rc = z * (C[0] + z * (C[1] + z * C[2])) + w2 * w2 * (C_[0] + z * (C_[1] + z * C_[2]));
    const hz = 0.5 * z, wc = 1 - hz;
    const kc = wc + (((1 - wc) - hz) + (z * rc - y0 * y1));
    const q = n & 3, sc = [ks, kc];
    const s = sc[q & 1] * [1, 1, -1, -1][q], c = sc[(q & 1) ^ 1] * [1, -1, -1, 1][q];
    return s * s + c * c;
  };
  const x = Int32Array.from({ length: 200_001 }, (_, i) => i - 100_000);
  const out = new Float64Array(x.length);
  sin2cos2(x, out, { start: 0, end: x.length });
  let differ = 0;
  for (let i = 0; i < x.length; i++) if (out[i] !== reference(x[i])) differ++;
  assertEquals(differ, 0);
});
