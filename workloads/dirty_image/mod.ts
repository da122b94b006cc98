/**
 * `dirty-image`: ngCASA's cube imaging benchmark. A dirty image per channel (and polarization) of
 * a Zarr visibility store in the CNGI layout: apply flags, natural weights, convolutional gridding
 * with the prolate spheroidal kernel (support 7, oversampling 100), FFT of the padded grid
 * (padding 1.2), grid correction, normalisation by the sum of weights, and the cube written to
 * Zarr v3, chunked by channel. Channels partition over ranks × threads.
 *
 * `store=synthetic` (the default) generates the preset's dataset — exact visibilities of known
 * point sources — into each rank's scratch directory (its own channels only) before timing. Weak
 * mode grows the channels with the cores.
 *
 * @module
 */
import { quote, ValidationError } from "../../core/errors.ts";
import type { ScalePoint } from "../../core/types.ts";
import { defineWorkload, partition, type RankContext } from "../../core/workload.ts";
import { type CheckReport, TOLERANCE } from "./check.ts";
import { C_LIGHT } from "./dft.ts";
import { channelFreqs, VIS_DEFAULTS, visUvw, writeVis } from "./generator.ts";
import { type ImagingOptions, paddedSize, pixelToLm } from "./imager.ts";
import {
  type CheckArgs,
  checkKernel,
  type ImageArgs,
  imageKernel,
  openKernel,
  type ThreadImageResult,
} from "./kernels.ts";
import {
  ARCSEC,
  type DirtyParams,
  imagedChans,
  maxCell,
  PARAMS,
  parseSources,
  PRESETS,
  rememberDims,
  visibilities,
} from "./presets.ts";
import { inspectVisStore, type VisMeta, VisReader } from "./vis_store.ts";
import { DirectoryStore } from "./zarr_store.ts";
import { ZarrWriter } from "./zarr_write.ts";

/** What every rank keeps between operations. */
export interface DirtyState {
  args: ImageArgs;
  meta: VisMeta;
}

/** What one rank's imaging returns. */
export interface RankImageResult {
  range: [number, number];
  pols: number;
  sumWeight: number[];
  centre: number[];
  peakAt: number[];
  gridded: number;
  dropped: number;
  seconds: ThreadImageResult["seconds"];
}

type Ctx = RankContext<DirtyParams>;

/** Largest |u| or |v| in wavelengths at the highest frequency. */
function uvMax(uvw: Float64Array, freqs: Float64Array): number {
  let m = 0;
  for (let i = 0; i < uvw.length; i += 3) m = Math.max(m, Math.abs(uvw[i]), Math.abs(uvw[i + 1]));
  return (m * Math.max(...freqs)) / C_LIGHT;
}

function checkGeometry(p: DirtyParams, where: string, uvm: number): void {
  const n = paddedSize(p.imsize, p.padding);
  const limit = maxCell(uvm, { n, support: p.support });
  if (p.cell > limit) {
    throw new ValidationError(
      `Parameter 'cell' of workload 'dirty-image' is too large for ${where}: baselines reach ` +
        `${(uvm / 1e3).toFixed(1)} kλ, so cell must be ≤ ${limit.toPrecision(4)} arcsec (got ${
          quote(p.cell)
        })`,
    );
  }
}

function syntheticOptions(p: DirtyParams, chans: number, seed: number) {
  const pr = PRESETS[p.preset];
  return {
    ...VIS_DEFAULTS,
    antennas: pr.antennas,
    times: pr.times,
    chans,
    pols: pr.pols,
    chunks: [...pr.chunks] as [number, number, number, number],
    sources: parseSources(p.sources, "Parameter 'sources' of workload 'dirty-image'"),
    flagFraction: p.flag_fraction,
    seed,
  };
}

function imagingOptions(p: DirtyParams, pols: number): ImagingOptions {
  return {
    imsize: p.imsize,
    cell: p.cell * ARCSEC,
    padding: p.padding,
    support: p.support,
    oversampling: p.oversampling,
    pols,
  };
}

