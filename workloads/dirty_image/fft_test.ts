import { assert, assertEquals } from "../../core/_assert.ts";
import { Fft2d, FftPlan, goodSize, primeFactors } from "./fft.ts";

function naiveDft(x: Float64Array, sign: number): Float64Array {
  const n = x.length / 2;
  const out = new Float64Array(2 * n);
  for (let j = 0; j < n; j++) {
    let sr = 0, si = 0;
    for (let k = 0; k < n; k++) {
      const a = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.cos(a), s = Math.sin(a);
      sr += x[2 * k] * c - x[2 * k + 1] * s;
      si += x[2 * k] * s + x[2 * k + 1] * c;
    }
    out[2 * j] = sr;
    out[2 * j + 1] = si;
  }
  return out;
}

function randomSignal(n: number, seed: number): Float64Array {
  const x = new Float64Array(2 * n);
  let s = seed;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = s / 2 ** 32 - 0.5;
  }
  return x;
}

function maxError(a: Float64Array, b: Float64Array): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e;
}

Deno.test("FftPlan.run() matches a direct DFT for mixed-radix, prime and Bluestein lengths", () => {
  for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 12, 30, 49, 60, 64, 97, 120, 121, 210, 600, 67 * 2]) {
    for (const sign of [-1, 1] as const) {
      const x = randomSignal(n, n * 7 + (sign + 1));
      const want = naiveDft(x, sign);
      const got = x.slice();
      new FftPlan(n, sign).run(got);
      const err = maxError(got, want);
      assert(err < 1e-10 * Math.max(1, n), `n=${n} sign=${sign}: error ${err}`);
    }
  }
});

Deno.test("FftPlan.run() transforms in place at an offset and leaves the rest untouched", () => {
  const n = 30;
  const x = randomSignal(3 * n, 5);
  const copy = x.slice();
  new FftPlan(n, -1).run(x, n);
  assertEquals(x.subarray(0, 2 * n), copy.subarray(0, 2 * n));
  assertEquals(x.subarray(4 * n), copy.subarray(4 * n));
  assert(maxError(x.subarray(2 * n, 4 * n), naiveDft(copy.subarray(2 * n, 4 * n), -1)) < 1e-10);
});

Deno.test("Fft2d.runTransposed() is the transposed 2-D DFT and may skip zero rows", () => {
  const n = 12;
  const grid = new Float64Array(2 * n * n);
  const rnd = randomSignal(n * n, 9);
  // only rows 3..7 non-zero
  for (let r = 3; r < 8; r++) grid.set(rnd.subarray(2 * r * n, 2 * (r + 1) * n), 2 * r * n);
  const full = grid.slice();
  const out = new Fft2d(n, 1).runTransposed(grid.slice(), {
    row0: 3,
    row1: 8,
    cols: [[0, 3], [5, 12]],
  });
  // reference: direct 2-D DFT
  for (const [ky, kx] of [[0, 0], [1, 5], [11, 2], [6, 6]]) {
    let sr = 0, si = 0;
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const a = (2 * Math.PI * (ky * y + kx * x)) / n;
        const re = full[2 * (y * n + x)], im = full[2 * (y * n + x) + 1];
        sr += re * Math.cos(a) - im * Math.sin(a);
        si += re * Math.sin(a) + im * Math.cos(a);
      }
    }
    const at = 2 * (kx * n + ky);
    assert(Math.abs(out[at] - sr) < 1e-10 && Math.abs(out[at + 1] - si) < 1e-10, `(${ky},${kx})`);
  }
});

Deno.test("goodSize() rounds up to an even 5-smooth length", () => {
  assertEquals([600, 601, 22, 1, 13].map(goodSize), [600, 640, 24, 2, 16]);
  assertEquals(primeFactors(600), [2, 2, 2, 3, 5, 5]);
});
