/**
 * Is the cube right? For a sample of channels (all of them when cheap), against a direct Fourier
 * transform of the same visibilities:
 * - sampled pixels (the centre, each source's pixel, random ones) match the DFT within 1e-3 of
 *   the channel's peak. They are drawn from the central 80% of each axis: the outer tenth holds
 *   the prolate spheroidal's aliasing at padding 1.2 (up to ~1.5e-3 of the peak, as in CASA);
 * - the sum of weights equals that of the unflagged samples (flags and FLAG_ROW applied);
 * - with known sources: the centre pixel equals the model's dirty image there within 1e-3 (a lone
 *   1 Jy source at the phase centre: 1.0 ± 1e-3), and each source's peak — after removing the
 *   other sources' known sidelobes — lies within 0.5 pixel of its true position.
 *
 * @module
 */
import { rng } from "../../core/random.ts";
import { dftChannel, type PointSource } from "./dft.ts";
import type { ChannelData } from "./gridding.ts";
import { type ImagingOptions, lmToPixel, pixelToLm } from "./imager.ts";

/** Tolerance relative to the peak (DFT agreement) and absolute, Jy (centre value). */
export const TOLERANCE = 1e-3;
/** Position tolerance, pixels. */
export const POSITION_TOLERANCE = 0.5;
const RANDOM_PIXELS = 8;
const WINDOW = 3; // half size of the window for the source position (7 × 7 pixels)

/** What a thread's check found. */
export interface CheckReport {
  failures: string[];
  channels: number;
  pixels: number;
  /** worst |image − DFT| / peak seen */
  worst: number;
}

/** Evenly spread channels of `range`, as many as `budget` DFT products allow (at least 2). */
export function pickChannels(
  range: [number, number],
  opts: { rows: number; budget: number },
): number[] {
  const [a, b] = range;
  const n = b - a;
  if (n <= 0) return [];
  const perChannel = Math.max(1, opts.rows * (1 + RANDOM_PIXELS + 4 + 2 * (2 * WINDOW + 1) ** 2));
  const k = Math.min(n, Math.max(2, Math.floor(opts.budget / perChannel)));
  if (k >= n) return Array.from({ length: n }, (_, i) => a + i);
  return [...new Set(Array.from({ length: k }, (_, i) => a + Math.round((i * (n - 1)) / (k - 1))))];
}

const fmt = (v: number) => v.toPrecision(6);

/** Check one channel's image planes (`pols × imsize × imsize`); failures go to `report`. */
export function checkChannel(
  report: CheckReport,
  c: {
    chan: number;
    image: Float32Array;
    sumWeight: Float64Array;
    input: Omit<ChannelData, "scale">;
    freq: number;
    imaging: ImagingOptions;
    sources: PointSource[] | null;
    polFlux: number[];
    seed: number;
  },
): void {
  const { imsize: N, pols: P } = c.imaging;
  const plane = N * N, centre = Math.floor(N / 2);
  const inner = Math.floor(0.4 * N);
  const pix: [number, number][] = [[centre, centre]];
  for (const s of c.sources ?? []) {
    const [x, y] = lmToPixel(s.l, s.m, c.imaging).map(Math.round);
    if (Math.abs(x - centre) <= inner && Math.abs(y - centre) <= inner) pix.push([x, y]);
  }
  const random = rng(c.seed, c.chan);
  for (let i = 0; i < RANDOM_PIXELS; i++) {
    pix.push([centre + random.int(-inner, inner + 1), centre + random.int(-inner, inner + 1)]);
  }
  const points = new Float64Array(pix.flatMap(([x, y]) => pixelToLm(x, y, c.imaging)));
  const dft = dftChannel(c.input, { freq: c.freq, pols: P, points, model: c.sources ?? undefined });
  report.channels++;
  report.pixels += pix.length * P;
  let peak = 0;
  for (let i = 0; i < P * plane; i++) peak = Math.max(peak, Math.abs(c.image[i]));
  const tol = TOLERANCE * Math.max(peak, 1e-12);
  for (let p = 0; p < P; p++) {
    const where = `channel ${c.chan} pol ${p}`;
    const sw = c.sumWeight[p], want = dft.sumWeight[p];
    if (Math.abs(sw - want) > 1e-9 * Math.max(1, want)) {
      report.failures.push(
        `${where}: sum of weights ${fmt(sw)} differs from the unflagged samples' ${fmt(want)} ` +
          `(flags not applied?)`,
      );
    }
    if (want === 0) continue;
    pix.forEach(([x, y], i) => {
      const got = c.image[p * plane + y * N + x], ref = dft.data[i * P + p];
      const dev = Math.abs(got - ref);
      report.worst = Math.max(report.worst, dev / Math.max(peak, 1e-12));
      if (!(dev <= tol)) {
        report.failures.push(
          `${where} pixel (${x}, ${y}): image ${fmt(got)} vs direct Fourier transform ${
            fmt(ref)
          } ` +
            `(|Δ| ${dev.toExponential(2)} > 1e-3 × peak ${fmt(peak)})`,
        );
      }
    });
    if (dft.model && c.polFlux[p] !== 0) {
      const want0 = dft.model[p] * c.polFlux[p], got0 = c.image[p * plane + centre * N + centre];
      if (!(Math.abs(got0 - want0) <= TOLERANCE)) {
        report.failures.push(
          `${where}: centre pixel ${fmt(got0)} Jy, expected ${
            fmt(want0)
          } ± 1e-3 from the known sources`,
        );
      }
    }
  }
  if (c.sources) checkPositions(report, c);
}

