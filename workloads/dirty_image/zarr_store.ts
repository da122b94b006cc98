/**
 * Zarr stores and metadata: a local directory store (read and write) or zarrita's FetchStore for
 * `http(s)://` URLs, and a reader of a group's array metadata — Zarr v2 (consolidated `.zmetadata`
 * as xarray writes it, or plain `.zarray`/`.zattrs`) and Zarr v3 (`zarr.json`, consolidated or
 * not) — normalised into {@linkcode ArrayInfo}, with a check that scalebench can decode every
 * codec an array uses.
 *
 * Keys follow zarrita's convention: absolute, starting with `/` (`/DATA/.zarray`).
 *
 * @module
 */
import * as zarr from "zarrita";
import { quote, ValidationError } from "../../core/errors.ts";

/** A store zarrita can read from. */
export interface ReadStore {
  get(key: string, options?: RequestInit): Promise<Uint8Array | undefined>;
}

/** A store that can also be written. */
export interface WriteStore extends ReadStore {
  set(key: string, value: Uint8Array): Promise<void>;
}

/** A Zarr hierarchy in a local directory. */
export class DirectoryStore implements WriteStore {
  readonly root: string;
  #dirs = new Set<string>();

  constructor(root: string) {
    this.root = root.replace(/\/+$/, "") || "/";
  }

  #path(key: string): string {
    const rel = key.replace(/^\/+/, "");
    if (rel.split("/").some((p) => p === "..")) throw new Error(`Bad store key ${quote(key)}`);
    return `${this.root}/${rel}`;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await Deno.readFile(this.#path(key));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.IsADirectory) {
        return undefined;
      }
      throw err;
    }
  }

  /**
   * Write `value` at `key`, over the existing file in place (a rewritten chunk keeps its blocks
   * and page cache: no truncate, free and reallocate, which costs twice the CPU). The write is
   * under way when this returns — the file is opened synchronously, which is cheap — so a caller
   * that computes before awaiting it overlaps the two, instead of the write starting only at its
   * next await.
   */
  set(key: string, value: Uint8Array): Promise<void> {
    const path = this.#path(key);
    const dir = path.slice(0, path.lastIndexOf("/"));
    if (!this.#dirs.has(dir)) {
      Deno.mkdirSync(dir, { recursive: true });
      this.#dirs.add(dir);
    }
    const file = Deno.openSync(path, { write: true, create: true });
    try {
      if (file.statSync().size > value.byteLength) file.truncateSync(value.byteLength);
    } catch (err) {
      file.close();
      throw err;
    }
    return writeAll(file, value).finally(() => file.close());
  }
}

/** Write all of `bytes` to `file` from its current position (the first write starts at once). */
async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.byteLength) off += await file.write(bytes.subarray(off));
}

/** True for an `http://` or `https://` location. */
export function isUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/** The store at `location`: a directory path (or file:// URL), or an http(s) URL. */
export function openStore(location: string): ReadStore {
  if (isUrl(location)) return new zarr.FetchStore(location.replace(/\/+$/, ""));
  if (location.startsWith("file://")) {
    return new DirectoryStore(decodeURIComponent(new URL(location).pathname));
  }
  return new DirectoryStore(location);
}

/** Decoded JSON at `key`, or undefined when the key is absent. */
export async function getJson(
  store: ReadStore,
  key: string,
): Promise<Record<string, unknown> | undefined> {
  const bytes = await store.get(key);
  if (!bytes) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ValidationError(`Zarr metadata ${quote(key)} is not valid JSON`);
  }
}

/** One array of a group, whatever its Zarr format. */
export interface ArrayInfo {
  name: string;
  format: 2 | 3;
  shape: number[];
  chunks: number[];
  /** numpy-style name: complex64, complex128, float32, float64, bool, int8, uint8, … */
  dtype: string;
  /** "C" or "F" (v2), "C" for v3 unless a transpose codec is present */
  order: "C" | "F";
  /** codec/compressor names as the metadata gives them (for messages) */
  codecs: string[];
  /** dimension names (_ARRAY_DIMENSIONS or dimension_names), if given */
  dims: string[] | null;
  attrs: Record<string, unknown>;
}

/** A group's metadata. */
export interface GroupInfo {
  format: 2 | 3;
  consolidated: boolean;
  attrs: Record<string, unknown>;
  arrays: Map<string, ArrayInfo>;
}

const V2_DTYPES: Record<string, string> = {
  b1: "bool",
  i1: "int8",
  u1: "uint8",
  i2: "int16",
  u2: "uint16",
  i4: "int32",
  u4: "uint32",
  i8: "int64",
  u8: "uint64",
  f2: "float16",
  f4: "float32",
  f8: "float64",
  c8: "complex64",
  c16: "complex128",
};

/** Blosc inner compressors the numcodecs wasm build has. */
const BLOSC_CNAMES = ["lz4", "lz4hc", "zstd", "zlib", "blosclz", "snappy"];
const V2_COMPRESSORS = ["blosc", "zstd", "zlib", "gzip", "lz4"];
const V2_FILTERS = ["shuffle", "delta", "bitround"];
const V3_CODECS = [
  "bytes",
  "blosc",
  "zstd",
  "gzip",
  "zlib",
  "crc32c",
  "transpose",
  "sharding_indexed",
];
const SUPPORTED = `supported: blosc (${BLOSC_CNAMES.join(", ")}), zstd, zlib, gzip, lz4, none`;

