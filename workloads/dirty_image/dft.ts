/**
 * The direct Fourier transform that the check compares the image with: at a few sky positions,
 * I(l, m) = Σ w Re(V e^{+2πi(u l + v m)}) / Σ w over the unflagged visibilities of one channel
 * (the same weights, flags and 2-D geometry as the gridder, without any kernel), and optionally
 * the dirty image of a known model of point sources, Σ_s S_s B(l − l_s, m − m_s), where B is the
 * dirty beam of the same samples.
 *
 * @module
 */
import type { ChannelData } from "./gridding.ts";

/** Speed of light, m/s. */
export const C_LIGHT = 299_792_458;

/** A point source: offsets from the phase centre in radians (direction cosines) and flux in Jy. */
export interface PointSource {
  l: number;
  m: number;
  flux: number;
}

/** Values of the DFT at each point and polarization: `[point·pols + pol]`. */
export interface DftResult {
  data: Float64Array;
  /** the model's dirty image at the points (when a model was given) */
  model: Float64Array | null;
  sumWeight: Float64Array;
}

/**
 * DFT of one channel at `points` (flat `[l0, m0, l1, m1, …]`, radians), for every polarization,
 * at frequency `freq` (Hz). Visibilities whose `keep(row)` is false are left out (default: all).
 */
export function dftChannel(
  input: Omit<ChannelData, "scale">,
  opts: {
    freq: number;
    pols: number;
    points: Float64Array;
    model?: PointSource[];
    keep?: (row: number) => boolean;
  },
): DftResult {
  const { data, flag, flagRow, weight, uvw, rows, chans, chan } = input;
  const { pols: P, points } = opts;
  const np = points.length / 2;
  const model = opts.model ?? null;
  const ns = model ? model.length : 0;
  const k = (2 * Math.PI * opts.freq) / C_LIGHT;
  const wStride = input.weightPerChan ? chans * P : P, wOff = input.weightPerChan ? chan * P : 0;
  const acc = new Float64Array(np * P), macc = new Float64Array(np * P);
  const sumw = new Float64Array(P);
  const cp = new Float64Array(np), sp = new Float64Array(np);
  const cs = new Float64Array(ns), ss = new Float64Array(ns);
  const w = new Float64Array(P);
  for (let r = 0; r < rows; r++) {
    if (flagRow !== null && flagRow[r] !== 0) continue;
    if (opts.keep && !opts.keep(r)) continue;
    const at = (r * chans + chan) * P;
    let any = false;
    for (let p = 0; p < P; p++) {
      let wt = weight === null ? 1 : weight[r * wStride + wOff + p];
      if ((flag !== null && flag[at + p] !== 0) || !(wt > 0)) wt = 0;
      w[p] = wt;
      if (wt > 0) any = true;
    }
    if (!any) continue;
    const u = uvw[3 * r] * k, v = uvw[3 * r + 1] * k;
    for (let i = 0; i < np; i++) {
      const a = u * points[2 * i] + v * points[2 * i + 1];
      cp[i] = Math.cos(a);
      sp[i] = Math.sin(a);
    }
    for (let s = 0; s < ns; s++) {
      const b = u * model![s].l + v * model![s].m;
      cs[s] = Math.cos(b);
      ss[s] = Math.sin(b);
    }
    for (let p = 0; p < P; p++) {
      const wt = w[p];
      if (wt === 0) continue;
      sumw[p] += wt;
      const vr = data[2 * (at + p)], vi = data[2 * (at + p) + 1];
      for (let i = 0; i < np; i++) {
        acc[i * P + p] += wt * (vr * cp[i] - vi * sp[i]);
        let mv = 0;
        for (let s = 0; s < ns; s++) mv += model![s].flux * (cp[i] * cs[s] + sp[i] * ss[s]);
        macc[i * P + p] += wt * mv;
      }
    }
  }
  for (let i = 0; i < np; i++) {
    for (let p = 0; p < P; p++) {
      const sw = sumw[p];
      acc[i * P + p] = sw > 0 ? acc[i * P + p] / sw : 0;
      macc[i * P + p] = sw > 0 ? macc[i * P + p] / sw : 0;
    }
  }
  return { data: acc, model: model ? macc : null, sumWeight: sumw };
}
