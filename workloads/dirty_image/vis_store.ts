/**
 * Visibility stores in the CNGI/xarray layout: `DATA` (time, baseline, chan, pol; complex64 or
 * complex128), `UVW` (time, baseline, uvw) in metres, optional `WEIGHT` (time, baseline, pol) or
 * (time, baseline, chan, pol), optional `FLAG` (time, baseline, chan, pol; bool) and `FLAG_ROW`
 * (time, baseline), and the coordinate `chan` (Hz). {@linkcode inspectVisStore} validates a store
 * (one ValidationError line for each kind of bad input); {@linkcode VisReader} reads it chunk by
 * chunk through zarrita, from a directory or an http(s) URL.
 *
 * @module
 */
import * as zarr from "zarrita";
import { errorMessage, quote, ValidationError } from "../../core/errors.ts";
import type { PointSource } from "./dft.ts";
import { withDtypeViews } from "./zarr_complex.ts";
import {
  type ArrayInfo,
  checkCodecs,
  type GroupInfo,
  isUrl,
  openStore,
  readGroup,
} from "./zarr_store.ts";

/** The variables scalebench reads. */
export const VARIABLES = ["DATA", "UVW", "WEIGHT", "FLAG", "FLAG_ROW", "chan"];

/** Group attribute where the generator records its point sources. */
export const SOURCES_ATTR = "scalebench_sources";
/** Group attribute: the fraction of each source's flux in each polarization (cross hands 0). */
export const POL_FLUX_ATTR = "scalebench_pol_flux";

const ARCSEC = Math.PI / 180 / 3600;

/** Sizes of a visibility store. */
export interface VisDims {
  times: number;
  baselines: number;
  chans: number;
  pols: number;
}

/** What {@linkcode inspectVisStore} learnt about a store. */
export interface VisMeta {
  location: string;
  format: 2 | 3;
  consolidated: boolean;
  dims: VisDims;
  dataDtype: "complex64" | "complex128";
  /** null: no WEIGHT (all 1) */
  weightPerChan: boolean | null;
  hasFlag: boolean;
  hasFlagRow: boolean;
  /** chunk length of DATA along chan */
  chanChunk: number;
  /** the generator's sources (radians, Jy), or null for a foreign store */
  sources: PointSource[] | null;
  /** fraction of the sources' flux in each polarization (1 for parallel hands) */
  polFlux: number[];
}

const fmtShape = (s: number[]) => `(${s.join(", ")})`;

function parseSources(value: unknown): PointSource[] | null {
  if (!Array.isArray(value)) return null;
  const out: PointSource[] = [];
  for (const s of value) {
    const l = Number(s?.l_arcsec), m = Number(s?.m_arcsec), flux = Number(s?.flux_jy);
    if (![l, m, flux].every(Number.isFinite)) return null;
    out.push({ l: l * ARCSEC, m: m * ARCSEC, flux });
  }
  return out;
}

function polFlux(value: unknown, pols: number): number[] {
  const ok = Array.isArray(value) && value.length === pols &&
    value.every((v) => Number.isFinite(v));
  return ok ? (value as number[]).map(Number) : Array.from({ length: pols }, () => 1);
}

/** Validate the store at `location` and describe it. Every problem is a one-line ValidationError. */
export async function inspectVisStore(location: string): Promise<VisMeta> {
  const where = `Store ${quote(location, 200)}`;
  if (!isUrl(location)) {
    const path = location.startsWith("file://")
      ? decodeURIComponent(new URL(location).pathname)
      : location;
    try {
      if (!(await Deno.stat(path)).isDirectory) {
        throw new ValidationError(`${where} is not a directory`);
      }
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) throw new ValidationError(`${where} does not exist`);
      throw err;
    }
  }
  let group: GroupInfo;
  try {
    group = await readGroup(openStore(location), { location, names: VARIABLES });
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw new ValidationError(`${where} cannot be read: ${errorMessage(err)}`);
  }
  return describe(group, location);
}