function arrayFromV2(
  name: string,
  meta: Record<string, unknown>,
  attrs: Record<string, unknown>,
): ArrayInfo {
  const dt = String(meta.dtype ?? "");
  const m = dt.match(/^([<>|=])([a-z]\d+)$/);
  const dtype = (m && V2_DTYPES[m[2]]) ?? dt;
  const comp = meta.compressor as Record<string, unknown> | null | undefined;
  const codecs: string[] = [];
  if (comp) codecs.push(comp.id === "blosc" ? `blosc/${comp.cname}` : String(comp.id));
  for (const f of (meta.filters as Record<string, unknown>[] | null) ?? []) {
    codecs.push(`filter ${f.id}`);
  }
  const dims = attrs._ARRAY_DIMENSIONS;
  return {
    name,
    format: 2,
    shape: (meta.shape as number[]) ?? [],
    chunks: (meta.chunks as number[]) ?? [],
    // xarray stores bool as int8 with attribute dtype=bool
    dtype: attrs.dtype === "bool" ? "bool" : dtype,
    order: meta.order === "F" ? "F" : "C",
    codecs,
    dims: Array.isArray(dims) ? dims.map(String) : null,
    attrs,
  };
}

function codecNames(codecs: Record<string, unknown>[]): string[] {
  return codecs.flatMap((c) => {
    const conf = (c.configuration ?? {}) as Record<string, unknown>;
    if (c.name === "sharding_indexed") {
      return ["sharding_indexed", ...codecNames((conf.codecs ?? []) as Record<string, unknown>[])];
    }
    return [c.name === "blosc" ? `blosc/${conf.cname}` : String(c.name)];
  });
}

function arrayFromV3(name: string, meta: Record<string, unknown>): ArrayInfo {
  const grid = meta.chunk_grid as { configuration?: { chunk_shape?: number[] } } | undefined;
  const codecs = (meta.codecs ?? []) as Record<string, unknown>[];
  const names = codecNames(codecs);
  const attrs = (meta.attributes ?? {}) as Record<string, unknown>;
  const dims = meta.dimension_names;
  return {
    name,
    format: 3,
    shape: (meta.shape as number[]) ?? [],
    chunks: grid?.configuration?.chunk_shape ?? [],
    dtype: String(meta.data_type ?? ""),
    order: names.includes("transpose") ? "F" : "C",
    codecs: names.filter((n) => n !== "bytes"),
    dims: Array.isArray(dims) ? dims.map((d) => String(d)) : null,
    attrs,
  };
}

/**
 * Read the metadata of the group at the root of `store` and of its arrays `names` (all arrays
 * when the metadata is consolidated). Not a Zarr group → ValidationError naming `location`.
 */
export async function readGroup(
  store: ReadStore,
  opts: { location: string; names: string[] },
): Promise<GroupInfo> {
  const where = `Store ${quote(opts.location, 200)}`;
  const arrays = new Map<string, ArrayInfo>();
  const zmeta = await getJson(store, "/.zmetadata");
  if (zmeta && typeof zmeta.metadata === "object" && zmeta.metadata) {
    const md = zmeta.metadata as Record<string, Record<string, unknown>>;
    for (const [key, value] of Object.entries(md)) {
      const m = key.match(/^([^/]+)\/\.zarray$/);
      if (m) arrays.set(m[1], arrayFromV2(m[1], value, md[`${m[1]}/.zattrs`] ?? {}));
    }
    return { format: 2, consolidated: true, attrs: md[".zattrs"] ?? {}, arrays };
  }
  const zgroup = await getJson(store, "/.zgroup");
  if (zgroup) {
    for (const name of opts.names) {
      const meta = await getJson(store, `/${name}/.zarray`);
      if (meta) {
        arrays.set(name, arrayFromV2(name, meta, (await getJson(store, `/${name}/.zattrs`)) ?? {}));
      }
    }
    return {
      format: 2,
      consolidated: false,
      attrs: (await getJson(store, "/.zattrs")) ?? {},
      arrays,
    };
  }
  const root = await getJson(store, "/zarr.json");
  if (root && root.zarr_format === 3) {
    if (root.node_type !== "group") {
      throw new ValidationError(`${where} is a Zarr array, not a group of variables`);
    }
    const cm = root.consolidated_metadata as
      | { metadata?: Record<string, Record<string, unknown>> }
      | null;
    if (cm?.metadata) {
      for (const [path, meta] of Object.entries(cm.metadata)) {
        const name = path.replace(/^\//, "");
        if (meta.node_type === "array" && !name.includes("/")) {
          arrays.set(name, arrayFromV3(name, meta));
        }
      }
    } else {
      for (const name of opts.names) {
        const meta = await getJson(store, `/${name}/zarr.json`);
        if (meta?.node_type === "array") arrays.set(name, arrayFromV3(name, meta));
      }
    }
    return {
      format: 3,
      consolidated: Boolean(cm?.metadata),
      attrs: (root.attributes ?? {}) as Record<string, unknown>,
      arrays,
    };
  }
  throw new ValidationError(`${where} is not a Zarr group (no .zmetadata, .zgroup or zarr.json)`);
}

/** Throw a ValidationError naming the array and codec if scalebench cannot decode `meta`. */
export function checkCodecs(info: ArrayInfo, location: string): void {
  const where = `Store ${quote(location, 200)}: array ${quote(info.name)}`;
  for (const c of info.codecs) {
    const [id, inner] = c.split("/");
    const filter = id.startsWith("filter ") ? id.slice(7) : null;
    let ok: boolean;
    if (filter !== null) ok = V2_FILTERS.includes(filter);
    else if (id === "blosc") ok = BLOSC_CNAMES.includes(inner);
    else ok = info.format === 2 ? V2_COMPRESSORS.includes(id) : V3_CODECS.includes(id);
    if (!ok) {
      throw new ValidationError(
        `${where} uses ${filter !== null ? "filter" : "compressor"} ${quote(filter ?? c)}, ` +
          `which scalebench cannot decode (${SUPPORTED})`,
      );
    }
  }
}
