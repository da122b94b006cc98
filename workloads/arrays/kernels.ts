/**
 * Thread kernels of the `arrays` workload. Each runs on every thread of a rank (`ctx.parallel`)
 * over that thread's share of the rank's rows; arrays arrive as views on SharedArrayBuffers.
 *
 * A rank holds rows `[rowStart, rowStart + rows)` of the global N × N array, row-major, as
 * Int32Array (values < 1e5; see mod.ts for the dtype choice).
 *
 * @module
 */
import { partition, type ThreadInfo } from "../../core/workload.ts";
import { fromShiftedSums, mergeMoments, type Moments, SHIFT, shiftedSums } from "./moments.ts";
import { fillRow } from "./random.ts";
import { sin2cos2 } from "./sincos.ts";

/** The local block of a rank: `rows` × `cols` values, global first row `rowStart`. */
export interface Block {
  x: Int32Array;
  rows: number;
  cols: number;
  rowStart: number;
}

function myRows(b: { rows: number }, info: ThreadInfo): [number, number] {
  return partition(b.rows, info.threads, info.thread);
}

function myElements(n: number, info: ThreadInfo): [number, number] {
  return partition(n, info.threads, info.thread);
}

/** Fill this thread's rows of `x` from the generator (row r = stream r of `seed`). */
export function generate(args: Block & { seed: number }, info: ThreadInfo): void {
  const [a, b] = myRows(args, info);
  for (let i = a; i < b; i++) {
    fillRow(args.x, {
      at: i * args.cols,
      count: args.cols,
      seed: args.seed,
      stream: args.rowStart + i,
    });
  }
}

/*
 * Hot loops live in functions called once per row, tile or block of 32 Ki elements, unrolled so
 * that V8 does not inline them into their (once-called) kernel: after a GC has dropped a kernel's
 * optimised code (V8 does that between operations), the kernel may come back only as baseline
 * (Maglev) code, but the loop functions, called thousands of times, are optimised again within a
 * few calls — instead of one long loop running in the interpreter or in baseline code.
 */
const BLOCK = 1 << 15;

/** `y = x + 1` over this thread's elements. */
export function increment(args: { x: Int32Array; y: Int32Array }, info: ThreadInfo): void {
  const [a, b] = myElements(args.x.length, info);
  for (let i = a; i < b; i += BLOCK) addOne(args.x, { y: args.y, a: i, b: Math.min(b, i + BLOCK) });
}

function addOne(x: Int32Array, o: { y: Int32Array; a: number; b: number }): void {
  const y = o.y, b = o.b;
  let i = o.a;
  for (; i + 8 <= b; i += 8) { // unrolled: see BLOCK (keeps it a separate optimised function)
    y[i] = x[i] + 1, y[i + 1] = x[i + 1] + 1, y[i + 2] = x[i + 2] + 1, y[i + 3] = x[i + 3] + 1;
    y[i + 4] = x[i + 4] + 1, y[i + 5] = x[i + 5] + 1, y[i + 6] = x[i + 6] + 1;
    y[i + 7] = x[i + 7] + 1;
  }
  for (; i < b; i++) y[i] = x[i] + 1;
}

/** Moments `[n, mean, M2]` of this thread's rows: exact shifted sums per row, merged with Chan. */
export function moments(args: Block, info: ThreadInfo): Moments {
  const [a, b] = myRows(args, info);
  const cols = args.cols, sums = new Float64Array(2);
  let acc: Moments = [0, 0, 0];
  for (let r = a; r < b; r++) {
    shiftedSums(args.x, { a: r * cols, b: (r + 1) * cols, out: sums });
    acc = mergeMoments(acc, fromShiftedSums({ n: cols, s1: sums[0], s2: sums[1] }));
  }
  return acc;
}

/**
 * Per-column exact shifted sums of this thread's rows: `[Σd for each column, Σd² for each column]`
 * with d = x − SHIFT (exact while rows × 2.5·10⁹ < 2⁵³).
 */
export function columnSums(args: Block, info: ThreadInfo): Float64Array {
  const [a, b] = myRows(args, info);
  const x = args.x, cols = args.cols;
  const out = new Float64Array(2 * cols);
  const s1 = out.subarray(0, cols), s2 = out.subarray(cols);
  for (let r = a; r < b; r++) accumulateRow(x, { base: r * cols, s1, s2 });
  return out;
}

