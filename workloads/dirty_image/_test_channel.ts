/**
 * Test data: one channel of analytic visibilities of point sources (2 polarizations) for an
 * ALMA-like array, with some samples flagged and filled with garbage.
 *
 * @module
 */
import { antennaLayout, baselinePairs, uvwAt } from "./antennas.ts";
import { C_LIGHT, type PointSource } from "./dft.ts";
import type { ChannelData } from "./gridding.ts";

/** One channel of analytic visibilities (2 pols) of `sources`, some of it flagged with garbage. */
export function channel(
  sources: PointSource[],
  opts: { antennas: number; times: number; freq: number; flagEvery?: number },
): Omit<ChannelData, "scale"> {
  const enu = antennaLayout(opts.antennas, { maxBaseline: 3600, seed: 3 });
  const pairs = baselinePairs(opts.antennas);
  const nb = pairs.length / 2, rows = opts.times * nb;
  const uvw = new Float64Array(rows * 3);
  for (let t = 0; t < opts.times; t++) {
    const ha = ((t / Math.max(1, opts.times - 1)) - 0.5) * (Math.PI / 6);
    uvwAt(enu, pairs, { hourAngle: ha, dec: -0.5, out: uvw, offset: t * nb * 3 });
  }
  const data = new Float32Array(rows * 4), flag = new Uint8Array(rows * 2);
  const weight = new Float32Array(rows * 2);
  const k = (2 * Math.PI * opts.freq) / C_LIGHT;
  for (let r = 0; r < rows; r++) {
    let re = 0, im = 0;
    for (const s of sources) {
      const n1 = Math.sqrt(1 - s.l * s.l - s.m * s.m) - 1;
      const ph = -k * (uvw[3 * r] * s.l + uvw[3 * r + 1] * s.m + uvw[3 * r + 2] * n1);
      re += s.flux * Math.cos(ph);
      im += s.flux * Math.sin(ph);
    }
    for (let p = 0; p < 2; p++) {
      weight[2 * r + p] = 0.5 + ((r * 7 + p * 3) % 11) / 10;
      if (opts.flagEvery && (r * 2 + p) % opts.flagEvery === 0) {
        flag[2 * r + p] = 1;
        data[4 * r + 2 * p] = 1000;
        data[4 * r + 2 * p + 1] = -777;
      } else {
        data[4 * r + 2 * p] = re;
        data[4 * r + 2 * p + 1] = im;
      }
    }
  }
  return { data, flag, flagRow: null, weight, weightPerChan: false, uvw, rows, chans: 1, chan: 0 };
}
