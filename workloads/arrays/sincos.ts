/**
 * sin and cos with one shared range reduction (Cody–Waite, fdlibm's constants) and FreeBSD's
 * minimax kernels on [−π/4, π/4], for |x| < 8·10⁵; larger or non-finite arguments fall back to
 * `Math.sin`/`Math.cos`.
 *
 * Arrays go through a WebAssembly kernel (sincos.wat, two f64 lanes at a time) in chunks of
 * {@linkcode CHUNK} elements copied into and out of its memory; it always takes fdlibm's second
 * reduction step, and a chunk holding an argument it cannot handle (out of range, not finite, or
 * needing the third step) is redone with the scalar {@linkcode sincos}. Both agree with
 * `Math.sin`/`Math.cos` to 1 ulp (sincos_test.ts).
 *
 * @module
 */
import { SINCOS_WASM_BASE64 } from "./_sincos_wasm.ts";

const INV_PIO2 = 6.36619772367581382433e-1;
const PIO2_1 = 1.57079632673412561417e+00; // first 33 bits of π/2
const PIO2_1T = 6.07710050650619224932e-11; // π/2 − PIO2_1
const PIO2_2 = 6.07710050630396597660e-11; // second 33 bits
const PIO2_2T = 2.02226624879595063154e-21;
const PIO2_3 = 2.02226624871116645580e-21; // third 33 bits
const PIO2_3T = 8.47842766036889956997e-32;
const S1 = -1.66666666666666324348e-01;
const S2 = 8.33333333332248946124e-03;
const S3 = -1.98412698298579493134e-04;
const S4 = 2.75573137070700676789e-06;
const S5 = -2.50507602534068634195e-08;
const S6 = 1.58969099521155010221e-10;
const C1 = 4.16666666666666019037e-02;
const C2 = -1.38888888888741095749e-03;
const C3 = 2.48015872894767294178e-05;
const C4 = -2.75573143513906633035e-07;
const C5 = 2.08757232129817482790e-09;
const C6 = -1.13596475577881948265e-11;
const LIMIT = 8e5; // n = round(x·2/π) < 2^19, so n·PIO2_k is exact
const TWO_M16 = 1.52587890625e-5;
const TWO_M49 = 1.7763568394002505e-15;

const SGN_S = new Float64Array([1, 1, -1, -1]);
const SGN_C = new Float64Array([1, -1, -1, 1]);

/** sin and cos of the reduced argument y0 + y1 (|y0| ≤ π/4) in quadrant q, into out[0], out[1]. */
function kernels(y: { y0: number; y1: number; q: number }, out: Float64Array): void {
  const { y0, y1, q } = y;
  const z = y0 * y0;
  const w2 = z * z;
  const rs = S2 + z * (S3 + z * S4) + z * w2 * (S5 + z * S6);
  const v = z * y0;
  out[0] = y0 - ((z * (0.5 * y1 - v * rs) - y1) - v * S1); // k_sin
  const rc = z * (C1 + z * (C2 + z * C3)) + w2 * w2 * (C4 + z * (C5 + z * C6));
  const hz = 0.5 * z;
  const wc = 1 - hz;
  out[1] = wc + (((1 - wc) - hz) + (z * rc - y0 * y1)); // k_cos
  // quadrant without branches: (s, c) → (s, c), (c, −s), (−s, −c), (−c, s)
  const o = q & 1;
  const s = out[o], c = out[o ^ 1];
  out[0] = s * SGN_S[q];
  out[1] = c * SGN_C[q];
}