/** Each source's peak (other sources' sidelobes removed) within 0.5 pixel of its position. */
function checkPositions(report: CheckReport, c: Parameters<typeof checkChannel>[1]): void {
  const { imsize: N, pols: P } = c.imaging;
  const sources = c.sources!;
  const brightest = Math.max(...sources.map((s) => Math.abs(s.flux)));
  const p = c.polFlux.findIndex((f) => f !== 0);
  if (p < 0) return;
  sources.forEach((s, si) => {
    if (Math.abs(s.flux) < 0.3 * brightest) return;
    const [tx, ty] = lmToPixel(s.l, s.m, c.imaging);
    const cx = Math.round(tx), cy = Math.round(ty);
    if (cx - WINDOW < 0 || cy - WINDOW < 0 || cx + WINDOW >= N || cy + WINDOW >= N) return;
    const pix: [number, number][] = [];
    for (let y = cy - WINDOW; y <= cy + WINDOW; y++) {
      for (let x = cx - WINDOW; x <= cx + WINDOW; x++) {
        pix.push([x, y]);
      }
    }
    const points = new Float64Array(pix.flatMap(([x, y]) => pixelToLm(x, y, c.imaging)));
    const others = sources.filter((_, j) => j !== si);
    const model = others.length
      ? dftChannel(c.input, { freq: c.freq, pols: P, points, model: others }).model!
      : new Float64Array(pix.length * P);
    const W = 2 * WINDOW + 1;
    const res = new Float64Array(W * W);
    pix.forEach(([x, y], i) => {
      res[i] = Math.sign(s.flux) *
        (c.image[p * N * N + y * N + x] - model[i * P + p] * c.polFlux[p]);
    });
    // brightest pixel of the inner 5 × 5, refined by a parabola through its neighbours
    let best = -Infinity, bi = 0, bj = 0;
    for (let j = 1; j < W - 1; j++) {
      for (let i = 1; i < W - 1; i++) {
        if (res[j * W + i] > best) {
          best = res[j * W + i];
          bi = i;
          bj = j;
        }
      }
    }
    const vertex = (a: number, b: number, d: number) => {
      const den = a - 2 * b + d;
      return den < 0 ? (0.5 * (a - d)) / den : 0;
    };
    const fx = cx - WINDOW + bi + vertex(res[bj * W + bi - 1], best, res[bj * W + bi + 1]);
    const fy = cy - WINDOW + bj + vertex(res[(bj - 1) * W + bi], best, res[(bj + 1) * W + bi]);
    const off = Math.hypot(fx - tx, fy - ty);
    if (!(off <= POSITION_TOLERANCE)) {
      report.failures.push(
        `channel ${c.chan}: source ${si + 1} found at pixel (${fx.toFixed(2)}, ${
          fy.toFixed(2)
        }), ` +
          `${off.toFixed(2)} px from its true position (${tx.toFixed(2)}, ${ty.toFixed(2)})`,
      );
    }
  });
}