function accumulateRow(
  x: Int32Array,
  o: { base: number; s1: Float64Array; s2: Float64Array },
): void {
  const { base, s1, s2 } = o, n = s1.length;
  let j = 0;
  for (; j + 4 <= n; j += 4) { // unrolled: see BLOCK
    const d0 = x[base + j] - SHIFT, d1 = x[base + j + 1] - SHIFT;
    const d2 = x[base + j + 2] - SHIFT, d3 = x[base + j + 3] - SHIFT;
    s1[j] += d0, s1[j + 1] += d1, s1[j + 2] += d2, s1[j + 3] += d3;
    s2[j] += d0 * d0, s2[j + 1] += d1 * d1, s2[j + 2] += d2 * d2, s2[j + 3] += d3 * d3;
  }
  for (; j < n; j++) {
    const d = x[base + j] - SHIFT;
    s1[j] += d;
    s2[j] += d * d;
  }
}

/** `out = sin(x)² + cos(x)²` over this thread's elements. */
export function trig(args: { x: Int32Array; out: Float64Array }, info: ThreadInfo): void {
  const [a, b] = myElements(args.x.length, info);
  sin2cos2(args.x, args.out, { start: a, end: b });
}

const TILE = 64;

/**
 * Wire format of a row of `w` values in [0, 2¹⁷) (the array's values are < 1e5): the low 16 bits
 * as w uint16, then the 17th bits packed 8 a byte, padded to 4 bytes — 2.125 bytes a value, a
 * quarter of dask-bench's int64.
 */
export function rowBytes(w: number): number {
  return (2 * w + ((w + 7) >> 3) + 3) & ~3;
}

/** Where the encoded block for one rank goes in the send buffer: xᵀ rows c0..c1 (its rows). */
export interface Region {
  /** byte offset in the send buffer */
  at: number;
  c0: number;
  c1: number;
}

/**
 * Encode, for every other rank d, the rows of xᵀ it needs from this rank: row i ∈ [c0_d, c1_d) is
 * column i of this rank's rows (`rows` values). This thread encodes its share of each region's
 * rows, TILE × TILE values at a time: read x's rows into a transposed scratch tile, then encode
 * 8 values (one byte of 17th bits) at a time.
 */
export function packTransposed(
  args: { x: Int32Array; rows: number; cols: number; send: Uint8Array; regions: (Region | null)[] },
  info: ThreadInfo,
): void {
  const { x, cols, send, rows } = args;
  const u8 = send, u16 = new Uint16Array(send.buffer, send.byteOffset, send.byteLength >> 1);
  const rb = rowBytes(rows);
  const tile = new Int32Array(TILE * TILE);
  for (const reg of args.regions) {
    if (!reg) continue;
    const [a, b] = partition(reg.c1 - reg.c0, info.threads, info.thread);
    for (let ib = a; ib < b; ib += TILE) {
      const ni = Math.min(b, ib + TILE) - ib;
      for (let kb = 0; kb < rows; kb += TILE) { // TILE is a multiple of 8: whole bit bytes
        const nk = Math.min(rows, kb + TILE) - kb;
        gatherTile(x, { tile, at: kb * cols + reg.c0 + ib, stride: cols, n: nk, m: ni });
        for (let ii = 0; ii < ni; ii++) {
          const at = reg.at + (ib + ii) * rb;
          encodeRun(tile, {
            from: ii * TILE,
            n: nk,
            u8,
            u16,
            lo: (at >> 1) + kb,
            hi: at + 2 * rows + (kb >> 3),
          });
        }
      }
    }
  }
}

/** `tile[m' · TILE + n'] = src[at + n' · stride + m']` for n' < n, m' < m (a transposed tile). */
function gatherTile(
  src: Int32Array,
  o: { tile: Int32Array; at: number; stride: number; n: number; m: number },
): void {
  const { tile, stride, n, m } = o;
  for (let k = 0; k < n; k++) {
    const from = o.at + k * stride;
    let i = 0;
    for (; i + 4 <= m; i += 4) { // unrolled: see BLOCK
      tile[i * TILE + k] = src[from + i];
      tile[(i + 1) * TILE + k] = src[from + i + 1];
      tile[(i + 2) * TILE + k] = src[from + i + 2];
      tile[(i + 3) * TILE + k] = src[from + i + 3];
    }
    for (; i < m; i++) tile[i * TILE + k] = src[from + i];
  }
}

