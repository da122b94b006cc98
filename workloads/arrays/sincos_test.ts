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