/** Write sin(x) to `out[0]` and cos(x) to `out[1]`. */
export function sincos(x: number, out: Float64Array): void {
  const ax = Math.abs(x);
  if (!(ax < LIMIT)) {
    out[0] = Math.sin(x);
    out[1] = Math.cos(x);
    return;
  }
  const n = (x * INV_PIO2 + (x < 0 ? -0.5 : 0.5)) | 0;
  let r = x - n * PIO2_1;
  let w = n * PIO2_1T;
  let y0 = r - w;
  if (Math.abs(y0) < ax * TWO_M16) { // cancellation: second step
    let t = r;
    w = n * PIO2_2;
    r = t - w;
    w = n * PIO2_2T - ((t - r) - w);
    y0 = r - w;
    if (Math.abs(y0) < ax * TWO_M49) { // third step
      t = r;
      w = n * PIO2_3;
      r = t - w;
      w = n * PIO2_3T - ((t - r) - w);
      y0 = r - w;
    }
  }
  kernels({ y0, y1: (r - y0) - w, q: n & 3 }, out);
}

/** Elements per call of the WebAssembly kernels (the size of their buffers). */
export const CHUNK = 4096;

interface Vector {
  sin2cos2(len: number): number;
  sincos(len: number): number;
  i32: Int32Array;
  f64: Float64Array;
  out1: Float64Array;
  out2: Float64Array;
}

let instance: Vector | null = null;

/** This thread's instance of sincos.wat, and views on its buffers (layout: see sincos.wat). */
function vector(): Vector {
  if (instance) return instance;
  const bytes = Uint8Array.from(atob(SINCOS_WASM_BASE64), (c) => c.charCodeAt(0));
  const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
  const buffer = (exports.memory as WebAssembly.Memory).buffer;
  instance = {
    sin2cos2: exports.sin2cos2 as Vector["sin2cos2"],
    sincos: exports.sincos as Vector["sincos"],
    i32: new Int32Array(buffer, 0, CHUNK),
    f64: new Float64Array(buffer, 0, CHUNK),
    out1: new Float64Array(buffer, 32768, CHUNK),
    out2: new Float64Array(buffer, 65536, CHUNK),
  };
  return instance;
}

/**
 * `out[i] = sin(x[i])² + cos(x[i])²` for i in [start, end) (dask-bench's elementwise op): both
 * computed for every element, by the WebAssembly kernel (which leaves out the quadrant's swap and
 * signs: they cannot change the squares' sum), or by {@linkcode sincos} for a chunk it flags.
 */
export function sin2cos2(
  x: Int32Array,
  out: Float64Array,
  range: { start: number; end: number },
): void {
  const v = vector();
  for (let b = range.start; b < range.end; b += CHUNK) {
    const n = Math.min(range.end - b, CHUNK);
    v.i32.set(x.subarray(b, b + n));
    if (n & 1) v.i32[n] = 0; // the pair's second lane
    if (v.sin2cos2(n) === 0) out.set(n === CHUNK ? v.out1 : v.out1.subarray(0, n), b);
    else scalarSin2cos2(x, out, { start: b, end: b + n });
  }
}

function scalarSin2cos2(
  x: Int32Array,
  out: Float64Array,
  range: { start: number; end: number },
): void {
  const sc = new Float64Array(2);
  for (let i = range.start; i < range.end; i++) {
    sincos(x[i], sc);
    out[i] = sc[0] * sc[0] + sc[1] * sc[1];
  }
}

/** `sin[i] = sin(x[i])` and `cos[i] = cos(x[i])` for every i, by the WebAssembly kernel. */
export function sincosArray(x: Float64Array, out: { sin: Float64Array; cos: Float64Array }): void {
  const v = vector(), sc = new Float64Array(2);
  for (let b = 0; b < x.length; b += CHUNK) {
    const n = Math.min(x.length - b, CHUNK);
    v.f64.set(x.subarray(b, b + n));
    if (n & 1) v.f64[n] = 0;
    if (v.sincos(n) === 0) {
      out.sin.set(v.out1.subarray(0, n), b);
      out.cos.set(v.out2.subarray(0, n), b);
    } else {
      for (let i = b; i < b + n; i++) {
        sincos(x[i], sc);
        out.sin[i] = sc[0];
        out.cos[i] = sc[1];
      }
    }
  }
}
