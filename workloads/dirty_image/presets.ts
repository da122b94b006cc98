/**
 * Parameters of `dirty-image`, its presets (the synthetic dataset's dimensions), and the parsing
 * of point-source lists (`"l,m,flux;…"`, l and m in arcseconds, flux in Jy).
 *
 * @module
 */
import { quote, ValidationError } from "../../core/errors.ts";
import { enumOf, float, int, type ParamsOf, string } from "../../core/params.ts";
import type { PointSource } from "./dft.ts";
import { type VisDims, visDimsSync } from "./vis_store.ts";

/** Radians per arcsecond. */
export const ARCSEC = Math.PI / 180 / 3600;

/** Dimensions of the synthetic store of each preset. */
export const PRESETS = {
  /** runs in seconds on a laptop */
  small: { antennas: 16, times: 60, chans: 32, pols: 2, chunks: [60, 120, 8, 2] },
  /** the ngCASA benchmark's dataset: 782 times × 903 baselines × 7680 chans × 2 pols */
  ngcasa: { antennas: 43, times: 782, chans: 7680, pols: 2, chunks: [782, 903, 4, 2] },
} as const;

/** A preset name. */
export type PresetName = keyof typeof PRESETS;

/** The workload's parameters. */
export const PARAMS = {
  imsize: int({ default: 500, min: 1, max: 32768, unit: "pixels", help: "Image side" }),
  cell: float({ default: 0.02, min: 1e-9, unit: "arcsec", help: "Pixel size" }),
  oversampling: int({
    default: 100,
    min: 1,
    max: 100000,
    help: "Oversampling of the kernel table",
  }),
  support: int({ default: 7, min: 3, max: 15, unit: "cells", help: "Gridding kernel footprint" }),
  padding: float({
    default: 1.2,
    min: 1,
    max: 4,
    help: "Grid padding factor (FFT size ≈ imsize × padding)",
  }),
  chan_chunk: int({
    default: 0,
    min: 0,
    unit: "channels",
    help: "Channels read and imaged per block (0: the store's chunk along chan)",
  }),
  chans: int({
    default: 0,
    min: 0,
    unit: "channels",
    help:
      "Channels to image (0: all of the store or preset); weak mode multiplies it by the cores, " +
      "repeating a store's channels cyclically",
  }),
  store: string({
    default: "synthetic",
    help:
      "Visibility store: a directory or http(s):// URL of a Zarr v2/v3 group in the CNGI layout, " +
      "or 'synthetic' (generated per rank in its scratch directory)",
  }),
  preset: enumOf(["small", "ngcasa"], {
    default: "small",
    help: "Dimensions of the synthetic store (ngcasa: 782 × 903 × 7680 × 2, for real clusters)",
  }),
  sources: string({
    default: "0,0,1;1.234,-0.817,0.5",
    help: "Point sources of the synthetic store: 'l,m,flux;…' (arcsec, arcsec, Jy)",
  }),
  flag_fraction: float({
    default: 0.05,
    min: 0,
    max: 0.99,
    help: "Flagged fraction of the synthetic store",
  }),
  out: string({
    default: "",
    help: "Where the image cube (Zarr v3) is written (default: the rank's scratch dir)",
  }),
};

/** Typed parameter values. */
export type DirtyParams = ParamsOf<typeof PARAMS>;

/** Parse `"l,m,flux;…"` (arcsec, arcsec, Jy) into point sources in radians. */
export function parseSources(text: string, flag = "sources"): PointSource[] {
  const out: PointSource[] = [];
  for (const part of text.split(";").map((s) => s.trim()).filter(Boolean)) {
    const v = part.split(",").map((x) => Number(x.trim()));
    if (v.length !== 3 || !v.every(Number.isFinite)) {
      throw new ValidationError(
        `${flag} must be 'l,m,flux;…' with l and m in arcseconds and flux in Jy (got ${
          quote(part)
        })`,
      );
    }
    out.push({ l: v[0] * ARCSEC, m: v[1] * ARCSEC, flux: v[2] });
  }
  if (out.length === 0) throw new ValidationError(`${flag} lists no source (got ${quote(text)})`);
  return out;
}

/** Dimensions of stores seen by `preflight` (remote ones cannot be read synchronously). */
const KNOWN_DIMS = new Map<string, VisDims>();

/** Remember the dimensions of a store (called by preflight). */
export function rememberDims(store: string, dims: VisDims): void {
  KNOWN_DIMS.set(store, dims);
}

/** Dimensions of the store the parameters name (synthetic: the preset's), or null if unknown. */
export function storeDims(p: Pick<DirtyParams, "store" | "preset">): VisDims | null {
  if (p.store === "synthetic") {
    const pr = PRESETS[p.preset];
    return {
      times: pr.times,
      baselines: (pr.antennas * (pr.antennas - 1)) / 2,
      chans: pr.chans,
      pols: pr.pols,
    };
  }
  const known = KNOWN_DIMS.get(p.store);
  if (known) return known;
  const dims = visDimsSync(p.store);
  if (dims) KNOWN_DIMS.set(p.store, dims);
  return dims;
}

/** Channels imaged at these parameters (after the weak rule, `chans` holds the grown count). */
export function imagedChans(p: DirtyParams): number {
  return p.chans > 0 ? p.chans : storeDims(p)?.chans ?? 0;
}

/** Visibilities imaged at these parameters (time × baseline × chans × pols). */
export function visibilities(p: DirtyParams): number {
  const d = storeDims(p);
  return d ? d.times * d.baselines * imagedChans(p) * d.pols : 0;
}

/**
 * The largest cell (arcsec) for which baselines up to `uvMax` wavelengths stay on the grid
 * (the kernel footprint must fit inside the padded grid).
 */
export function maxCell(uvMax: number, opts: { n: number; support: number }): number {
  const room = opts.n / 2 - Math.floor(opts.support / 2) - 1;
  return room / (opts.n * uvMax) / ARCSEC;
}