/** Encode `n` values of `src` from `from`: uint16s at `u16[lo ..]`, 17th bits at `u8[hi ..]`. */
function encodeRun(
  src: Int32Array,
  to: { from: number; n: number; u8: Uint8Array; u16: Uint16Array; lo: number; hi: number },
): void {
  const { from, n, u8, u16, lo, hi } = to;
  let k = 0;
  for (; k + 8 <= n; k += 8) {
    const f = from + k, l = lo + k;
    const v0 = src[f], v1 = src[f + 1], v2 = src[f + 2], v3 = src[f + 3];
    const v4 = src[f + 4], v5 = src[f + 5], v6 = src[f + 6], v7 = src[f + 7];
    u16[l] = v0, u16[l + 1] = v1, u16[l + 2] = v2, u16[l + 3] = v3;
    u16[l + 4] = v4, u16[l + 5] = v5, u16[l + 6] = v6, u16[l + 7] = v7;
    u8[hi + (k >> 3)] = (v0 >>> 16) | ((v1 >>> 16) << 1) | ((v2 >>> 16) << 2) |
      ((v3 >>> 16) << 3) | ((v4 >>> 16) << 4) | ((v5 >>> 16) << 5) | ((v6 >>> 16) << 6) |
      ((v7 >>> 16) << 7);
  }
  if (k < n) {
    let bits = 0;
    for (let j = k; j < n; j++) {
      const v = src[from + j];
      u16[lo + j] = v;
      bits |= (v >>> 16) << (j - k);
    }
    u8[hi + (k >> 3)] = bits;
  }
}

/** Encoded rows of xᵀ received from one rank: local rows `row0 ..`, columns `c0 ..` (w of them). */
export interface Piece {
  bytes: Uint8Array;
  row0: number;
  rows: number;
  c0: number;
  w: number;
}

/** `out[i, c0 + k] = x[i, c0 + k] + xᵀ[i, c0 + k]` for this thread's share of each piece's rows. */
export function addPieces(
  args: { x: Int32Array; out: Int32Array; cols: number; pieces: Piece[] },
  info: ThreadInfo,
): void {
  const { x, out, cols } = args;
  for (const p of args.pieces) {
    const [a, b] = partition(p.rows, info.threads, info.thread);
    const u8 = p.bytes, u16 = new Uint16Array(u8.buffer, u8.byteOffset, u8.byteLength >> 1);
    const w = p.w, rb = rowBytes(w);
    for (let r = a; r < b; r++) {
      decodeAddRow(x, { out, u8, u16, at: r * rb, w, base: (p.row0 + r) * cols + p.c0 });
    }
  }
}

/** `out[base + k] = x[base + k] + value k of the encoded row at byte `at`, for k < w. */
function decodeAddRow(
  x: Int32Array,
  o: { out: Int32Array; u8: Uint8Array; u16: Uint16Array; at: number; w: number; base: number },
): void {
  const { out, u8, u16, w, base } = o;
  const lo = o.at >> 1, hi = o.at + 2 * w;
  let k = 0;
  for (; k + 8 <= w; k += 8) { // one byte of 17th bits per 8 values
    const bits = u8[hi + (k >> 3)] << 16, l = lo + k, p = base + k;
    out[p] = x[p] + (u16[l] | (bits & 0x10000));
    out[p + 1] = x[p + 1] + (u16[l + 1] | ((bits >> 1) & 0x10000));
    out[p + 2] = x[p + 2] + (u16[l + 2] | ((bits >> 2) & 0x10000));
    out[p + 3] = x[p + 3] + (u16[l + 3] | ((bits >> 3) & 0x10000));
    out[p + 4] = x[p + 4] + (u16[l + 4] | ((bits >> 4) & 0x10000));
    out[p + 5] = x[p + 5] + (u16[l + 5] | ((bits >> 5) & 0x10000));
    out[p + 6] = x[p + 6] + (u16[l + 6] | ((bits >> 6) & 0x10000));
    out[p + 7] = x[p + 7] + (u16[l + 7] | ((bits >> 7) & 0x10000));
  }
  for (; k < w; k++) {
    const v = u16[lo + k] | (((u8[hi + (k >> 3)] >> (k & 7)) & 1) << 16);
    out[base + k] = x[base + k] + v;
  }
}

