/**
 * Convolutional gridding of one channel: every unflagged visibility, times its natural weight, is
 * spread over `support × support` cells of the padded uv grid with the separable prolate
 * spheroidal kernel, interpolated linearly in a table oversampled `oversampling` times (nearest
 * lookup would misplace each visibility by up to 1/(2·oversampling) cell: 7e-4 of the peak). All polarizations of a row share the
 * kernel, so the grid interleaves them: `grid[((y·n + x)·pols + p)·2 + {0: re, 1: im}]`.
 *
 * Geometry: grid cell (x, y) holds u = −(x − n/2)·du, v = (y − n/2)·du, so that the image pixel
 * (ix, iy) of the FFT is at l = −(ix − N/2)·cell (RA increases to the left, as in CASA) and
 * m = (iy − N/2)·cell. The image is the real part of Σ w V e^{+2πi(ul + vm)} / Σ w.
 *
 * @module
 */

/** What the gridder needs to know about the grid and the kernel. */
export interface GridSpec {
  /** side of the padded grid (even) */
  n: number;
  pols: number;
  support: number;
  oversampling: number;
  /** {@linkcode kernelTable}(support, oversampling) */
  table: Float64Array;
  /** {@linkcode kernelSlopes} of the table: linear interpolation between its rows */
  slopes: Float64Array;
}

/** Differences between consecutive rows of a kernel table (the last row's slope is 0). */
export function kernelSlopes(table: Float64Array, support: number): Float64Array {
  const out = new Float64Array(table.length);
  for (let i = 0; i + support < table.length; i++) out[i] = table[i + support] - table[i];
  return out;
}

/** One channel's visibilities, as read from a block of channels. */
export interface ChannelData {
  /** DATA as interleaved re/im: [rows, chans, pols, 2]; rows = times × baselines */
  data: Float32Array | Float64Array;
  /** FLAG, non-zero = flagged: [rows, chans, pols] (null: none) */
  flag: Uint8Array | null;
  /** FLAG_ROW: [rows] (null: none) */
  flagRow: Uint8Array | null;
  /** WEIGHT: [rows, pols], or [rows, chans, pols] when `weightPerChan` (null: all 1) */
  weight: Float32Array | Float64Array | null;
  weightPerChan: boolean;
  /** UVW in metres: [rows, 3] */
  uvw: Float64Array;
  rows: number;
  /** channels in the block, and this channel's index in it */
  chans: number;
  chan: number;
  /** grid cells per metre of baseline at this channel: frequency / c / du */
  scale: number;
}

/** Per-channel results of gridding, filled by {@linkcode gridChannel}. */
export interface GridStats {
  /** Σ weights of the gridded visibilities, per polarization */
  sumWeight: Float64Array;
  /** visibilities gridded (row × polarization samples) */
  gridded: number;
  /** unflagged rows whose kernel footprint fell off the grid (not gridded) */
  dropped: number;
  /** rows and columns of the grid that may be non-zero: [row0, row1) × [col0, col1) */
  row0: number;
  row1: number;
  col0: number;
  col1: number;
}

/** Fresh stats for `pols` polarizations. */
export function newStats(pols: number): GridStats {
  return {
    sumWeight: new Float64Array(pols),
    gridded: 0,
    dropped: 0,
    row0: 0,
    row1: 0,
    col0: 0,
    col1: 0,
  };
}

/**
 * Zero the grid (only the rows the previous channel touched, given by `stats`) and grid one
 * channel into it; `stats` is overwritten with this channel's figures.
 */
export function gridChannel(
  grid: Float64Array,
  input: ChannelData,
  opts: { spec: GridSpec; stats: GridStats },
): void {
  const { spec, stats } = opts;
  const { n, pols } = spec;
  const rowLen = n * pols * 2;
  const cell = pols * 2;
  for (let r = stats.row0; r < stats.row1; r++) {
    grid.fill(0, r * rowLen + stats.col0 * cell, r * rowLen + stats.col1 * cell);
  }
  stats.sumWeight.fill(0);
  stats.gridded = 0;
  stats.dropped = 0;
  stats.row0 = stats.col0 = n;
  stats.row1 = stats.col1 = 0;
  if (pols === 2 && spec.support === 7) grid2s7(grid, input, spec, stats);
  else if (pols === 2) grid2(grid, input, spec, stats);
  else gridAny(grid, input, spec, stats);
  if (stats.row1 < stats.row0) {
    stats.row0 =
      stats.row1 =
      stats.col0 =
      stats.col1 =
        0;
  }
}

/**
 * Two polarizations and support 7 (ngCASA's setting): the same arithmetic as {@linkcode grid2},
 * with the kernel weights in locals and each footprint row unrolled.
 */
