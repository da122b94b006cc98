/**
 * Prolate spheroidal gridding functions: Schwab's rational approximation of the spheroidal
 * wave function ψ(η) for m = 6, α = 1 (Schwab 1984, as in AIPS, CASA and ngCASA), the gridding
 * kernel C(d) = (1 − η²)·ψ(η) with η = d / ⌊support/2⌋ (support 7 → 7 cells, width 6), its
 * oversampled lookup table, and the grid correction: the Fourier transform of C over the padded
 * image, computed numerically so that it matches the kernel exactly as applied.
 *
 * @module
 */

const P = [
  [8.203343e-2, -3.644705e-1, 6.278660e-1, -5.335581e-1, 2.312756e-1],
  [4.028559e-3, -3.697768e-2, 1.021332e-1, -1.201436e-1, 6.412774e-2],
];
const Q = [
  [1.0, 8.212018e-1, 2.078043e-1],
  [1.0, 9.599102e-1, 2.918724e-1],
];

/** Schwab's spheroidal function ψ(η), m = 6, α = 1; 0 outside |η| ≤ 1. */
export function spheroidal(eta: number): number {
  const nu = Math.abs(eta);
  if (nu > 1) return 0;
  const part = nu < 0.75 ? 0 : 1;
  const end = part === 0 ? 0.75 : 1.0;
  const del = nu * nu - end * end;
  const p = P[part], q = Q[part];
  let top = p[4];
  for (let k = 3; k >= 0; k--) top = top * del + p[k];
  const bot = (q[2] * del + q[1]) * del + q[0];
  return bot > 0 ? top / bot : 0;
}

/** Half width in cells of the kernel for a footprint of `support` cells (7 → 3). */
export function halfWidth(support: number): number {
  return Math.floor(support / 2);
}

/** The gridding kernel C(d) at a distance of `d` cells, for a footprint of `support` cells. */
export function kernelValue(d: number, support: number): number {
  const eta = d / halfWidth(support);
  if (Math.abs(eta) >= 1) return 0;
  return (1 - eta * eta) * spheroidal(eta);
}

/**
 * The oversampled kernel table: `(oversampling + 1) × support` values. Row `o` holds the kernel
 * at the cells `k = 0..support−1` for a visibility whose fractional cell offset rounds to
 * `o / oversampling − 1/2`: `table[o·support + k] = C((k − h) − (o/oversampling − 1/2))`.
 */
export function kernelTable(support: number, oversampling: number): Float64Array {
  const h = halfWidth(support);
  const table = new Float64Array((oversampling + 1) * support);
  for (let o = 0; o <= oversampling; o++) {
    const frac = o / oversampling - 0.5;
    for (let k = 0; k < support; k++) {
      table[o * support + k] = kernelValue(k - h - frac, support);
    }
  }
  return table;
}

/**
 * Grid correction along one axis of a padded image of `n` pixels: `c[q]` for the FFT output
 * index `q` (pixel offset `q` for q < n/2, `q − n` above), the Fourier transform of the kernel,
 * `∫ C(d) cos(2π d p / n) dd`, by composite Simpson's rule over the kernel's width.
 */
export function gridCorrection(n: number, support: number): Float64Array {
  const h = halfWidth(support);
  const steps = 4096; // even; the kernel is smooth, so this is exact to ~1e-12
  const dd = (2 * h) / steps;
  const weights = new Float64Array(steps + 1);
  const values = new Float64Array(steps + 1);
  for (let i = 0; i <= steps; i++) {
    weights[i] = (i === 0 || i === steps ? 1 : i % 2 ? 4 : 2) * dd / 3;
    values[i] = kernelValue(-h + i * dd, support);
  }
  const out = new Float64Array(n);
  for (let q = 0; q < n; q++) {
    const p = q < n / 2 ? q : q - n;
    const k = (2 * Math.PI * p) / n;
    let sum = 0;
    for (let i = 0; i <= steps; i++) sum += weights[i] * values[i] * Math.cos(k * (-h + i * dd));
    out[q] = sum;
  }
  return out;
}
