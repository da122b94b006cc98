/**
 * Thread kernels of x + xᵀ (`arrays`' "sum the transpose"). A rank holds rows `[rowStart, rowStart +
 * rows)` of the N × N array; the result's block at its own columns (the diagonal block) needs only
 * its rows, every other column block needs the rows of the rank that owns those columns:
 * - {@linkcode addTransposeDiag}: the diagonal block, pair by pair of tiles, in 4 × 4 register
 *   blocks (each value of x is read once and both results written);
 * - {@linkcode packRows}: the sender encodes, row by row and in order, the values each other rank
 *   needs (its row k at that rank's columns), so that the bytes leave as soon as they are ready;
 * - {@linkcode addReceived}: the receiver adds them transposed, 8 of its rows × 1 received row at a
 *   time, so that each received cache line is used whole.
 *
 * Wire format of a row of `w` values in [0, 2¹⁷) (the array's values are < 1e5): the low 16 bits
 * as w uint16, then the 17th bits packed 8 a byte, padded to 4 bytes — 2.125 bytes a value, a
 * quarter of dask-bench's int64.
 *
 * @module
 */
import { partition, type ThreadInfo } from "../../core/workload.ts";

/** Bytes of an encoded row of `w` values. */
export function rowBytes(w: number): number {
  return (2 * w + ((w + 7) >> 3) + 3) & ~3;
}

/** Side of the diagonal block's tiles: a pair of tiles of x and out stays in L2 (1 MiB here). */
export const DIAG_TILE = 256;

/** Number of tile pairs (I ≤ J) of a diagonal block of `rows` rows: the unit of work of the diag. */
export function diagPairs(rows: number): number {
  const tiles = Math.ceil(rows / DIAG_TILE);
  return (tiles * (tiles + 1)) / 2;
}

/**
 * `out = x + xᵀ` on the diagonal block (this rank's rows × the same columns), for tile pairs
 * `[from, to)` (row-major over I ≤ J; default all), shared among the threads: each pair (I, J) is
 * read once and both out[I, J] and out[J, I] = out[I, J]ᵀ written.
 */
export function addTransposeDiag(
  args: {
    x: Int32Array;
    out: Int32Array;
    rows: number;
    cols: number;
    rowStart: number;
    from?: number;
    to?: number;
  },
  info: ThreadInfo,
): void {
  const { rows } = args;
  const from = args.from ?? 0, to = args.to ?? diagPairs(rows);
  const [p0, p1] = partition(to - from, info.threads, info.thread).map((p) => p + from);
  const tiles = Math.ceil(rows / DIAG_TILE);
  let p = 0;
  for (let I = 0; I < tiles && p < p1; I++) {
    if (p + tiles - I <= p0) { // the whole row of pairs is before p0
      p += tiles - I;
      continue;
    }
    for (let J = I; J < tiles && p < p1; J++, p++) {
      if (p < p0) continue;
      const i0 = I * DIAG_TILE, j0 = J * DIAG_TILE;
      tilePair(args.x, {
        out: args.out,
        i0,
        i1: Math.min(rows, i0 + DIAG_TILE),
        j0,
        j1: Math.min(rows, j0 + DIAG_TILE),
        cols: args.cols,
        c0: args.rowStart,
      });
    }
  }
}

/*
 * Hot loops live in functions called once per tile, row or piece, unrolled so that V8 does not
 * inline them into their (once-called) kernel: after a GC has dropped a kernel's optimised code,
 * the kernel may come back only as baseline code, but the loop functions, called many times, are
 * optimised again within a few calls (see kernels.ts).
 */

/**
 * Tiles (I, J) and (J, I) of the diagonal block: out[i, c0 + j] = out[j, c0 + i] = x[i, c0 + j] +
 * x[j, c0 + i] for i ∈ [i0, i1), j ∈ [j0, j1) (j ≥ i on the diagonal tile, i0 = j0), 4 × 4 values
 * at a time held in registers.
 */