/**
 * `out = x + xᵀ` on the diagonal block (this rank's rows × the same columns), using its symmetry:
 * each pair of tiles (I, J), I ≤ J, is read once and both out[I, J] and out[J, I] = out[I, J]ᵀ are
 * written. The pairs are shared among the threads.
 */
export function addTransposeDiag(
  args: { x: Int32Array; out: Int32Array; rows: number; cols: number; rowStart: number },
  info: ThreadInfo,
): void {
  const { x, out, rows, cols, rowStart } = args;
  const tiles = Math.ceil(rows / TILE), pairs = (tiles * (tiles + 1)) / 2;
  const [p0, p1] = partition(pairs, info.threads, info.thread);
  const tile = new Int32Array(TILE * TILE), sum = new Int32Array(TILE * TILE);
  let p = 0;
  for (let I = 0; I < tiles && p < p1; I++) {
    for (let J = I; J < tiles; J++, p++) {
      if (p < p0) continue;
      if (p >= p1) break;
      const i0 = I * TILE, j0 = J * TILE;
      const ni = Math.min(rows, i0 + TILE) - i0, nj = Math.min(rows, j0 + TILE) - j0;
      // tile[i · TILE + k] = x[j0 + k, rowStart + i0 + i] = xᵀ[i0 + i, j0 + k]
      gatherTile(x, { tile, at: j0 * cols + rowStart + i0, stride: cols, n: nj, m: ni });
      addTileKeep(x, { out, tile, sum, at: i0 * cols + rowStart + j0, cols, n: ni, m: nj });
      if (I !== J) scatterTile(sum, { out, at: j0 * cols + rowStart + i0, cols, n: ni, m: nj });
    }
  }
}

/** `out[at + i · cols + j] = sum[i · TILE + j] = x[…] + tile[i · TILE + j]` for i < n, j < m. */
function addTileKeep(
  x: Int32Array,
  o: {
    out: Int32Array;
    tile: Int32Array;
    sum: Int32Array;
    at: number;
    cols: number;
    n: number;
    m: number;
  },
): void {
  const { out, tile, sum, cols, n, m } = o;
  for (let i = 0; i < n; i++) {
    const row = o.at + i * cols, t = i * TILE;
    let j = 0;
    for (; j + 4 <= m; j += 4) { // unrolled: see BLOCK
      const s0 = x[row + j] + tile[t + j], s1 = x[row + j + 1] + tile[t + j + 1];
      const s2 = x[row + j + 2] + tile[t + j + 2], s3 = x[row + j + 3] + tile[t + j + 3];
      out[row + j] = sum[t + j] = s0;
      out[row + j + 1] = sum[t + j + 1] = s1;
      out[row + j + 2] = sum[t + j + 2] = s2;
      out[row + j + 3] = sum[t + j + 3] = s3;
    }
    for (; j < m; j++) out[row + j] = sum[t + j] = x[row + j] + tile[t + j];
  }
}

/** `out[at + k · cols + i] = sum[i · TILE + k]` for i < n, k < m (write a tile transposed). */
function scatterTile(
  sum: Int32Array,
  o: { out: Int32Array; at: number; cols: number; n: number; m: number },
): void {
  const { out, cols, n, m } = o;
  for (let k = 0; k < m; k++) {
    const row = o.at + k * cols;
    let i = 0;
    for (; i + 4 <= n; i += 4) { // unrolled: see BLOCK
      out[row + i] = sum[i * TILE + k];
      out[row + i + 1] = sum[(i + 1) * TILE + k];
      out[row + i + 2] = sum[(i + 2) * TILE + k];
      out[row + i + 3] = sum[(i + 3) * TILE + k];
    }
    for (; i < n; i++) out[row + i] = sum[i * TILE + k];
  }
}

/** All kernels, by name (the workload's `kernels`). */
export const KERNELS = {
  generate,
  increment,
  moments,
  columnSums,
  trig,
  packTransposed,
  addPieces,
  addTransposeDiag,
};