/** Validate a group's metadata as a visibility store. */
export function describe(group: GroupInfo, location: string): VisMeta {
  const where = `Store ${quote(location, 200)}`;
  const arrays = group.arrays;
  const data = arrays.get("DATA");
  if (!data) {
    const found = [...arrays.keys()];
    throw new ValidationError(
      `${where} has no variable 'DATA' (found: ${found.length ? found.join(", ") : "none"}; ` +
        `give the group that holds the visibilities, e.g. vis.zarr/xds0)`,
    );
  }
  const arr = (name: string) => `${where}: array ${quote(name)}`;
  if (data.dtype !== "complex64" && data.dtype !== "complex128") {
    throw new ValidationError(
      `${arr("DATA")} must be complex64 or complex128 (got ${quote(data.dtype)})`,
    );
  }
  if (data.shape.length !== 4) {
    throw new ValidationError(
      `${arr("DATA")} must have 4 dimensions (time, baseline, chan, pol), got shape ${
        fmtShape(data.shape)
      }`,
    );
  }
  if (data.dims && data.dims.join() !== "time,baseline,chan,pol") {
    throw new ValidationError(
      `${arr("DATA")} has dimensions (${
        data.dims.join(", ")
      }), expected (time, baseline, chan, pol)`,
    );
  }
  if (data.order !== "C") {
    throw new ValidationError(`${arr("DATA")}: Fortran-ordered complex data is not supported`);
  }
  const [T, B, C, P] = data.shape;
  const want = (
    name: string,
    shapes: number[][],
    kinds: string[],
    required: boolean,
  ): ArrayInfo | null => {
    const a = arrays.get(name);
    if (!a) {
      if (required) {
        throw new ValidationError(`${where} has no variable ${quote(name)} (needed with DATA)`);
      }
      return null;
    }
    if (!shapes.some((s) => s.join() === a.shape.join())) {
      throw new ValidationError(
        `${arr(name)} has shape ${fmtShape(a.shape)}, expected ${
          shapes.map(fmtShape).join(" or ")
        } ` +
          `to match DATA (time, baseline, chan, pol) = ${fmtShape(data.shape)}`,
      );
    }
    if (!kinds.some((k) => a.dtype.startsWith(k))) {
      throw new ValidationError(
        `${arr(name)} has data type ${quote(a.dtype)}, expected ${kinds.join(" or ")}`,
      );
    }
    checkCodecs(a, location);
    return a;
  };
  checkCodecs(data, location);
  want("UVW", [[T, B, 3]], ["float"], true);
  want("chan", [[C]], ["float"], true);
  const weight = want("WEIGHT", [[T, B, P], [T, B, C, P]], ["float"], false);
  const flag = want("FLAG", [[T, B, C, P]], ["bool", "int8", "uint8"], false);
  const flagRow = want("FLAG_ROW", [[T, B]], ["bool", "int8", "uint8"], false);
  if (T * B * C * P === 0) {
    throw new ValidationError(`${arr("DATA")} is empty: shape ${fmtShape(data.shape)}`);
  }
  return {
    location,
    format: group.format,
    consolidated: group.consolidated,
    dims: { times: T, baselines: B, chans: C, pols: P },
    dataDtype: data.dtype,
    weightPerChan: weight ? weight.shape.length === 4 : null,
    hasFlag: flag !== null,
    hasFlagRow: flagRow !== null,
    chanChunk: Math.max(1, data.chunks[2] ?? 1),
    sources: parseSources(group.attrs[SOURCES_ATTR]),
    polFlux: polFlux(group.attrs[POL_FLUX_ATTR], P),
  };
}

/**
 * The dimensions of DATA in a local store, read synchronously (for the workload's size rule);
 * null when the store is remote or unreadable.
 */
export function visDimsSync(location: string): VisDims | null {
  if (isUrl(location)) return null;
  const root = location.startsWith("file://")
    ? decodeURIComponent(new URL(location).pathname)
    : location;
  const read = (key: string): Record<string, unknown> | null => {
    try {
      return JSON.parse(Deno.readTextFileSync(`${root}/${key}`));
    } catch {
      return null;
    }
  };
  const zmeta = read(".zmetadata")?.metadata as Record<string, Record<string, unknown>> | undefined;
  const shape = (zmeta?.["DATA/.zarray"]?.shape ?? read("DATA/.zarray")?.shape ??
    read("DATA/zarr.json")?.shape ??
    ((read("zarr.json")?.consolidated_metadata as Record<
      string,
      Record<string, Record<string, unknown>>
    >)
      ?.metadata?.DATA?.shape)) as number[] | undefined;
  if (!Array.isArray(shape) || shape.length !== 4) return null;
  const [times, baselines, chans, pols] = shape;
  return { times, baselines, chans, pols };
}

