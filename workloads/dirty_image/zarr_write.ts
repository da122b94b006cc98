/**
 * Writing Zarr groups as xarray and zarr-python do: v2 with `.zgroup`, per-array `.zarray` and
 * `.zattrs` (`_ARRAY_DIMENSIONS`) and consolidated `.zmetadata`; or v3 with `zarr.json` documents
 * (`dimension_names`) and the root's `consolidated_metadata`. Chunks are C-ordered little-endian
 * bytes (complex as interleaved re/im), compressed with numcodecs' Blosc, Zstd, Zlib or GZip.
 *
 * @module
 */
import Blosc from "numcodecs/blosc";
import GZip from "numcodecs/gzip";
import Zlib from "numcodecs/zlib";
import Zstd from "numcodecs/zstd";
import { quote, ValidationError } from "../../core/errors.ts";
import type { WriteStore } from "./zarr_store.ts";

/** A compressor, as `--compressor` names it. */
export type Compressor =
  | { id: "blosc"; cname: string; clevel: number; shuffle: number }
  | { id: "zstd"; level: number }
  | { id: "zlib"; level: number }
  | { id: "gzip"; level: number }
  | null;

/** Parse `blosc-lz4`, `blosc-zstd`, `zstd`, `zlib`, `gzip` or `none` (optionally `:level`). */
export function parseCompressor(text: string): Compressor {
  const [name, lvl] = text.trim().toLowerCase().split(":");
  const level = lvl === undefined ? undefined : Number(lvl);
  if (level !== undefined && !(Number.isInteger(level) && level >= 0 && level <= 22)) {
    throw new ValidationError(`Compressor level must be an integer 0..22 (got ${quote(text)})`);
  }
  const m = name.match(/^blosc(?:-(lz4|lz4hc|zstd|zlib|blosclz))?$/);
  if (m) return { id: "blosc", cname: m[1] ?? "lz4", clevel: Math.min(level ?? 5, 9), shuffle: 1 };
  if (name === "zstd") return { id: "zstd", level: level ?? 3 };
  if (name === "zlib") return { id: "zlib", level: Math.min(level ?? 1, 9) };
  if (name === "gzip") return { id: "gzip", level: Math.min(level ?? 1, 9) };
  if (name === "none") return null;
  throw new ValidationError(
    `Unknown compressor ${
      quote(text)
    } (known: blosc-lz4, blosc-zstd, blosc-lz4hc, blosc-zlib, zstd, zlib, gzip, none)`,
  );
}

/** Data types the writer knows, with their v2 dtype and item size. */
const DTYPES = {
  complex64: { v2: "<c8", size: 8 },
  complex128: { v2: "<c16", size: 16 },
  float32: { v2: "<f4", size: 4 },
  float64: { v2: "<f8", size: 8 },
  int32: { v2: "<i4", size: 4 },
  int64: { v2: "<i8", size: 8 },
  bool: { v2: "|b1", size: 1 },
} as const;

/** A data type the writer knows. */
export type WriteDtype = keyof typeof DTYPES;

/** Bytes per element of `dtype`. */
export function itemSize(dtype: WriteDtype): number {
  return DTYPES[dtype].size;
}

/** An array to create. */
export interface ArraySpec {
  name: string;
  shape: number[];
  chunks: number[];
  dtype: WriteDtype;
  dims: string[];
  attrs?: Record<string, unknown>;
}

interface Encoder {
  encode(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

function encoderFor(c: Compressor): Encoder | null {
  if (c === null) return null;
  switch (c.id) {
    case "blosc":
      return Blosc.fromConfig({
        id: "blosc",
        clevel: c.clevel,
        cname: c.cname,
        shuffle: c.shuffle,
        blocksize: 0,
      });
    case "zstd":
      return Zstd.fromConfig({ id: "zstd", level: c.level });
    case "zlib":
      return Zlib.fromConfig({ id: "zlib", level: c.level });
    case "gzip":
      return GZip.fromConfig({ id: "gzip", level: c.level });
  }
}

/** Fill values as xarray writes them in v2 (null: no masking of real values), valid ones in v3. */
function fillValue(dtype: WriteDtype, format: 2 | 3): unknown {
  if (dtype.startsWith("float")) return "NaN";
  if (format === 2) return null;
  if (dtype === "bool") return false;
  return dtype.startsWith("complex") ? [0, 0] : 0;
}

function v2Compressor(c: Compressor): Record<string, unknown> | null {
  if (c === null) return null;
  if (c.id === "blosc") {
    return { id: "blosc", cname: c.cname, clevel: c.clevel, shuffle: c.shuffle, blocksize: 0 };
  }
  return { id: c.id, level: c.level };
}

function v3Codecs(c: Compressor, dtype: WriteDtype): Record<string, unknown>[] {
  const codecs: Record<string, unknown>[] = [{
    name: "bytes",
    configuration: { endian: "little" },
  }];
  if (c === null) return codecs;
  if (c.id === "blosc") {
    codecs.push({
      name: "blosc",
      configuration: {
        cname: c.cname,
        clevel: c.clevel,
        shuffle: c.shuffle ? "shuffle" : "noshuffle",
        typesize: itemSize(dtype),
        blocksize: 0,
      },
    });
  } else if (c.id === "zstd") {
    codecs.push({ name: "zstd", configuration: { level: c.level, checksum: false } });
  } else if (c.id === "gzip") codecs.push({ name: "gzip", configuration: { level: c.level } });
  else {throw new ValidationError(
      `Compressor 'zlib' has no Zarr v3 codec: use gzip or zstd with --format v3`,
    );}
  return codecs;
}

const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2));

