import { assert, assertEquals } from "../../core/_assert.ts";
import { needs } from "../../tests/_needs.ts";
import { assemble, OUT_URL, render, WAT_URL } from "./build_sincos_wasm.ts";
import { SINCOS_WASM_BASE64 } from "./_sincos_wasm.ts";
import { CHUNK, sin2cos2, sincos, sincosArray } from "./sincos.ts";

/** Distance in units in the last place: the count of doubles from a to b (0 for −0 and +0). */
function ulps(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  const bits = new BigInt64Array(new Float64Array([a, b]).buffer);
  const ordered = (v: bigint) => (v < 0n ? -(v & 0x7fffffffffffffffn) : v);
  const d = ordered(bits[0]) - ordered(bits[1]);
  return Number(d < 0n ? -d : d);
}

/**
 * Arguments of every kind: integers, fractions, negatives, tiny ones and random ones below 8e5
 * (the first 8 chunks: the WebAssembly kernel's own), then near multiples of π/2, large ones and
 * non-finite ones (chunks it hands to sincos()).
 */
function testArguments(): Float64Array {
  const xs = [0, -0, 5e-324, -1e-300, 1e-8, 0.5, -0.7853981633974483, 1, 3, 355, 103993];
  xs.push(99999, -12345.6, 799999.9, -799999.9);
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let k = 1; xs.length < 8 * CHUNK; k++) {
    xs.push(k * 0.7381, -k * 39.13, k * 50, Math.round(k * Math.PI), Math.floor(random() * 1e5));
    xs.push((random() - 0.5) * 1.6e6, (random() - 0.5) * 2e-3, -Math.floor(random() * 1e5));
  }
  xs.length = 8 * CHUNK;
  for (let k = 0; k < 1000; k++) xs.push(((k + 1) * Math.PI) / 2, -k * 1000.5 * Math.PI, k * 1e5);
  xs.push(8e5, -8e5, 8e5 + 1, 1e6, -(2 ** 31), 2 ** 31 - 1, 1e10, -1e22, 1e300, Number.MAX_VALUE);
  xs.push(Infinity, -Infinity, NaN);
  return Float64Array.from(xs);
}

/** The largest ulp distance of `sin`, `cos` from Math.sin, Math.cos over `xs`. */
function worst(xs: Float64Array, out: { sin: Float64Array; cos: Float64Array }): number {
  let most = 0;
  for (let i = 0; i < xs.length; i++) {
    const e = Math.max(ulps(out.sin[i], Math.sin(xs[i])), ulps(out.cos[i], Math.cos(xs[i])));
    assert(e <= 1, `x = ${xs[i]}: sin ${out.sin[i]}, cos ${out.cos[i]} (${e} ulps)`);
    most = Math.max(most, e);
  }
  return most;
}

/** This file's own instance of the embedded module, to call its exports directly. */
function wasm() {
  const bytes = Uint8Array.from(atob(SINCOS_WASM_BASE64), (c) => c.charCodeAt(0));
  const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
  const buffer = (exports.memory as WebAssembly.Memory).buffer;
  return {
    sincos: exports.sincos as (n: number) => number,
    sin2cos2: exports.sin2cos2 as (n: number) => number,
    f64: new Float64Array(buffer, 0, CHUNK),
    i32: new Int32Array(buffer, 0, CHUNK),
    sin: new Float64Array(buffer, 32768, CHUNK),
    cos: new Float64Array(buffer, 65536, CHUNK),
  };
}

Deno.test("sincos() agrees with Math.sin and Math.cos to 1 ulp, also near multiples of π/2 and for large arguments", () => {
  const xs = testArguments(), sc = new Float64Array(2);
  const out = { sin: new Float64Array(xs.length), cos: new Float64Array(xs.length) };
  for (let i = 0; i < xs.length; i++) {
    sincos(xs[i], sc);
    out.sin[i] = sc[0], out.cos[i] = sc[1];
  }
  assertEquals(worst(xs, out), 1);
  sincos(355, sc); // 355 − 113π ≈ 3e−5: relative accuracy of sin needs the extra reduction step
  assertEquals(ulps(sc[0], Math.sin(355)), 0);
});

Deno.test("sincos() falls back to Math.sin and Math.cos for large and non-finite arguments", () => {
  const out = new Float64Array(2);
  sincos(1e10, out);
  assertEquals([out[0], out[1]], [Math.sin(1e10), Math.cos(1e10)]);
  sincos(NaN, out);
  assert(Number.isNaN(out[0]) && Number.isNaN(out[1]));
  sincos(Infinity, out);
  assert(Number.isNaN(out[0]));
});

