/**
 * Synthetic visibility stores in the CNGI layout: exact analytic visibilities of point sources,
 * V = Σ S·exp(−2πi(u l + v m + w(n − 1))), for an ALMA-like array as the earth turns, channels
 * evenly spaced around a centre frequency, natural weights in [0.5, 1.5), and flags on a chosen
 * fraction of the samples (plus a tenth of that fraction of whole rows, FLAG_ROW, whose samples are
 * all flagged in FLAG as well). Flagged samples hold garbage (100 − 50i Jy), so an imager that
 * ignores flags fails the check.
 *
 * Flags and weights are a hash of (seed, time, baseline, chan, pol): the dataset does not depend
 * on the chunking, and any part of it can be generated alone (e.g. one rank's channels).
 *
 * @module
 */
import { antennaLayout, baselinePairs, uvwAt } from "./antennas.ts";
import { C_LIGHT, type PointSource } from "./dft.ts";
import { POL_FLUX_ATTR, SOURCES_ATTR } from "./vis_store.ts";
import type { WriteStore } from "./zarr_store.ts";
import { type Compressor, itemSize, ZarrWriter } from "./zarr_write.ts";

const ARCSEC = Math.PI / 180 / 3600;
const SIDEREAL_DAY = 86164.0905;
/** CASA Stokes codes of the correlations for 1, 2 or 4 polarizations. */
const POL_CODES: Record<number, number[]> = { 1: [9], 2: [9, 12], 4: [9, 10, 11, 12] };

/** What to generate. */
export interface VisOptions {
  antennas: number;
  times: number;
  chans: number;
  /** 1, 2 (XX, YY) or 4 (XX, XY, YX, YY; cross hands are 0 for unpolarised sources) */
  pols: number;
  /** chunk shape (time, baseline, chan, pol) */
  chunks: [number, number, number, number];
  format: 2 | 3;
  compressor: Compressor;
  dtype: "complex64" | "complex128";
  /** point sources, radians and Jy */
  sources: PointSource[];
  flagFraction: number;
  seed: number;
  /** centre frequency and total bandwidth, Hz */
  freq: number;
  bandwidth: number;
  /** declination of the phase centre, radians */
  dec: number;
  /** observation length, seconds (the times are spread evenly over it, centred on transit) */
  duration: number;
  /** longest baseline, metres */
  maxBaseline: number;
  /** WEIGHT per channel (time, baseline, chan, pol) instead of (time, baseline, pol) */
  weightPerChan: boolean;
}

/** Options with their defaults: `data vis` and the synthetic workload store share them. */
export const VIS_DEFAULTS = {
  format: 2 as const,
  compressor: { id: "blosc", cname: "lz4", clevel: 5, shuffle: 1 } as Compressor,
  dtype: "complex64" as const,
  sources: [{ l: 0, m: 0, flux: 1 }],
  flagFraction: 0.05,
  seed: 1,
  freq: 230e9,
  bandwidth: 2e9,
  dec: (-30 * Math.PI) / 180,
  duration: 3600,
  maxBaseline: 3600,
  weightPerChan: false,
};

/** Sizes of a planned store (uncompressed bytes). */
export interface VisPlan {
  baselines: number;
  rows: number;
  visibilities: number;
  dataBytes: number;
  totalBytes: number;
  /** chunk files of DATA, FLAG (and per-channel WEIGHT) to write */
  chunkFiles: number;
}

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

/** Sizes of the store `opts` describes, before writing it. */
export function planVis(opts: VisOptions): VisPlan {
  const B = (opts.antennas * (opts.antennas - 1)) / 2;
  const rows = opts.times * B;
  const vis = rows * opts.chans * opts.pols;
  const dataBytes = vis * itemSize(opts.dtype);
  const weights = opts.weightPerChan ? vis : rows * opts.pols;
  const totalBytes = dataBytes + vis + rows * 24 + weights * 4 + rows + opts.chans * 8;
  const [ct, cb, cc, cp] = opts.chunks;
  const visChunks = ceilDiv(opts.times, ct) * ceilDiv(B, cb) * ceilDiv(opts.chans, cc) *
    ceilDiv(opts.pols, cp);
  return {
    baselines: B,
    rows,
    visibilities: vis,
    dataBytes,
    totalBytes,
    chunkFiles: (opts.weightPerChan ? 3 : 2) * visChunks,
  };
}