function tilePair(
  x: Int32Array,
  o: { out: Int32Array; i0: number; i1: number; j0: number; j1: number; cols: number; c0: number },
): void {
  const { out, i1, j1, cols, c0 } = o;
  const diagonal = o.i0 === o.j0;
  let i = o.i0;
  for (; i + 4 <= i1; i += 4) {
    const r0 = i * cols + c0, r1 = r0 + cols, r2 = r1 + cols, r3 = r2 + cols;
    let j = diagonal ? i : o.j0;
    for (; j + 4 <= j1; j += 4) {
      const q0 = j * cols + c0 + i, q1 = q0 + cols, q2 = q1 + cols, q3 = q2 + cols;
      const a00 = x[r0 + j] + x[q0], a01 = x[r0 + j + 1] + x[q1];
      const a02 = x[r0 + j + 2] + x[q2], a03 = x[r0 + j + 3] + x[q3];
      const a10 = x[r1 + j] + x[q0 + 1], a11 = x[r1 + j + 1] + x[q1 + 1];
      const a12 = x[r1 + j + 2] + x[q2 + 1], a13 = x[r1 + j + 3] + x[q3 + 1];
      const a20 = x[r2 + j] + x[q0 + 2], a21 = x[r2 + j + 1] + x[q1 + 2];
      const a22 = x[r2 + j + 2] + x[q2 + 2], a23 = x[r2 + j + 3] + x[q3 + 2];
      const a30 = x[r3 + j] + x[q0 + 3], a31 = x[r3 + j + 1] + x[q1 + 3];
      const a32 = x[r3 + j + 2] + x[q2 + 3], a33 = x[r3 + j + 3] + x[q3 + 3];
      out[r0 + j] = a00, out[r0 + j + 1] = a01, out[r0 + j + 2] = a02, out[r0 + j + 3] = a03;
      out[r1 + j] = a10, out[r1 + j + 1] = a11, out[r1 + j + 2] = a12, out[r1 + j + 3] = a13;
      out[r2 + j] = a20, out[r2 + j + 1] = a21, out[r2 + j + 2] = a22, out[r2 + j + 3] = a23;
      out[r3 + j] = a30, out[r3 + j + 1] = a31, out[r3 + j + 2] = a32, out[r3 + j + 3] = a33;
      out[q0] = a00, out[q0 + 1] = a10, out[q0 + 2] = a20, out[q0 + 3] = a30;
      out[q1] = a01, out[q1 + 1] = a11, out[q1 + 2] = a21, out[q1 + 3] = a31;
      out[q2] = a02, out[q2 + 1] = a12, out[q2 + 2] = a22, out[q2 + 3] = a32;
      out[q3] = a03, out[q3 + 1] = a13, out[q3 + 2] = a23, out[q3 + 3] = a33;
    }
    if (j < j1) pairTail(x, { out, i0: i, i1: i + 4, j0: j, j1, cols, c0 });
  }
  if (i < i1) pairTail(x, { out, i0: i, i1, j0: diagonal ? i : o.j0, j1, cols, c0 });
}

/** The scalar remainder of a tile pair: rows [i0, i1) × columns [max(j0, i on the diagonal), j1). */
function pairTail(
  x: Int32Array,
  o: { out: Int32Array; i0: number; i1: number; j0: number; j1: number; cols: number; c0: number },
): void {
  const { out, cols, c0 } = o;
  const diagonal = o.i0 === o.j0;
  for (let i = o.i0; i < o.i1; i++) {
    for (let j = diagonal ? i : o.j0; j < o.j1; j++) {
      const s = x[i * cols + c0 + j] + x[j * cols + c0 + i];
      out[i * cols + c0 + j] = s;
      out[j * cols + c0 + i] = s;
    }
  }
}

/** Where the encoded rows for one rank go in the send buffer: its columns c0..c1 of each row. */
export interface Region {
  /** byte offset of row 0 in the send buffer (row k at `at + k · rowBytes(c1 − c0)`) */
  at: number;
  c0: number;
  c1: number;
}

/**
 * Encode rows `[k0, k1)` of this rank (shared among the threads) for every other rank d: row k at
 * d's columns `[c0, c1)`, i.e. column k of xᵀ restricted to d's rows, read in order.
 */