/** Writes one group (root of `store`) and its arrays. Call {@linkcode ZarrWriter.close} last. */
export class ZarrWriter {
  readonly store: WriteStore;
  readonly format: 2 | 3;
  readonly compressor: Compressor;
  #encoder: Encoder | null;
  #specs = new Map<string, ArraySpec>();
  #meta: Record<string, unknown> = {};

  constructor(store: WriteStore, opts: { format: 2 | 3; compressor: Compressor }) {
    this.store = store;
    this.format = opts.format;
    this.compressor = opts.compressor;
    this.#encoder = encoderFor(opts.compressor);
    if (opts.format === 3) v3Codecs(opts.compressor, "float32"); // reject zlib early
  }

  /** Write an array's metadata. */
  async createArray(spec: ArraySpec): Promise<void> {
    this.#specs.set(spec.name, spec);
    const attrs = spec.attrs ?? {};
    if (this.format === 2) {
      const zarray = {
        chunks: spec.chunks,
        compressor: v2Compressor(this.compressor),
        dtype: DTYPES[spec.dtype].v2,
        fill_value: fillValue(spec.dtype, 2),
        filters: null,
        order: "C",
        shape: spec.shape,
        zarr_format: 2,
      };
      const zattrs = { _ARRAY_DIMENSIONS: spec.dims, ...attrs };
      this.#meta[`${spec.name}/.zarray`] = zarray;
      this.#meta[`${spec.name}/.zattrs`] = zattrs;
      await this.store.set(`/${spec.name}/.zarray`, json(zarray));
      await this.store.set(`/${spec.name}/.zattrs`, json(zattrs));
    } else {
      const meta = {
        zarr_format: 3,
        node_type: "array",
        shape: spec.shape,
        data_type: spec.dtype,
        chunk_grid: { name: "regular", configuration: { chunk_shape: spec.chunks } },
        chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
        fill_value: fillValue(spec.dtype, 3),
        codecs: v3Codecs(this.compressor, spec.dtype),
        attributes: attrs,
        dimension_names: spec.dims,
      };
      this.#meta[spec.name] = meta;
      await this.store.set(`/${spec.name}/zarr.json`, json(meta));
    }
  }

  /** Key of chunk `coords` of array `name`. */
  chunkKey(name: string, coords: number[]): string {
    return this.format === 2
      ? `/${name}/${coords.join(".") || "0"}`
      : `/${name}/c/${coords.join("/")}`;
  }

  /**
   * Compress and write one chunk: `bytes` are the full chunk (edge chunks padded to the chunk
   * shape), C order, little-endian.
   */
  async writeChunk(name: string, coords: number[], bytes: Uint8Array): Promise<void> {
    const spec = this.#specs.get(name);
    if (!spec) throw new Error(`Array '${name}' was not created`);
    const expected = spec.chunks.reduce((a, b) => a * b, 1) * itemSize(spec.dtype);
    if (bytes.byteLength !== expected) {
      throw new Error(`Chunk of '${name}' has ${bytes.byteLength} bytes, expected ${expected}`);
    }
    const out = this.#encoder ? await this.#encoder.encode(bytes) : bytes;
    await this.store.set(this.chunkKey(name, coords), out);
  }

  /** Write the group's metadata (with consolidated metadata) and its attributes. */
  async close(attrs: Record<string, unknown> = {}): Promise<void> {
    if (this.format === 2) {
      await this.store.set("/.zgroup", json({ zarr_format: 2 }));
      await this.store.set("/.zattrs", json(attrs));
      await this.store.set(
        "/.zmetadata",
        json({
          metadata: { ".zattrs": attrs, ".zgroup": { zarr_format: 2 }, ...this.#meta },
          zarr_consolidated_format: 1,
        }),
      );
    } else {
      await this.store.set(
        "/zarr.json",
        json({
          zarr_format: 3,
          node_type: "group",
          attributes: attrs,
          consolidated_metadata: { kind: "inline", must_understand: false, metadata: this.#meta },
        }),
      );
    }
  }
}