/** Write the cube's metadata and coordinates (every rank writes the same bytes). */
async function writeCubeMeta(
  out: string,
  c: { p: DirtyParams; meta: VisMeta; freqs: Float64Array; chans: number },
) {
  const { p, meta } = c;
  const P = meta.dims.pols, N = p.imsize;
  const w = new ZarrWriter(new DirectoryStore(out), { format: 3, compressor: null });
  await w.createArray({
    name: "IMAGE",
    shape: [c.chans, P, N, N],
    chunks: [1, P, N, N],
    dtype: "float32",
    dims: ["chan", "pol", "m", "l"],
    attrs: { units: "Jy/beam" },
  });
  await w.createArray({
    name: "SUM_WEIGHT",
    shape: [c.chans, P],
    chunks: [1, P],
    dtype: "float64",
    dims: ["chan", "pol"],
  });
  await w.createArray({
    name: "chan",
    shape: [c.chans],
    chunks: [c.chans],
    dtype: "float64",
    dims: ["chan"],
    attrs: { units: "Hz" },
  });
  await w.createArray({
    name: "l",
    shape: [N],
    chunks: [N],
    dtype: "float64",
    dims: ["l"],
    attrs: { units: "rad" },
  });
  await w.createArray({
    name: "m",
    shape: [N],
    chunks: [N],
    dtype: "float64",
    dims: ["m"],
    attrs: { units: "rad" },
  });
  const bytes = (a: Float64Array) => new Uint8Array(a.buffer);
  const opts = { imsize: N, cell: p.cell * ARCSEC };
  await w.writeChunk(
    "chan",
    [0],
    bytes(Float64Array.from({ length: c.chans }, (_, i) => c.freqs[i % c.freqs.length])),
  );
  await w.writeChunk(
    "l",
    [0],
    bytes(Float64Array.from({ length: N }, (_, i) => pixelToLm(i, 0, opts)[0])),
  );
  await w.writeChunk(
    "m",
    [0],
    bytes(Float64Array.from({ length: N }, (_, i) => pixelToLm(0, i, opts)[1])),
  );
  await w.close({
    scalebench_dirty_image: {
      store: p.store,
      cell_arcsec: p.cell,
      imsize: N,
      padding: p.padding,
      padded_size: paddedSize(N, p.padding),
      support: p.support,
      oversampling: p.oversampling,
      weighting: "natural",
    },
  });
}

async function prepare(ctx: Ctx): Promise<DirtyState> {
  const p = ctx.params;
  let store = p.store, meta: VisMeta | null = null;
  if (store !== "synthetic") meta = await inspectVisStore(store);
  // strong mode: chans = 0 (all); weak mode: the grown count, read cyclically from the store
  const chans = p.chans > 0 ? p.chans : meta ? meta.dims.chans : imagedChans(p);
  const range = partition(chans, ctx.ranks, ctx.rank);
  if (store === "synthetic") {
    store = `${ctx.scratchDir}/synthetic_vis.zarr`;
    const opts = syntheticOptions(p, chans, ctx.seed);
    await writeVis(new DirectoryStore(store), { ...opts, channels: range });
    meta = await inspectVisStore(store);
  }
  meta = meta!;
  const reader = await VisReader.open(store, meta);
  checkGeometry(p, `store ${quote(p.store, 200)}`, uvMax(await reader.readUvw(), reader.freqs));
  const out = p.out || `${ctx.scratchDir}/dirty_image.zarr`;
  await writeCubeMeta(out, { p, meta, freqs: reader.freqs, chans });
  const args: ImageArgs = {
    store,
    meta,
    range,
    chanChunk: p.chan_chunk > 0 ? p.chan_chunk : meta.chanChunk,
    imaging: imagingOptions(p, meta.dims.pols),
    out,
  };
  await ctx.parallel("open", args);
  // warm the JIT up on one channel per thread (untimed; the channels are imaged again)
  const warm: [number, number] = [range[0], Math.min(range[1], range[0] + ctx.threads)];
  await ctx.parallel("image", { ...args, range: warm });
  return { args, meta };
}

async function run(ctx: Ctx, state: DirtyState): Promise<RankImageResult> {
  const parts = await ctx.parallel<ThreadImageResult>("image", state.args);
  const res: RankImageResult = {
    range: state.args.range,
    pols: state.meta.dims.pols,
    sumWeight: [],
    centre: [],
    peakAt: [],
    gridded: 0,
    dropped: 0,
    seconds: { read: 0, grid: 0, fft: 0, write: 0 },
  };
  for (const t of parts) {
    res.sumWeight.push(...t.sumWeight);
    res.centre.push(...t.centre);
    res.peakAt.push(...t.peakAt);
    res.gridded += t.gridded;
    res.dropped += t.dropped;
    for (const k of ["read", "grid", "fft", "write"] as const) {
      res.seconds[k] = Math.max(res.seconds[k], t.seconds[k]);
    }
  }
  return res;
}