/** A block of channels [c0, c1) of the store. */
export interface VisBlock {
  c0: number;
  c1: number;
  /** [rows, c1 − c0, pols, 2] */
  data: Float32Array | Float64Array;
  /** [rows, c1 − c0, pols] or null */
  flag: Uint8Array | null;
  /** per-channel WEIGHT [rows, c1 − c0, pols], or null (use {@linkcode VisReader.readRowWeights}) */
  weight: Float32Array | Float64Array | null;
}

// deno-lint-ignore no-explicit-any
type AnyArray = zarr.Array<any, any>;

function asBytes(a: ArrayBufferView): Uint8Array {
  return a instanceof Uint8Array ? a : new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function asFloat(a: unknown): Float32Array | Float64Array {
  if (a instanceof Float32Array || a instanceof Float64Array) return a;
  return Float64Array.from(a as ArrayLike<number>);
}

/** Reads a validated visibility store chunk by chunk. */
export class VisReader {
  readonly meta: VisMeta;
  /** channel frequencies, Hz */
  readonly freqs: Float64Array;
  #arrays: Map<string, AnyArray>;

  private constructor(meta: VisMeta, freqs: Float64Array, arrays: Map<string, AnyArray>) {
    this.meta = meta;
    this.freqs = freqs;
    this.#arrays = arrays;
  }

  /** Open a store (validated with {@linkcode inspectVisStore}, or given its `meta`). */
  static async open(location: string, meta?: VisMeta): Promise<VisReader> {
    meta ??= await inspectVisStore(location);
    let store: zarr.Readable = withDtypeViews(openStore(location));
    if (meta.consolidated) {
      store = await zarr.withConsolidatedMetadata(store, {
        format: meta.format === 2 ? "v2" : "v3",
      });
    }
    const root = zarr.root(store);
    const names = ["DATA", "UVW", "chan"];
    if (meta.weightPerChan !== null) names.push("WEIGHT");
    if (meta.hasFlag) names.push("FLAG");
    if (meta.hasFlagRow) names.push("FLAG_ROW");
    const arrays = new Map<string, AnyArray>();
    for (const name of names) {
      const loc = root.resolve(name);
      arrays.set(
        name,
        meta.format === 2
          ? await zarr.open.v2(loc, { kind: "array", attrs: false })
          : await zarr.open.v3(loc, { kind: "array" }),
      );
    }
    const chan = await zarr.get(arrays.get("chan")!);
    const freqs = Float64Array.from(chan.data as ArrayLike<number>);
    return new VisReader(meta, freqs, arrays);
  }

  /** UVW of every row (time × baseline), metres: [rows, 3]. */
  async readUvw(): Promise<Float64Array> {
    const got = await zarr.get(this.#arrays.get("UVW")!);
    return got.data instanceof Float64Array
      ? got.data
      : Float64Array.from(got.data as ArrayLike<number>);
  }

  /** FLAG_ROW of every row, or null when the store has none. */
  async readFlagRow(): Promise<Uint8Array | null> {
    const a = this.#arrays.get("FLAG_ROW");
    return a ? asBytes((await zarr.get(a)).data as ArrayBufferView) : null;
  }

  /** WEIGHT (time, baseline, pol) as [rows, pols], or null when absent or per channel. */
  async readRowWeights(): Promise<Float32Array | Float64Array | null> {
    const a = this.#arrays.get("WEIGHT");
    return a && !this.meta.weightPerChan ? asFloat((await zarr.get(a)).data) : null;
  }

  /** DATA, FLAG and per-channel WEIGHT of channels [c0, c1). */
  async readBlock(c0: number, c1: number): Promise<VisBlock> {
    const sel = [null, null, zarr.slice(c0, c1), null];
    const flagArr = this.#arrays.get("FLAG");
    const wArr = this.meta.weightPerChan ? this.#arrays.get("WEIGHT") : undefined;
    const [data, flag, weight] = await Promise.all([
      zarr.get(this.#arrays.get("DATA")!, sel),
      flagArr ? zarr.get(flagArr, sel) : null,
      wArr ? zarr.get(wArr, sel) : null,
    ]);
    return {
      c0,
      c1,
      data: data.data as Float32Array | Float64Array,
      flag: flag ? asBytes(flag.data as ArrayBufferView) : null,
      weight: weight ? asFloat(weight.data) : null,
    };
  }
}
