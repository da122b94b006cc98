/**
 * Kernels and row helpers of the `dataframes` workload. A rank's part of the frame is `n` rows of
 * 6 integer columns, column-major in one Int32Array (column c at `c · n`), global first row
 * `rowStart`. Kernels split the rows over the rank's threads.
 *
 * @module
 */
import { partition, type ThreadInfo } from "../../core/workload.ts";
import { mergeMoments, type Moments, rangeMoments } from "../arrays/moments.ts";
import { fillRow, VALUE_RANGE } from "../arrays/random.ts";

/** Number of columns (dask-bench's `N_COL`). */
export const COLUMNS = 6;
/** Values of a shuffled row: its global index, then the 6 columns. */
export const ROW_INTS = COLUMNS + 1;

/** A rank's rows: `data[c · n + i]` is column c of local row i (global row `rowStart + i`). */
export interface Frame {
  data: Int32Array;
  n: number;
  rowStart: number;
}

function myRows(n: number, info: ThreadInfo): [number, number] {
  return partition(n, info.threads, info.thread);
}

/** Fill this thread's rows from the generator: row r is stream r of `seed` (6 draws). */
export function generate(args: Frame & { seed: number }, info: ThreadInfo): void {
  const [a, b] = myRows(args.n, info);
  for (let i = a; i < b; i++) {
    fillRow(args.data, {
      at: i,
      count: COLUMNS,
      seed: args.seed,
      stream: args.rowStart + i,
      stride: args.n,
    });
  }
}

/** `out = data + 1` (every column) over this thread's rows. */
export function increment(
  args: { data: Int32Array; out: Int32Array; n: number },
  info: ThreadInfo,
): void {
  const [a, b] = myRows(args.n, info);
  for (let c = 0; c < COLUMNS; c++) {
    addOne(args.data, { out: args.out, a: c * args.n + a, b: c * args.n + b });
  }
}

function addOne(x: Int32Array, o: { out: Int32Array; a: number; b: number }): void {
  const y = o.out, b = o.b;
  let i = o.a;
  for (; i + 4 <= b; i += 4) {
    y[i] = x[i] + 1, y[i + 1] = x[i + 1] + 1, y[i + 2] = x[i + 2] + 1, y[i + 3] = x[i + 3] + 1;
  }
  for (; i < b; i++) y[i] = x[i] + 1;
}

/** Moments of each of `columns` over this thread's rows. */
export function columnMoments(
  args: { data: Int32Array; n: number; columns: number[] },
  info: ThreadInfo,
): Moments[] {
  const [a, b] = myRows(args.n, info);
  return args.columns.map((c) =>
    rangeMoments(args.data, { start: c * args.n + a, end: c * args.n + b })
  );
}

/** Merge per-thread moments of several columns. */
export function mergeColumns(parts: Moments[][]): Moments[] {
  return parts[0].map((_, c) =>
    parts.reduce<Moments>((acc, p) => mergeMoments(acc, p[c]), [0, 0, 0])
  );
}

/** Partial group-by: keys seen, their counts and the sums of the value columns. */
export interface GroupPartial {
  keys: Int32Array;
  counts: Float64Array;
  /** `sums[v · keys.length + k]`: sum of value column v for key k */
  sums: Float64Array;
}

// dense accumulators, one set per thread (each worker has its own module instance); kernels are
// synchronous and leave them zeroed
let dense: { count: Float64Array; sums: Float64Array[]; touched: Int32Array } | null = null;

function accumulators(values: number) {
  if (!dense || dense.sums.length < values) {
    dense = {
      count: new Float64Array(VALUE_RANGE),
      sums: Array.from({ length: values }, () => new Float64Array(VALUE_RANGE)),
      touched: new Int32Array(VALUE_RANGE),
    };
  }
  return dense;
}

/**
 * Accumulate rows into the dense accumulators: `keys[i]` and `values[v][i]` for i in [a, b), or
 * partials (`counts` given). Returns the number of touched keys.
 */
function accumulate(
  acc: ReturnType<typeof accumulators>,
  o: {
    keys: Int32Array;
    values: Int32Array[] | Float64Array[];
    a: number;
    b: number;
    m: number;
    counts?: Float64Array;
  },
): number {
  const { count, sums, touched } = acc;
  const { keys, values, b, counts } = o;
  let m = o.m;
  for (let i = o.a; i < b; i++) {
    const k = keys[i];
    if (count[k] === 0) touched[m++] = k;
    count[k] += counts ? counts[i] : 1;
    for (let v = 0; v < values.length; v++) sums[v][k] += values[v][i];
  }
  return m;
}

/** Read the touched keys out of the accumulators (sorted if asked) and zero them. */
function harvest(
  acc: ReturnType<typeof accumulators>,
  o: { m: number; values: number },
): GroupPartial {
  const { m, values } = o;
  const keys = acc.touched.slice(0, m);
  const counts = new Float64Array(m), sums = new Float64Array(m * values);
  for (let j = 0; j < m; j++) {
    const k = keys[j];
    counts[j] = acc.count[k];
    acc.count[k] = 0;
    for (let v = 0; v < values; v++) {
      sums[v * m + j] = acc.sums[v][k];
      acc.sums[v][k] = 0;
    }
  }
  return { keys, counts, sums };
}