async function check(ctx: Ctx, state: DirtyState, res: RankImageResult) {
  const p = ctx.params;
  const failures: string[] = [];
  if (res.dropped > 0) {
    failures.push(
      `${res.dropped} visibilities fell off the uv grid (cell ${p.cell} arcsec too large)`,
    );
  }
  const src = state.meta.sources;
  const N = p.imsize, centreAt = Math.floor(N / 2) * N + Math.floor(N / 2);
  if (src && src.length === 1 && src[0].l === 0 && src[0].m === 0) {
    // a lone source at the phase centre: every channel and polarization peaks there at its flux
    for (let i = 0; i < res.centre.length; i++) {
      const pol = i % res.pols, chan = res.range[0] + Math.floor(i / res.pols);
      const want = src[0].flux * state.meta.polFlux[pol];
      if (res.sumWeight[i] === 0 || want === 0) continue;
      if (!(Math.abs(res.centre[i] - want) <= TOLERANCE) || res.peakAt[i] !== centreAt) {
        failures.push(
          `channel ${chan} pol ${pol}: peak ${res.centre[i].toPrecision(6)} at pixel ${
            res.peakAt[i] % N
          },` +
            `${Math.floor(res.peakAt[i] / N)}, expected ${want} ± 1e-3 at the centre pixel`,
        );
      }
    }
  }
  const reports = await ctx.parallel<CheckReport>(
    "check",
    { ...state.args, seed: ctx.seed, budget: 5e7 } as CheckArgs,
  );
  let channels = 0, pixels = 0, worst = 0;
  for (const r of reports) {
    failures.push(...r.failures);
    channels += r.channels;
    pixels += r.pixels;
    worst = Math.max(worst, r.worst);
  }
  const s = res.seconds;
  ctx.log(
    `imaged channels ${res.range[0]}..${
      res.range[1] - 1
    }: ${res.gridded} visibilities; slowest thread ` +
      `read ${s.read.toFixed(3)} s, grid ${s.grid.toFixed(3)} s, fft ${
        s.fft.toFixed(3)
      } s, write ` +
      `${s.write.toFixed(3)} s; checked ${channels} channels, ${pixels} pixels, worst |Δ|/peak ${
        worst.toExponential(2)
      }`,
  );
  if (failures.length === 0) return true;
  const more = failures.length > 3 ? ` (and ${failures.length - 3} more)` : "";
  return { ok: false, message: failures.slice(0, 3).join("; ") + more };
}

export default defineWorkload({
  name: "dirty-image",
  summary: "ngCASA's cube dirty imaging of Zarr visibilities: flags, natural weights, prolate " +
    "spheroidal gridding, padded FFT, grid correction; one image per channel",
  params: PARAMS,
  mode: "strong",
  weak(p: DirtyParams, point: ScalePoint): DirtyParams {
    const base = imagedChans(p);
    if (base <= 0) {
      throw new ValidationError(
        `Weak mode needs the store's channel count: set chans=N for store ${quote(p.store, 200)}`,
      );
    }
    return { ...p, chans: base * point.cores };
  },
  size: (p: DirtyParams) => visibilities(p),
  sizeUnit: "visibilities",
  validate(p: DirtyParams) {
    if (p.store.trim() === "") return "store must be a path, an http(s):// URL or 'synthetic'";
    parseSources(p.sources, "Parameter 'sources' of workload 'dirty-image'");
    const n = paddedSize(p.imsize, p.padding);
    if (n > 65536) return `imsize × padding gives a ${n}-pixel grid (at most 65536)`;
  },
  async preflight(p: DirtyParams) {
    if (p.store === "synthetic") {
      const pr = PRESETS[p.preset];
      const opts = syntheticOptions(p, imagedChans(p), 1);
      checkGeometry(
        p,
        `the '${p.preset}' preset`,
        uvMax(visUvw(opts), channelFreqs({ ...opts, chans: pr.chans })),
      );
      return;
    }
    const meta = await inspectVisStore(p.store);
    rememberDims(p.store, meta.dims);
    const reader = await VisReader.open(p.store, meta);
    checkGeometry(p, `store ${quote(p.store, 200)}`, uvMax(await reader.readUvw(), reader.freqs));
  },
  kernels: { open: openKernel, image: imageKernel, check: checkKernel },
  prepare,
  operations: {
    image: {
      summary: "Read, flag, weight, grid, FFT, correct and write every channel of the cube",
      run,
      check,
      metric: { unit: "Mvis", amount: (_p, point) => point.size / 1e6 },
    },
  },
});
