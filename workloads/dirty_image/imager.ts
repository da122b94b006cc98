/**
 * Dirty images of single channels: grid (natural weights, prolate spheroidal kernel), pack pairs
 * of polarizations into one complex FFT of the padded grid, then crop, grid-correct and
 * normalise. An {@linkcode Imager} owns every buffer it needs, so imaging a channel allocates
 * nothing; make one per thread and reuse it.
 *
 * @module
 */
import { type Crop, extractStrip, makeCrop } from "./correct.ts";
import { C_LIGHT } from "./dft.ts";
import { Fft2d, goodSize } from "./fft.ts";
import {
  type ChannelData,
  gridChannel,
  type GridSpec,
  type GridStats,
  kernelSlopes,
  newStats,
  packPair,
} from "./gridding.ts";
import { gridCorrection, kernelTable } from "./pswf.ts";

/** Imaging parameters. */
export interface ImagingOptions {
  /** image side, pixels */
  imsize: number;
  /** pixel size, radians */
  cell: number;
  /** padding factor of the grid (≥ 1) */
  padding: number;
  support: number;
  oversampling: number;
  pols: number;
}

/** Side of the padded grid: imsize × padding, rounded up to an even 5-smooth size. */
export function paddedSize(imsize: number, padding: number): number {
  return goodSize(Math.ceil(imsize * padding - 1e-9));
}

/** What imaging one channel produced. */
export interface ChannelResult {
  sumWeight: Float64Array;
  gridded: number;
  dropped: number;
}

/** Per-thread imaging state: kernel table, correction, grid, FFT plan and buffers. */
export class Imager {
  readonly opts: ImagingOptions;
  readonly n: number;
  readonly spec: GridSpec;
  readonly crop: Crop;
  /** uv cell, wavelengths */
  readonly du: number;
  readonly grid: Float64Array;
  /** FFT output columns the crop reads */
  #cols: [number, number][];
  #z: Float64Array;
  #fft: Fft2d;
  #stats: GridStats;

  constructor(opts: ImagingOptions) {
    this.opts = opts;
    const n = this.n = paddedSize(opts.imsize, opts.padding);
    const table = kernelTable(opts.support, opts.oversampling);
    this.spec = {
      n,
      pols: opts.pols,
      support: opts.support,
      oversampling: opts.oversampling,
      table,
      slopes: kernelSlopes(table, opts.support),
    };
    this.crop = makeCrop(n, opts.imsize, gridCorrection(n, opts.support));
    this.#cols = ranges(n, this.crop.q);
    this.du = 1 / (n * opts.cell);
    this.grid = new Float64Array(n * n * opts.pols * 2);
    this.#z = new Float64Array(n * n * 2);
    this.#fft = new Fft2d(n, 1);
    this.#stats = newStats(opts.pols);
  }

  /** Grid cells per metre of baseline at `freq` Hz. */
  scale(freq: number): number {
    return freq / C_LIGHT / this.du;
  }

  /** Grid one channel (the grid keeps it until the next call). */
  grid1(input: Omit<ChannelData, "scale">, freq: number): GridStats {
    gridChannel(this.grid, { ...input, scale: this.scale(freq) }, {
      spec: this.spec,
      stats: this.#stats,
    });
    return this.#stats;
  }

  /**
   * Image one channel into `out` (`pols × imsize × imsize` float32, row-major per pol).
   * Polarizations without weight give zero images.
   */
  image(
    input: Omit<ChannelData, "scale">,
    opts: { freq: number; out: Float32Array },
  ): ChannelResult {
    const stats = this.grid1(input, opts.freq);
    this.transform(opts.out);
    return { sumWeight: stats.sumWeight.slice(), gridded: stats.gridded, dropped: stats.dropped };
  }

  /** FFT, crop, correct and normalise the current grid into `out`. */
  transform(out: Float32Array): void {
    const { pols, imsize } = this.opts;
    const plane = imsize * imsize;
    const stats = this.#stats;
    for (let a = 0; a < pols; a += 2) {
      const b = a + 1 < pols ? a + 1 : -1;
      const rows = packPair(this.grid, this.#z, {
        n: this.n,
        pols,
        a,
        b,
        row0: stats.row0,
        row1: stats.row1,
      });
      const outA = out.subarray(a * plane, (a + 1) * plane);
      const outB = b >= 0 ? out.subarray(b * plane, (b + 1) * plane) : null;
      const swa = stats.sumWeight[a], swb = b >= 0 ? stats.sumWeight[b] : 0;
      if (rows.row1 <= rows.row0) {
        outA.fill(0);
        outB?.fill(0);
        continue;
      }
      const scales = { scaleA: swa > 0 ? 1 / (2 * swa) : 0, scaleB: swb > 0 ? 1 / (2 * swb) : 0 };
      this.#fft.runStrips(this.#z, {
        ...rows,
        cols: this.#cols,
        strip: (t, c0, c1) =>
          extractStrip(t, { a: outA, b: outB }, { crop: this.crop, ...scales, c0, c1 }),
      });
    }
  }
}

/** The indices in `q` as sorted ranges [a, b) of [0, n). */
function ranges(n: number, q: Int32Array): [number, number][] {
  const used = new Uint8Array(n);
  for (const k of q) used[k] = 1;
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    if (!used[i]) continue;
    let j = i;
    while (j < n && used[j]) j++;
    out.push([i, j]);
    i = j;
  }
  return out;
}

/** Sky offsets (l, m) in radians of image pixel (ix, iy): l = −(ix − N/2)·cell, m = (iy − N/2)·cell. */
export function pixelToLm(
  ix: number,
  iy: number,
  opts: { imsize: number; cell: number },
): [number, number] {
  const c = Math.floor(opts.imsize / 2);
  return [(c - ix) * opts.cell, (iy - c) * opts.cell];
}

/** Fractional pixel position (ix, iy) of sky offsets (l, m) in radians. */
export function lmToPixel(
  l: number,
  m: number,
  opts: { imsize: number; cell: number },
): [number, number] {
  const c = Math.floor(opts.imsize / 2);
  return [c - l / opts.cell, c + m / opts.cell];
}
