/**
 * Complex dtypes for zarrita, through its store-extension point: zarrita 0.7.5 rejects `<c8`,
 * `<c16` (v2) and `complex64`, `complex128` (v3). A C-ordered complex array of shape
 * (…, k) has exactly the bytes of a float array of shape (…, 2k) with re/im interleaved, so
 * {@linkcode withDtypeViews} rewrites the metadata zarrita reads — dtype to the float of half the
 * size, last axis of shape and chunks doubled — and every chunk, codec (Blosc, Zstd, sharding…)
 * and selection then works unchanged: `zarr.get` returns a Float32Array/Float64Array of
 * interleaved pairs. Bool arrays are presented as uint8 (a plain Uint8Array, no per-element
 * accessor).
 *
 * F-ordered complex arrays (v2 order "F", v3 transpose codec) cannot be viewed this way; the
 * store layer rejects them before opening.
 *
 * @module
 */
import * as zarr from "zarrita";
import type { ReadStore } from "./zarr_store.ts";

const enc = new TextEncoder(), dec = new TextDecoder();

function doubleLast(shape: unknown): number[] {
  const s = Array.isArray(shape) ? (shape as number[]).slice() : [];
  if (s.length === 0) return [2];
  s[s.length - 1] *= 2;
  return s;
}

function realFill(fill: unknown): unknown {
  if (Array.isArray(fill)) return fill[0] ?? 0;
  if (typeof fill === "string" && fill.startsWith("(")) return 0; // numpy repr "(0+0j)"
  return fill;
}

function boolFill(fill: unknown): unknown {
  return fill === true ? 1 : fill === false ? 0 : fill;
}

/** Rewrite one v2 `.zarray` document (returns it unchanged when no view applies). */
export function viewV2(meta: Record<string, unknown>): Record<string, unknown> {
  const dt = String(meta.dtype ?? "");
  const c = dt.match(/^([<>|=])c(8|16)$/);
  if (c) {
    return {
      ...meta,
      dtype: `${c[1] === "|" ? "<" : c[1]}f${Number(c[2]) / 2}`,
      shape: doubleLast(meta.shape),
      chunks: doubleLast(meta.chunks),
      fill_value: realFill(meta.fill_value),
    };
  }
  if (dt === "|b1") return { ...meta, dtype: "|u1", fill_value: boolFill(meta.fill_value) };
  return meta;
}

function viewCodecs(codecs: unknown): unknown {
  if (!Array.isArray(codecs)) return codecs;
  return codecs.map((c) => {
    if (c?.name !== "sharding_indexed") return c;
    const conf = c.configuration ?? {};
    return {
      ...c,
      configuration: {
        ...conf,
        chunk_shape: doubleLast(conf.chunk_shape),
        codecs: viewCodecs(conf.codecs),
      },
    };
  });
}

/** Rewrite one v3 array `zarr.json` document (unchanged when no view applies). */
export function viewV3(meta: Record<string, unknown>): Record<string, unknown> {
  if (meta.node_type !== "array") return meta;
  const dt = meta.data_type;
  if (dt === "complex64" || dt === "complex128") {
    const grid = (meta.chunk_grid ?? {}) as {
      name?: string;
      configuration?: Record<string, unknown>;
    };
    return {
      ...meta,
      data_type: dt === "complex64" ? "float32" : "float64",
      shape: doubleLast(meta.shape),
      chunk_grid: {
        ...grid,
        configuration: {
          ...grid.configuration,
          chunk_shape: doubleLast(grid.configuration?.chunk_shape),
        },
      },
      codecs: viewCodecs(meta.codecs),
      fill_value: realFill(meta.fill_value),
    };
  }
  if (dt === "bool") return { ...meta, data_type: "uint8", fill_value: boolFill(meta.fill_value) };
  return meta;
}

function rewrite(key: string, bytes: Uint8Array): Uint8Array {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(dec.decode(bytes));
  } catch {
    return bytes; // zarrita reports it
  }
  let out = doc;
  if (key.endsWith("/.zarray")) out = viewV2(doc);
  else if (key.endsWith("/.zmetadata")) {
    const md = doc.metadata as Record<string, Record<string, unknown>> | undefined;
    if (md) {
      out = {
        ...doc,
        metadata: Object.fromEntries(
          Object.entries(md).map(([k, v]) => [k, k.endsWith(".zarray") ? viewV2(v) : v]),
        ),
      };
    }
  } else if (key.endsWith("/zarr.json")) {
    out = viewV3(doc);
    const cm = doc.consolidated_metadata as
      | { metadata?: Record<string, Record<string, unknown>> }
      | null;
    if (cm?.metadata) {
      out = {
        ...out,
        consolidated_metadata: {
          ...cm,
          metadata: Object.fromEntries(Object.entries(cm.metadata).map(([k, v]) => [k, viewV3(v)])),
        },
      };
    }
  }
  return out === doc ? bytes : enc.encode(JSON.stringify(out));
}

/**
 * A zarrita store extension: metadata read through it presents complex arrays as interleaved
 * float arrays (last axis doubled) and bool arrays as uint8. Chunk bytes pass through untouched.
 */
export const withDtypeViews = zarr.defineStoreExtension((store: ReadStore) => ({
  async get(key: string, options?: RequestInit): Promise<Uint8Array | undefined> {
    const bytes = await store.get(key, options);
    if (!bytes || !/(\.zarray|\.zmetadata|zarr\.json)$/.test(key)) return bytes;
    return rewrite(key, bytes);
  },
}));