function grid2s7(grid: Float64Array, d: ChannelData, spec: GridSpec, stats: GridStats): void {
  const { n, oversampling: O, table, slopes } = spec;
  const { data, flag, flagRow, weight, uvw, rows, chans, chan, scale } = d;
  const half = n / 2, lo = 3, hi = n - 4;
  const wStride = d.weightPerChan ? chans * 2 : 2, wOff = d.weightPerChan ? chan * 2 : 0;
  const wy = new Float64Array(7); // per channel, not per visibility
  const rowStride = 4 * n;
  let sw0 = 0, sw1 = 0, gridded = 0, dropped = 0, row0 = stats.row0, row1 = stats.row1;
  let col0 = stats.col0, col1 = stats.col1;
  for (let r = 0; r < rows; r++) {
    if (flagRow !== null && flagRow[r] !== 0) continue;
    const at = (r * chans + chan) * 2;
    let w0 = weight === null ? 1 : weight[r * wStride + wOff];
    let w1 = weight === null ? 1 : weight[r * wStride + wOff + 1];
    if (flag !== null) {
      if (flag[at] !== 0) w0 = 0;
      if (flag[at + 1] !== 0) w1 = 0;
    }
    if (!(w0 > 0)) w0 = 0;
    if (!(w1 > 0)) w1 = 0;
    if (w0 === 0 && w1 === 0) continue;
    const x = half - uvw[3 * r] * scale;
    const y = half + uvw[3 * r + 1] * scale;
    const xi = Math.floor(x + 0.5), yi = Math.floor(y + 0.5);
    if (xi < lo || xi > hi || yi < lo || yi > hi) {
      dropped++;
      continue;
    }
    let f = (x - xi + 0.5) * O;
    let o = Math.floor(f);
    if (o >= O) o = O - 1;
    let t = f - o, b = o * 7;
    const x0 = table[b] + t * slopes[b], x1 = table[b + 1] + t * slopes[b + 1];
    const x2 = table[b + 2] + t * slopes[b + 2], x3 = table[b + 3] + t * slopes[b + 3];
    const x4 = table[b + 4] + t * slopes[b + 4], x5 = table[b + 5] + t * slopes[b + 5];
    const x6 = table[b + 6] + t * slopes[b + 6];
    f = (y - yi + 0.5) * O;
    o = Math.floor(f);
    if (o >= O) o = O - 1;
    t = f - o;
    b = o * 7;
    for (let j = 0; j < 7; j++) wy[j] = table[b + j] + t * slopes[b + j];
    const di = 2 * at;
    const a0 = w0 === 0 ? 0 : data[di] * w0, b0 = w0 === 0 ? 0 : data[di + 1] * w0;
    const a1 = w1 === 0 ? 0 : data[di + 2] * w1, b1 = w1 === 0 ? 0 : data[di + 3] * w1;
    sw0 += w0;
    sw1 += w1;
    gridded += (w0 > 0 ? 1 : 0) + (w1 > 0 ? 1 : 0);
    const y0 = yi - 3;
    if (y0 < row0) row0 = y0;
    if (y0 + 7 > row1) row1 = y0 + 7;
    if (xi - 3 < col0) col0 = xi - 3;
    if (xi + 4 > col1) col1 = xi + 4;
    let g = y0 * rowStride + (xi - 3) * 4;
    for (let j = 0; j < 7; j++) {
      const wj = wy[j];
      let k = wj * x0;
      grid[g] += k * a0;
      grid[g + 1] += k * b0;
      grid[g + 2] += k * a1;
      grid[g + 3] += k * b1;
      k = wj * x1;
      grid[g + 4] += k * a0;
      grid[g + 5] += k * b0;
      grid[g + 6] += k * a1;
      grid[g + 7] += k * b1;
      k = wj * x2;
      grid[g + 8] += k * a0;
      grid[g + 9] += k * b0;
      grid[g + 10] += k * a1;
      grid[g + 11] += k * b1;
      k = wj * x3;
      grid[g + 12] += k * a0;
      grid[g + 13] += k * b0;
      grid[g + 14] += k * a1;
      grid[g + 15] += k * b1;
      k = wj * x4;
      grid[g + 16] += k * a0;
      grid[g + 17] += k * b0;
      grid[g + 18] += k * a1;
      grid[g + 19] += k * b1;
      k = wj * x5;
      grid[g + 20] += k * a0;
      grid[g + 21] += k * b0;
      grid[g + 22] += k * a1;
      grid[g + 23] += k * b1;
      k = wj * x6;
      grid[g + 24] += k * a0;
      grid[g + 25] += k * b0;
      grid[g + 26] += k * a1;
      grid[g + 27] += k * b1;
      g += rowStride;
    }
  }
  stats.sumWeight[0] = sw0;
  stats.sumWeight[1] = sw1;
  stats.gridded = gridded;
  stats.dropped = dropped;
  stats.row0 = row0;
  stats.row1 = row1;
  stats.col0 = col0;
  stats.col1 = col1;
}