function mix(h: number, v: number): number {
  h = Math.imul(h ^ (v >>> 0), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** A well-mixed 32-bit hash of a few integers, as a number in [0, 1). */
export function hashUnit(seed: number, a: number, b: number, c: number, d: number): number {
  const h = mix(mix(mix(mix((seed ^ 0x9e3779b9) >>> 0, a), b), c), d);
  return (h >>> 0) / 4294967296;
}

/** Is sample (t, b, c, p) flagged on its own (its row may be flagged too: {@linkcode isRowFlagged})? */
export function isFlagged(
  opts: { seed: number; flagFraction: number },
  t: number,
  b: number,
  c: number,
  p: number,
): boolean {
  return hashUnit(opts.seed, t, b, c, p) < opts.flagFraction;
}
/** Is row (t, b) flagged (FLAG_ROW, and every sample of it in FLAG)? */
export function isRowFlagged(
  opts: { seed: number; flagFraction: number },
  t: number,
  b: number,
): boolean {
  return hashUnit(opts.seed ^ 0x5bd1e995, t, b, -1, -1) < opts.flagFraction / 10;
}
function weightOf(seed: number, t: number, b: number, c: number, p: number): number {
  return 0.5 + hashUnit(seed ^ 0x27d4eb2f, t, b, c, p);
}

/** Channel frequencies, Hz: `chans` evenly spaced over `bandwidth` around `freq`. */
export function channelFreqs(
  opts: { chans: number; freq: number; bandwidth: number },
): Float64Array {
  const df = opts.bandwidth / opts.chans;
  return Float64Array.from(
    { length: opts.chans },
    (_, c) => opts.freq + (c - (opts.chans - 1) / 2) * df,
  );
}

/** UVW in metres of every row (time × baseline): [rows, 3]. */
export function visUvw(opts: VisOptions): Float64Array {
  const enu = antennaLayout(opts.antennas, { maxBaseline: opts.maxBaseline, seed: opts.seed });
  const pairs = baselinePairs(opts.antennas);
  const B = pairs.length / 2;
  const out = new Float64Array(opts.times * B * 3);
  for (let t = 0; t < opts.times; t++) {
    const frac = opts.times > 1 ? t / (opts.times - 1) - 0.5 : 0;
    const hourAngle = (frac * opts.duration * 2 * Math.PI) / SIDEREAL_DAY;
    uvwAt(enu, pairs, { hourAngle, dec: opts.dec, out, offset: t * B * 3 });
  }
  return out;
}

/** Progress of {@linkcode writeVis}: chunk files written of the total. */
export type Progress = (done: number, total: number) => void;

/**
 * Write the store to `store`; only the DATA/FLAG chunks overlapping `channels` (default all)
 * are written — the other arrays are always complete.
 */
export async function writeVis(
  store: WriteStore,
  opts: VisOptions & { channels?: [number, number]; onProgress?: Progress },
): Promise<VisPlan> {
  const plan = planVis(opts);
  const { times: T, chans: C, pols: P } = opts;
  const B = plan.baselines;
  const [ct, cb, cc, cp] = opts.chunks.map((v, i) => Math.max(1, Math.min(v, [T, B, C, P][i])));
  const [lo, hi] = opts.channels ?? [0, C];
  const w = new ZarrWriter(store, { format: opts.format, compressor: opts.compressor });
  const tb = ["time", "baseline"];
  await w.createArray({
    name: "DATA",
    shape: [T, B, C, P],
    chunks: [ct, cb, cc, cp],
    dtype: opts.dtype,
    dims: [...tb, "chan", "pol"],
  });
  await w.createArray({
    name: "FLAG",
    shape: [T, B, C, P],
    chunks: [ct, cb, cc, cp],
    dtype: "bool",
    dims: [...tb, "chan", "pol"],
  });
  await w.createArray({ name: "FLAG_ROW", shape: [T, B], chunks: [T, B], dtype: "bool", dims: tb });
  await w.createArray({
    name: "UVW",
    shape: [T, B, 3],
    chunks: [T, B, 3],
    dtype: "float64",
    dims: [...tb, "uvw_index"],
    attrs: { units: "m" },
  });
  const wShape = opts.weightPerChan ? [T, B, C, P] : [T, B, P];
  await w.createArray({
    name: "WEIGHT",
    shape: wShape,
    chunks: opts.weightPerChan ? [ct, cb, cc, cp] : wShape,
    dtype: "float32",
    dims: opts.weightPerChan ? [...tb, "chan", "pol"] : [...tb, "pol"],
  });
  await w.createArray({
    name: "chan",
    shape: [C],
    chunks: [C],
    dtype: "float64",
    dims: ["chan"],
    attrs: { units: "Hz" },
  });
  await w.createArray({
    name: "time",
    shape: [T],
    chunks: [T],
    dtype: "float64",
    dims: ["time"],
    attrs: { units: "s" },
  });
  await w.createArray({ name: "pol", shape: [P], chunks: [P], dtype: "int32", dims: ["pol"] });
  await w.createArray({
    name: "baseline",
    shape: [B],
    chunks: [B],
    dtype: "int32",
    dims: ["baseline"],
  });

  const uvw = visUvw(opts);
  const freqs = channelFreqs(opts);
  const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  await w.writeChunk("UVW", [0, 0, 0], bytes(uvw));
  await w.writeChunk("chan", [0], bytes(freqs));
  await w.writeChunk(
    "time",
    [0],
    bytes(Float64Array.from({ length: T }, (_, t) => (t * opts.duration) / Math.max(1, T - 1))),
  );
  await w.writeChunk(
    "pol",
    [0],
    bytes(Int32Array.from(POL_CODES[P] ?? Array.from({ length: P }, (_, p) => p))),
  );
  await w.writeChunk("baseline", [0], bytes(Int32Array.from({ length: B }, (_, b) => b)));
  const flagRow = new Uint8Array(T * B);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) flagRow[t * B + b] = isRowFlagged(opts, t, b) ? 1 : 0;
  }
  await w.writeChunk("FLAG_ROW", [0, 0], flagRow);
  if (!opts.weightPerChan) {
    const wt = new Float32Array(T * B * P);
    for (let r = 0; r < T * B; r++) {
      for (let p = 0; p < P; p++) {
        wt[r * P + p] = weightOf(opts.seed, Math.floor(r / B), r % B, -1, p);
      }
    }
    await w.writeChunk("WEIGHT", [0, 0, 0], bytes(wt));
  }

  const nChunks = [ceilDiv(T, ct), ceilDiv(B, cb), ceilDiv(C, cc), ceilDiv(P, cp)];
  const cFirst = Math.floor(lo / cc), cLast = Math.ceil(hi / cc);
  const total = (cLast - cFirst) * nChunks[0] * nChunks[1] * nChunks[3] *
    (opts.weightPerChan ? 3 : 2);
  let done = 0;
  const n = ct * cb * cc * cp;
  const data = opts.dtype === "complex64" ? new Float32Array(2 * n) : new Float64Array(2 * n);
  const flag = new Uint8Array(n);
  const weight = new Float32Array(n);
  const gen = makeRowGenerator(opts, { uvw, freqs });
  for (let ic = cFirst; ic < cLast; ic++) {
    for (let it = 0; it < nChunks[0]; it++) {
      for (let ib = 0; ib < nChunks[1]; ib++) {
        for (let ip = 0; ip < nChunks[3]; ip++) {
          data.fill(0);
          flag.fill(0);
          weight.fill(0);
          const box = {
            t0: it * ct,
            b0: ib * cb,
            c0: ic * cc,
            p0: ip * cp,
            ct,
            cb,
            cc,
            cp,
            B,
            T,
            C,
            P,
          };
          gen(box, { data, flag, weight, flagRow });
          await w.writeChunk("DATA", [it, ib, ic, ip], bytes(data));
          await w.writeChunk("FLAG", [it, ib, ic, ip], flag);
          done += 2;
          if (opts.weightPerChan) {
            await w.writeChunk("WEIGHT", [it, ib, ic, ip], bytes(weight));
            done++;
          }
          opts.onProgress?.(done, total);
        }
      }
    }
  }
  await w.close({
    [POL_FLUX_ATTR]: Array.from({ length: P }, (_, p) => (P === 4 && (p === 1 || p === 2) ? 0 : 1)),
    [SOURCES_ATTR]: opts.sources.map((s) => ({
      l_arcsec: s.l / ARCSEC,
      m_arcsec: s.m / ARCSEC,
      flux_jy: s.flux,
    })),
    scalebench_generator: {
      antennas: opts.antennas,
      seed: opts.seed,
      flag_fraction: opts.flagFraction,
      freq_hz: opts.freq,
      bandwidth_hz: opts.bandwidth,
      dec_deg: (opts.dec * 180) / Math.PI,
      duration_s: opts.duration,
      max_baseline_m: opts.maxBaseline,
    },
  });
  return plan;
}