Deno.test("sincosArray() agrees with Math.sin and Math.cos to 1 ulp on every kind of argument", () => {
  const xs = testArguments();
  const out = { sin: new Float64Array(xs.length), cos: new Float64Array(xs.length) };
  sincosArray(xs, out);
  assertEquals(worst(xs, out), 1);
  const odd = xs.subarray(0, 3 * CHUNK + 1); // ends with a padded pair
  const part = { sin: new Float64Array(odd.length), cos: new Float64Array(odd.length) };
  sincosArray(odd, part);
  assertEquals(part, {
    sin: out.sin.subarray(0, odd.length),
    cos: out.cos.subarray(0, odd.length),
  });
});

Deno.test("the WebAssembly sincos handles chunks of arguments below 8e5 itself, to 1 ulp", () => {
  const w = wasm(), xs = testArguments();
  for (let b = 0; b < 8 * CHUNK; b += CHUNK) {
    const n = b ? CHUNK : CHUNK - 1; // the first one ends with a padded pair
    w.f64.set(xs.subarray(b, b + n));
    w.f64[n] = 0;
    assertEquals(w.sincos(n), 0, `chunk at ${b}`);
    const most = worst(xs.subarray(b, b + n), { sin: w.sin.slice(0, n), cos: w.cos.slice(0, n) });
    assertEquals(most, 1, `chunk at ${b}`);
  }
});

Deno.test("the WebAssembly kernels flag a chunk with an argument they cannot handle", () => {
  const w = wasm();
  for (const bad of [8e5, -1e6, 1e300, Infinity, NaN, (1000 * Math.PI) / 2]) {
    w.f64.fill(1);
    w.f64[77] = bad;
    assertEquals(w.sincos(128), 1, `sincos flags ${bad}`);
    w.f64[77] = 1;
    assertEquals(w.sincos(128), 0);
  }
  w.i32.fill(99999);
  assertEquals(w.sin2cos2(CHUNK), 0);
  w.i32[4000] = 800000;
  assertEquals(w.sin2cos2(CHUNK), 1);
  w.i32[4000] = -799999;
  assertEquals(w.sin2cos2(CHUNK), 0);
});

Deno.test("sin2cos2() gives the bits of sin² + cos² of sincosArray() (quadrant applied) on every integer in [−1e5, 1e5]", () => {
  const x = Int32Array.from({ length: 200_001 }, (_, i) => i - 100_000);
  const out = new Float64Array(x.length);
  sin2cos2(x, out, { start: 0, end: x.length });
  const sc = { sin: new Float64Array(x.length), cos: new Float64Array(x.length) };
  sincosArray(Float64Array.from(x), sc);
  let differ = 0, far = 0;
  for (let i = 0; i < x.length; i++) {
    if (out[i] !== sc.sin[i] * sc.sin[i] + sc.cos[i] * sc.cos[i]) differ++;
    if (!(Math.abs(out[i] - 1) <= 2.3e-16)) far++;
  }
  assertEquals([differ, far], [0, 0]);
});

Deno.test("sin2cos2() redoes a chunk holding an argument of 8e5 or more with sincos(), and writes only its range", () => {
  const x = new Int32Array(3 * CHUNK + 5);
  for (let i = 0; i < x.length; i++) x[i] = (i * 7919) % 100_000;
  x[CHUNK + 9] = 2_000_000_000; // this chunk goes through sincos()
  const out = new Float64Array(x.length);
  sin2cos2(x, out, { start: 0, end: x.length });
  const sc = new Float64Array(2);
  for (let i = CHUNK; i < 2 * CHUNK; i++) {
    sincos(x[i], sc);
    assertEquals(out[i], sc[0] * sc[0] + sc[1] * sc[1], `at ${i}`);
  }
  for (let i = 0; i < x.length; i++) assert(Math.abs(out[i] - 1) <= 2.3e-16, `at ${i}: ${out[i]}`);
  const part = new Float64Array(x.length);
  sin2cos2(x, part, { start: 10, end: 21 });
  assertEquals([part[9], part[21], part[15]], [0, 0, out[15]]);
});

let wabt: string | null = null;
try {
  await import("wabt");
} catch (err) {
  wabt = `npm package wabt cannot be loaded: ${(err as Error).message.split("\n")[0]}`;
}

Deno.test(needs([{ what: "npm wabt", missing: wabt }], {
  name: "_sincos_wasm.ts holds sincos.wat as assembled by wabt (rebuild: build_sincos_wasm.ts)",
  async fn() {
    const bytes = await assemble(await Deno.readTextFile(WAT_URL));
    assertEquals(await Deno.readTextFile(OUT_URL), render(bytes));
  },
}));
