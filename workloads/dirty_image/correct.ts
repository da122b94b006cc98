/**
 * From the padded FFT output to the image: crop the central `size × size` pixels, undo the grid
 * centring (a (−1)^(qx+qy) checkerboard, since the grid's origin is at n/2), divide by the grid
 * correction c(qx)·c(qy), and normalise by the sum of weights.
 *
 * @module
 */

/** Per-axis lookup for the crop: FFT index and 1 / (±c(q)) of each image column/row. */
export interface Crop {
  /** padded side */
  n: number;
  /** image side */
  size: number;
  /** FFT index of image pixel i: (i − size/2) mod n */
  q: Int32Array;
  /** (−1)^(i − size/2) / c(q[i]) */
  inv: Float64Array;
  /** image pixel of FFT index k (the inverse of q), −1 outside the crop */
  pixel: Int32Array;
}

/** The crop of a `size`-pixel image from an `n`-point padded transform with correction `corr`. */
export function makeCrop(n: number, size: number, corr: Float64Array): Crop {
  const q = new Int32Array(size), inv = new Float64Array(size);
  const pixel = new Int32Array(n).fill(-1);
  const c = Math.floor(size / 2);
  for (let i = 0; i < size; i++) {
    const k = (((i - c) % n) + n) % n;
    q[i] = k;
    pixel[k] = i;
    inv[i] = (Math.abs(i - c) % 2 === 0 ? 1 : -1) / corr[k];
  }
  return { n, size, q, inv, pixel };
}

/**
 * Write the image columns of a packed pair (see `packPair`) that a strip of the transposed
 * spectrum holds — FFT columns [c0, c1), `t[2·((qx − c0)·n + qy)]` (see `Fft2d.runStrips`): the
 * real part to `a`, the imaginary part to `b` (if given), each `size × size` row-major (row iy,
 * column ix), scaled by `scaleA`/`scaleB` — `1 / (2 Σw)`.
 */
export function extractStrip(
  t: Float64Array,
  out: { a: Float32Array; b: Float32Array | null },
  opts: { crop: Crop; scaleA: number; scaleB: number; c0: number; c1: number },
): void {
  const { n, size, q, inv, pixel } = opts.crop;
  const { a, b } = out;
  const { scaleA, scaleB } = opts;
  // reads of t run along its rows; the strided writes reuse their cache lines across the strip
  for (let qx = opts.c0; qx < opts.c1; qx++) {
    const ix = pixel[qx];
    if (ix < 0) continue;
    const base = 2 * (qx - opts.c0) * n;
    const fx = inv[ix];
    for (let iy = 0; iy < size; iy++) {
      const at = base + 2 * q[iy];
      const f = fx * inv[iy];
      a[iy * size + ix] = t[at] * f * scaleA;
      if (b !== null) b[iy * size + ix] = t[at + 1] * f * scaleB;
    }
  }
}