/** Two polarizations (the common case): an unrolled inner loop. */
function grid2(grid: Float64Array, d: ChannelData, spec: GridSpec, stats: GridStats): void {
  const { n, support: S, oversampling: O, table, slopes } = spec;
  const { data, flag, flagRow, weight, uvw, rows, chans, chan, scale } = d;
  const h = Math.floor(S / 2), half = n / 2;
  const lo = h, hi = n - S + h; // the footprint [c − h, c − h + S) must lie in [0, n)
  const wStride = d.weightPerChan ? chans * 2 : 2, wOff = d.weightPerChan ? chan * 2 : 0;
  const wx = new Float64Array(S), wy = new Float64Array(S); // per channel, not per visibility
  const rowStride = 2 * n * 2;
  let sw0 = 0, sw1 = 0, gridded = 0, dropped = 0, row0 = stats.row0, row1 = stats.row1;
  let col0 = stats.col0, col1 = stats.col1;
  for (let r = 0; r < rows; r++) {
    if (flagRow !== null && flagRow[r] !== 0) continue;
    const at = (r * chans + chan) * 2; // index of (row, chan, pol 0) in flag; ×2 in data
    let w0 = weight === null ? 1 : weight[r * wStride + wOff];
    let w1 = weight === null ? 1 : weight[r * wStride + wOff + 1];
    if (flag !== null) {
      if (flag[at] !== 0) w0 = 0;
      if (flag[at + 1] !== 0) w1 = 0;
    }
    if (!(w0 > 0)) w0 = 0;
    if (!(w1 > 0)) w1 = 0;
    if (w0 === 0 && w1 === 0) continue;
    const x = half - uvw[3 * r] * scale;
    const y = half + uvw[3 * r + 1] * scale;
    const xi = Math.floor(x + 0.5), yi = Math.floor(y + 0.5);
    if (xi < lo || xi > hi || yi < lo || yi > hi) {
      dropped++;
      continue;
    }
    kernelWeights(x - xi, { O, S, table, slopes, out: wx });
    kernelWeights(y - yi, { O, S, table, slopes, out: wy });
    const di = 2 * at;
    const a0 = w0 === 0 ? 0 : data[di] * w0, b0 = w0 === 0 ? 0 : data[di + 1] * w0;
    const a1 = w1 === 0 ? 0 : data[di + 2] * w1, b1 = w1 === 0 ? 0 : data[di + 3] * w1;
    sw0 += w0;
    sw1 += w1;
    gridded += (w0 > 0 ? 1 : 0) + (w1 > 0 ? 1 : 0);
    const y0 = yi - h;
    if (y0 < row0) row0 = y0;
    if (y0 + S > row1) row1 = y0 + S;
    if (xi - h < col0) col0 = xi - h;
    if (xi - h + S > col1) col1 = xi - h + S;
    let g = y0 * rowStride + (xi - h) * 4;
    for (let j = 0; j < S; j++) {
      const wj = wy[j];
      let idx = g;
      for (let k = 0; k < S; k++) {
        const wk = wj * wx[k];
        grid[idx] += wk * a0;
        grid[idx + 1] += wk * b0;
        grid[idx + 2] += wk * a1;
        grid[idx + 3] += wk * b1;
        idx += 4;
      }
      g += rowStride;
    }
  }
  stats.sumWeight[0] = sw0;
  stats.sumWeight[1] = sw1;
  stats.gridded = gridded;
  stats.dropped = dropped;
  stats.row0 = row0;
  stats.row1 = row1;
  stats.col0 = col0;
  stats.col1 = col1;
}

/** The `S` kernel weights of a visibility at fractional cell offset `frac` ∈ [−½, ½]. */
function kernelWeights(
  frac: number,
  o: { O: number; S: number; table: Float64Array; slopes: Float64Array; out: Float64Array },
): void {
  const f = (frac + 0.5) * o.O;
  let row = Math.floor(f);
  if (row >= o.O) row = o.O - 1;
  const t = f - row, base = row * o.S, out = o.out, table = o.table, slopes = o.slopes;
  for (let k = 0; k < o.S; k++) out[k] = table[base + k] + t * slopes[base + k];
}