/** Group this thread's rows by column `key`: counts and sums of the `values` columns. */
export function groupPartial(
  args: { data: Int32Array; n: number; key: number; values: number[] },
  info: ThreadInfo,
): GroupPartial {
  const [a, b] = myRows(args.n, info);
  const { data, n } = args;
  const acc = accumulators(args.values.length);
  const keys = data.subarray(args.key * n, args.key * n + n);
  const values = args.values.map((c) => data.subarray(c * n, c * n + n));
  const m = accumulate(acc, { keys, values, a, b, m: 0 });
  return harvest(acc, { m, values: args.values.length });
}

/** Merge group-by partials (of threads or ranks) into one, keys sorted ascending. */
export function mergeGroups(parts: GroupPartial[], values: number): GroupPartial {
  const acc = accumulators(values);
  let m = 0;
  for (const p of parts) {
    const k = p.keys.length;
    const sums = Array.from({ length: values }, (_, v) => p.sums.subarray(v * k, v * k + k));
    m = accumulate(acc, { keys: p.keys, values: sums, a: 0, b: k, m, counts: p.counts });
  }
  acc.touched.subarray(0, m).sort();
  return harvest(acc, { m, values });
}

/** A partial as bytes (sums, counts as float64, then keys as int32). */
export function encodeGroups(p: GroupPartial): Uint8Array {
  const m = p.keys.length, v = p.sums.length;
  const out = new Uint8Array(8 * (v + m) + 4 * m);
  new Float64Array(out.buffer, 0, v).set(p.sums);
  new Float64Array(out.buffer, 8 * v, m).set(p.counts);
  new Int32Array(out.buffer, 8 * (v + m), m).set(p.keys);
  return out;
}

/** Inverse of {@linkcode encodeGroups}. */
export function decodeGroups(bytes: Uint8Array, values: number): GroupPartial {
  const b = bytes.slice(); // aligned copy
  const m = b.byteLength / (8 * values + 8 + 4);
  return {
    sums: new Float64Array(b.buffer, 0, m * values),
    counts: new Float64Array(b.buffer, 8 * m * values, m),
    keys: new Int32Array(b.buffer, 8 * (m * values + m), m),
  };
}

/** Rows as shuffled: `rows[r · ROW_INTS + 0]` is the global index, then the 6 columns. */
export type Rows = Int32Array;

/**
 * Pack this rank's rows into one block per destination, `dest(i)` giving each row's rank:
 * `[index, col_0 … col_5]` per row, rows in local order.
 */
export function packRows(frame: Frame, o: { ranks: number; dest: Int32Array }): Uint8Array[] {
  const { data, n, rowStart } = frame;
  const counts = new Int32Array(o.ranks);
  for (let i = 0; i < n; i++) counts[o.dest[i]]++;
  const blocks = Array.from({ length: o.ranks }, (_, r) => new Int32Array(counts[r] * ROW_INTS));
  const fill = new Int32Array(o.ranks);
  for (let i = 0; i < n; i++) {
    const d = o.dest[i], at = fill[d]++ * ROW_INTS, block = blocks[d];
    block[at] = rowStart + i;
    for (let c = 0; c < COLUMNS; c++) block[at + 1 + c] = data[c * n + i];
  }
  return blocks.map((b) => new Uint8Array(b.buffer));
}

/** Concatenate received row blocks (in source-rank order). */
export function joinRows(blocks: Uint8Array[]): Rows {
  const total = blocks.reduce((s, b) => s + b.byteLength, 0);
  const out = new Int32Array(total / 4);
  const bytes = new Uint8Array(out.buffer);
  let at = 0;
  for (const b of blocks) {
    bytes.set(b, at);
    at += b.byteLength;
  }
  return out;
}

/** This rank's frame as rows (no exchange: one rank). */
export function frameRows(frame: Frame): Rows {
  return joinRows(packRows(frame, { ranks: 1, dest: new Int32Array(frame.n) }));
}

/** A sorted or grouped frame: explicit global index and 6 columns, column-major. */
export interface IndexedFrame {
  index: Int32Array;
  data: Int32Array;
  n: number;
}

/**
 * Stable sort of rows by column `key` (values in [0, 2¹⁸)): LSD radix sort, two passes of 9 bits.
 * Equal keys keep their order. `plus` is added to every column (0 for a sort, 1 for `x + 1`).
 */
export function sortRows(rows: Rows, o: { key: number; plus: number }): IndexedFrame {
  const n = rows.length / ROW_INTS;
  const keyAt = 1 + o.key;
  let order = new Int32Array(n), tmp = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const counts = new Int32Array(512);
  for (const shift of [0, 9]) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(rows[i * ROW_INTS + keyAt] >> shift) & 511]++;
    for (let d = 0, sum = 0; d < 512; d++) {
      const c = counts[d];
      counts[d] = sum;
      sum += c;
    }
    for (let j = 0; j < n; j++) {
      const i = order[j];
      tmp[counts[(rows[i * ROW_INTS + keyAt] >> shift) & 511]++] = i;
    }
    [order, tmp] = [tmp, order];
  }
  const index = new Int32Array(n), data = new Int32Array(n * COLUMNS);
  for (let j = 0; j < n; j++) {
    const at = order[j] * ROW_INTS;
    index[j] = rows[at];
    for (let c = 0; c < COLUMNS; c++) data[c * n + j] = rows[at + 1 + c] + o.plus;
  }
  return { index, data, n };
}

/** All kernels, by name (the workload's `kernels`). */
export const KERNELS = { generate, increment, columnMoments, groupPartial };