interface Box {
  t0: number;
  b0: number;
  c0: number;
  p0: number;
  ct: number;
  cb: number;
  cc: number;
  cp: number;
  T: number;
  B: number;
  C: number;
  P: number;
}

/** Fills one chunk's DATA/FLAG/WEIGHT; the phase advances by one complex rotation per channel. */
function makeRowGenerator(opts: VisOptions, geo: { uvw: Float64Array; freqs: Float64Array }) {
  const src = opts.sources;
  const ns = src.length;
  const nm1 = src.map((s) => Math.sqrt(Math.max(0, 1 - s.l * s.l - s.m * s.m)) - 1);
  const df = opts.chans > 1 ? geo.freqs[1] - geo.freqs[0] : 0;
  const cross = (p: number) => opts.pols === 4 && (p === 1 || p === 2);
  const re = new Float64Array(ns),
    im = new Float64Array(ns),
    sr = new Float64Array(ns),
    si = new Float64Array(ns);
  return (
    box: Box,
    out: {
      data: Float32Array | Float64Array;
      flag: Uint8Array;
      weight: Float32Array;
      flagRow: Uint8Array;
    },
  ) => {
    const { data, flag, weight, flagRow } = out;
    const tEnd = Math.min(box.t0 + box.ct, box.T), bEnd = Math.min(box.b0 + box.cb, box.B);
    const cEnd = Math.min(box.c0 + box.cc, box.C), pEnd = Math.min(box.p0 + box.cp, box.P);
    for (let t = box.t0; t < tEnd; t++) {
      for (let b = box.b0; b < bEnd; b++) {
        const r = t * box.B + b;
        const u = geo.uvw[3 * r], v = geo.uvw[3 * r + 1], w = geo.uvw[3 * r + 2];
        for (let s = 0; s < ns; s++) {
          const k = (-2 * Math.PI * (u * src[s].l + v * src[s].m + w * nm1[s])) / C_LIGHT;
          re[s] = src[s].flux * Math.cos(k * geo.freqs[box.c0]);
          im[s] = src[s].flux * Math.sin(k * geo.freqs[box.c0]);
          sr[s] = Math.cos(k * df);
          si[s] = Math.sin(k * df);
        }
        const rowBad = flagRow[r] !== 0;
        for (let c = box.c0; c < cEnd; c++) {
          let vr = 0, vi = 0;
          for (let s = 0; s < ns; s++) {
            vr += re[s];
            vi += im[s];
            const nr = re[s] * sr[s] - im[s] * si[s];
            im[s] = re[s] * si[s] + im[s] * sr[s];
            re[s] = nr;
          }
          const at = (((t - box.t0) * box.cb + (b - box.b0)) * box.cc + (c - box.c0)) * box.cp;
          for (let p = box.p0; p < pEnd; p++) {
            const i = at + p - box.p0;
            // a FLAG_ROW row is flagged in FLAG too: readers that ignore FLAG_ROW (ngCASA) skip it
            const bad = rowBad || isFlagged(opts, t, b, c, p);
            flag[i] = bad ? 1 : 0;
            if (bad) {
              data[2 * i] = 100;
              data[2 * i + 1] = -50;
            } else if (!cross(p)) {
              data[2 * i] = vr;
              data[2 * i + 1] = vi;
            }
            weight[i] = weightOf(opts.seed, t, b, opts.weightPerChan ? c : -1, p);
          }
        }
      }
    }
  };
}
