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
}

/** The crop of a `size`-pixel image from an `n`-point padded transform with correction `corr`. */
export function makeCrop(n: number, size: number, corr: Float64Array): Crop {
  const q = new Int32Array(size), inv = new Float64Array(size);
  const c = Math.floor(size / 2);
  for (let i = 0; i < size; i++) {
    const k = (((i - c) % n) + n) % n;
    q[i] = k;
    inv[i] = (Math.abs(i - c) % 2 === 0 ? 1 : -1) / corr[k];
  }
  return { n, size, q, inv };
}

/**
 * Write the images of a packed pair (see `packPair`) from the transposed spectrum `t`
 * (`t[2·(qx·n + qy)]`): the real part to `a`, the imaginary part to `b` (if given), each
 * `size × size` row-major (row iy, column ix), scaled by `scaleA`/`scaleB` — `1 / (2 Σw)`.
 */
export function extractPair(
  t: Float64Array,
  out: { a: Float32Array; b: Float32Array | null },
  opts: { crop: Crop; scaleA: number; scaleB: number },
): void {
  const { n, size, q, inv } = opts.crop;
  const { a, b } = out;
  const { scaleA, scaleB } = opts;
  // reads of t run along its rows; the strided writes reuse their cache lines for 16 columns
  for (let ix = 0; ix < size; ix++) {
    const base = 2 * q[ix] * n;
    const fx = inv[ix];
    for (let iy = 0; iy < size; iy++) {
      const at = base + 2 * q[iy];
      const f = fx * inv[iy];
      a[iy * size + ix] = t[at] * f * scaleA;
      if (b !== null) b[iy * size + ix] = t[at + 1] * f * scaleB;
    }
  }
}