/** Any number of polarizations. */
function gridAny(grid: Float64Array, d: ChannelData, spec: GridSpec, stats: GridStats): void {
  const { n, pols: P, support: S, oversampling: O, table, slopes } = spec;
  const { data, flag, flagRow, weight, uvw, rows, chans, chan, scale } = d;
  const h = Math.floor(S / 2), half = n / 2;
  const lo = h, hi = n - S + h;
  const wx = new Float64Array(S), wy = new Float64Array(S);
  const wStride = d.weightPerChan ? chans * P : P, wOff = d.weightPerChan ? chan * P : 0;
  const rowStride = 2 * n * P, P2 = 2 * P;
  const vis = new Float64Array(P2); // once per channel, not per visibility
  const sw = stats.sumWeight;
  for (let r = 0; r < rows; r++) {
    if (flagRow !== null && flagRow[r] !== 0) continue;
    const at = (r * chans + chan) * P;
    let any = false;
    for (let p = 0; p < P; p++) {
      let w = weight === null ? 1 : weight[r * wStride + wOff + p];
      if ((flag !== null && flag[at + p] !== 0) || !(w > 0)) w = 0;
      vis[2 * p] = w === 0 ? 0 : data[2 * (at + p)] * w;
      vis[2 * p + 1] = w === 0 ? 0 : data[2 * (at + p) + 1] * w;
      if (w > 0) any = true;
    }
    if (!any) continue;
    const x = half - uvw[3 * r] * scale;
    const y = half + uvw[3 * r + 1] * scale;
    const xi = Math.floor(x + 0.5), yi = Math.floor(y + 0.5);
    if (xi < lo || xi > hi || yi < lo || yi > hi) {
      stats.dropped++;
      continue;
    }
    for (let p = 0; p < P; p++) {
      let w = weight === null ? 1 : weight[r * wStride + wOff + p];
      if ((flag !== null && flag[at + p] !== 0) || !(w > 0)) w = 0;
      sw[p] += w;
      if (w > 0) stats.gridded++;
    }
    kernelWeights(x - xi, { O, S, table, slopes, out: wx });
    kernelWeights(y - yi, { O, S, table, slopes, out: wy });
    const y0 = yi - h;
    if (y0 < stats.row0) stats.row0 = y0;
    if (y0 + S > stats.row1) stats.row1 = y0 + S;
    if (xi - h < stats.col0) stats.col0 = xi - h;
    if (xi - h + S > stats.col1) stats.col1 = xi - h + S;
    let g = y0 * rowStride + (xi - h) * P2;
    for (let j = 0; j < S; j++) {
      const wj = wy[j];
      let idx = g;
      for (let k = 0; k < S; k++) {
        const wk = wj * wx[k];
        for (let q = 0; q < P2; q++) grid[idx + q] += wk * vis[q];
        idx += P2;
      }
      g += rowStride;
    }
  }
}

/**
 * Pack the Hermitian parts of polarizations `a` and `b` (b < 0: none) of the grid into one
 * complex grid `z` (n × n), so that one complex FFT gives both real images: Re = image a,
 * Im = image b, each times 2 (the ½ of the Hermitian part is left to the normalisation).
 * Returns the rows of `z` that may be non-zero.
 */
export function packPair(
  grid: Float64Array,
  z: Float64Array,
  opts: { n: number; pols: number; a: number; b: number; row0: number; row1: number },
): { row0: number; row1: number } {
  const { n, pols, a, b } = opts;
  if (opts.row1 <= opts.row0) return { row0: 0, row1: 0 };
  // rows y and their mirrors (n − y) mod n; rows outside are never read (see Fft2d)
  const lo = Math.max(0, Math.min(opts.row0, n - opts.row1 + 1));
  const hi = Math.min(n, Math.max(opts.row1, n - opts.row0 + 1));
  const P2 = pols * 2;
  for (let y = lo; y < hi; y++) {
    const my = (n - y) % n;
    const row = y * n, mrow = my * n;
    for (let x = 0; x < n; x++) {
      const mx = x === 0 ? 0 : n - x;
      const ga = (row + x) * P2 + 2 * a, gm = (mrow + mx) * P2 + 2 * a;
      let re = grid[ga] + grid[gm], im = grid[ga + 1] - grid[gm + 1];
      if (b >= 0) {
        const gb = ga + 2 * (b - a), gbm = gm + 2 * (b - a);
        re -= grid[gb + 1] - grid[gbm + 1];
        im += grid[gb] + grid[gbm];
      }
      z[2 * (row + x)] = re;
      z[2 * (row + x) + 1] = im;
    }
  }
  return { row0: lo, row1: hi };
}