export function packRows(
  args: {
    x: Int32Array;
    cols: number;
    send: Uint8Array;
    regions: (Region | null)[];
    k0: number;
    k1: number;
  },
  info: ThreadInfo,
): void {
  const { x, cols, send: u8 } = args;
  const u16 = new Uint16Array(u8.buffer, u8.byteOffset, u8.byteLength >> 1);
  const [a, b] = partition(args.k1 - args.k0, info.threads, info.thread);
  for (const reg of args.regions) {
    if (!reg) continue;
    const w = reg.c1 - reg.c0, rb = rowBytes(w);
    for (let k = args.k0 + a; k < args.k0 + b; k++) {
      const at = reg.at + k * rb;
      encodeRun(x, { from: k * cols + reg.c0, n: w, u8, u16, lo: at >> 1, hi: at + 2 * w });
    }
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

/**
 * Rows `k0 .. k0 + rows` of another rank, received encoded: row k holds x[c0 + k0 + k, i] for this
 * rank's rows i (w of them), i.e. column c0 + k0 + k of xᵀ.
 */
export interface Piece {
  bytes: Uint8Array;
  k0: number;
  rows: number;
  c0: number;
  w: number;
}

/**
 * `out[i, c] = x[i, c] + xᵀ[i, c]` for every piece's columns c = c0 + k0 + k, over this thread's
 * share of the rows i (in groups of 8: one byte of 17th bits).
 */
export function addReceived(
  args: { x: Int32Array; out: Int32Array; cols: number; pieces: Piece[] },
  info: ThreadInfo,
): void {
  const { x, out, cols } = args;
  for (const p of args.pieces) {
    const [g0, g1] = partition(Math.ceil(p.w / 8), info.threads, info.thread);
    const u8 = p.bytes, u16 = new Uint16Array(u8.buffer, u8.byteOffset, u8.byteLength >> 1);
    const o = { out, u8, u16, w: p.w, rows: p.rows, cols, col0: p.c0 + p.k0, i: 0 };
    for (let g = g0; g < g1; g++) {
      o.i = 8 * g;
      if (o.i + 8 <= p.w) addColumns8(x, o);
      else addColumnsTail(x, o);
    }
  }
}

/** Where addColumns8 / addColumnsTail add the received columns: out's rows from i on. */
interface AddColumns {
  out: Int32Array;
  u8: Uint8Array;
  u16: Uint16Array;
  w: number;
  rows: number;
  cols: number;
  col0: number;
  i: number;
}

/** Rows i .. i + 7 of out at columns col0 .. col0 + rows: 8 values (and their bit byte) a row. */
function addColumns8(
  x: Int32Array,
  o: AddColumns,
): void {
  const { out, u8, u16, w, rows, cols, i } = o;
  const rb = rowBytes(w), hi = 2 * w + (i >> 3);
  const p0 = i * cols + o.col0, p1 = p0 + cols, p2 = p1 + cols, p3 = p2 + cols;
  const p4 = p3 + cols, p5 = p4 + cols, p6 = p5 + cols, p7 = p6 + cols;
  for (let k = 0; k < rows; k++) {
    const at = k * rb, l = (at >> 1) + i, bits = u8[at + hi] << 16;
    out[p0 + k] = x[p0 + k] + (u16[l] | (bits & 0x10000));
    out[p1 + k] = x[p1 + k] + (u16[l + 1] | ((bits >> 1) & 0x10000));
    out[p2 + k] = x[p2 + k] + (u16[l + 2] | ((bits >> 2) & 0x10000));
    out[p3 + k] = x[p3 + k] + (u16[l + 3] | ((bits >> 3) & 0x10000));
    out[p4 + k] = x[p4 + k] + (u16[l + 4] | ((bits >> 4) & 0x10000));
    out[p5 + k] = x[p5 + k] + (u16[l + 5] | ((bits >> 5) & 0x10000));
    out[p6 + k] = x[p6 + k] + (u16[l + 6] | ((bits >> 6) & 0x10000));
    out[p7 + k] = x[p7 + k] + (u16[l + 7] | ((bits >> 7) & 0x10000));
  }
}

/** The last rows (fewer than 8) of out at columns col0 .. col0 + rows. */
function addColumnsTail(
  x: Int32Array,
  o: AddColumns,
): void {
  const { out, u8, u16, w, rows, cols, col0 } = o;
  const rb = rowBytes(w);
  for (let i = o.i; i < w; i++) {
    const p = i * cols + col0;
    for (let k = 0; k < rows; k++) {
      const at = k * rb;
      const v = u16[(at >> 1) + i] | (((u8[at + 2 * w + (i >> 3)] >> (i & 7)) & 1) << 16);
      out[p + k] = x[p + k] + v;
    }
  }
}
