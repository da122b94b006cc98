/**
 * `arrays`: dask-bench's weak-scaling array operations (modules/weakscaling/arrays.py) on a
 * square N × N array of random integers in [0, 1e5), N = `size` (weak mode: size · √cores).
 *
 * The array is distributed by rows over the ranks (`partition`), and each rank's rows are split
 * over its threads (Web Workers on SharedArrayBuffers). Row r is drawn from `rng(seed, r)`, so
 * every layout builds the same global array and the checks can recompute any element.
 *
 * dtype: dask-bench's array is int64; the values (< 1e5) are held here as Int32Array, which halves
 * the memory and the bytes moved. Rates still use dask-bench's amount — the int64 `nbytes`
 * (N² · 8 bytes) — so MB/s compares like for like with Dask's.
 *
 * @module
 */
import { ARRAY_SWEEP, type ArrayParams } from "./params.ts";
import { defineWorkload, partition, type RankContext } from "../../core/workload.ts";
import { type Block, KERNELS } from "./kernels.ts";
import { sumTranspose, transposeBuffers, type TransposeState } from "./sum_transpose.ts";
import { diagPairs, rowBytes } from "./transpose.ts";
import { mergeAll, type Moments, stdOf } from "./moments.ts";
import { genRow, sampleIndices, VALUE_RANGE } from "./random.ts";
import { checkElementwise, checkStd, checkStdAxis, checkTranspose } from "./checks.ts";

export type { ArrayParams };

/** What every rank keeps between operations. */
export interface ArrayState extends TransposeState {
  seed: number;
  /** Float64 result buffer (sin² + cos²) */
  out64: Float64Array;
}

/** Context of an `arrays` operation. */
export type ArrayContext = RankContext<ArrayParams>;

function shared32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(n * 4));
}

function sharedBytes(n: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(n));
}

/** The element at global (row, col): its owner reads it, and rank 0 (the client) receives it. */
export async function randomAccess(
  ctx: ArrayContext,
  state: ArrayState,
  at: { row: number; col: number },
): Promise<number | null> {
  const owner = state.ranges.findIndex(([a, b]) => at.row >= a && at.row < b);
  const { x, cols, rowStart } = state.block;
  const mine = ctx.rank === owner ? x[(at.row - rowStart) * cols + at.col] : null;
  if (owner === 0) return mine;
  const all = await ctx.allgather(mine);
  return ctx.rank === 0 ? all[owner] : null;
}

/** Let the JIT optimise every kernel on a slice of the data (untimed, in prepare). */
async function warmUp(ctx: ArrayContext, state: ArrayState): Promise<void> {
  const { block, out32, out64 } = state;
  const N = block.cols, few = Math.min(block.rows, Math.ceil(65536 / N) + 1, N);
  const slice = { ...block, rows: few, x: block.x.subarray(0, few * N) };
  const send = sharedBytes(few * rowBytes(few));
  const regions = [{ at: 0, c0: 0, c1: few }];
  const pieces = [{ bytes: send, k0: 0, rows: few, c0: 0, w: few }];
  for (let k = 0; k < 5; k++) {
    await ctx.parallel("increment", { x: slice.x, y: out32.subarray(0, few * N) });
    await ctx.parallel("moments", slice);
    await ctx.parallel("columnSums", slice);
    await ctx.parallel("trig", { x: slice.x, out: out64.subarray(0, few * N) });
    await ctx.parallel("packRows", { x: slice.x, cols: N, send, regions, k0: 0, k1: few });
    await ctx.parallel("addReceived", { x: slice.x, out: out32, cols: N, pieces });
    const diag = { ...slice, out: out32, rowStart: 0 };
    await ctx.parallel("addTransposeDiag", { ...diag, from: 0, to: diagPairs(few) });
  }
}

const mb = (p: ArrayParams) => (p.size * p.size * 8) / 1e6;
const MB = { unit: "MB", amount: mb };

export default defineWorkload({
  name: "arrays",
  summary: "dask-bench's array operations on an N × N random integer array, distributed by rows",
  ...ARRAY_SWEEP,
  kernels: KERNELS,
  async prepare(ctx): Promise<ArrayState> {
    const N = ctx.params.size;
    const ranges = Array.from({ length: ctx.ranks }, (_, r) => partition(N, ctx.ranks, r));
    const [rowStart, rowEnd] = ranges[ctx.rank];
    const rows = rowEnd - rowStart, n = rows * N;
    const block: Block = { x: shared32(n), rows, cols: N, rowStart };
    const bytes = transposeBuffers(ranges, ctx.rank);
    const state: ArrayState = {
      block,
      ranges,
      seed: ctx.seed,
      out32: shared32(n),
      out64: new Float64Array(new SharedArrayBuffer(n * 8)),
      send: ctx.ranks > 1 ? sharedBytes(bytes.send) : null,
      stage: ctx.ranks > 1 && ctx.threads > 1 ? sharedBytes(bytes.stage) : null,
    };
    // touch every page now, so that no timed operation pays for first-touch faults
    for (const a of [state.out32, state.out64, state.send, state.stage]) a?.fill(1);
    await ctx.parallel("generate", { ...block, seed: ctx.seed });
    await warmUp(ctx, state);
    return state;
  },
  operations: {
    "create random 2D-array": {
      summary: "Fill the array with random integers in [0, 1e5)",
      async run(ctx, state) {
        await ctx.parallel("generate", { ...state.block, seed: state.seed });
        return state.block.x;
      },
      check: (ctx, state, x: Int32Array) => checkCreated(ctx, state, { x, plus: 0 }),
      metric: MB,
    },
    "block-wise operation": {
      summary: "x + 1, block by block",
      async run(ctx, state) {
        await ctx.parallel("increment", { x: state.block.x, y: state.out32 });
        return state.out32;
      },
      check(ctx, state, y: Int32Array) {
        const x = state.block.x;
        if (y.length !== x.length) return { ok: false, message: `Result has ${y.length} values` };
        for (let i = 0; i < x.length; i++) {
          if (y[i] !== x[i] + 1) {
            return { ok: false, message: `x + 1 is ${y[i]} at local element ${i}, x is ${x[i]}` };
          }
        }
        return checkCreated(ctx, state, { x: y, plus: 1 });
      },
      metric: MB,
    },
    "random access": {
      summary: "x[42, 314], read by its owner and sent to rank 0",
      run: (ctx, state) => randomAccess(ctx, state, { row: 42, col: 314 }),
      check(ctx, state, value: number | null) {
        if (ctx.rank !== 0) return true;
        const expected = genRow(state.seed, 42, 315)[314];
        return value === expected ||
          { ok: false, message: `x[42, 314] is ${value}, the generator gives ${expected}` };
      },
      metric: { unit: "bytes", amount: () => 8 },
    },
    "reduction operation (std)": {
      summary: "x.std(): exact shifted block sums, merged with Chan's algorithm",
      async run(ctx, state) {
        const parts = await ctx.parallel<Moments>("moments", state.block);
        const all = await ctx.allgather(mergeAll(parts) as number[]);
        return stdOf(mergeAll(all as Moments[]));
      },
      check: (ctx, state, std: number) => checkStd(ctx, state, std),
      metric: MB,
    },
    "reduction (std) along axis": {
      summary: "x.std(axis=0): exact per-column sums, summed over threads and ranks",
      async run(ctx, state) {
        const N = state.block.cols;
        const parts = await ctx.parallel<Float64Array>("columnSums", state.block);
        const sums = parts[0];
        for (let t = 1; t < parts.length; t++) {
          const p = parts[t];
          for (let j = 0; j < sums.length; j++) sums[j] += p[j];
        }
        const total = ctx.ranks > 1 ? await ctx.allreduce(sums) : sums;
        const std = new Float64Array(N);
        for (let j = 0; j < N; j++) {
          const s1 = total[j], s2 = total[N + j];
          std[j] = Math.sqrt(Math.max(0, s2 - (s1 * s1) / N) / N);
        }
        return std;
      },
      check: (ctx, state, std: Float64Array) => checkStdAxis(ctx, state, std),
      metric: MB,
    },
    "elementwise computation": {
      summary: "sin(x)² + cos(x)², kept in memory",
      async run(ctx, state) {
        await ctx.parallel("trig", { x: state.block.x, out: state.out64 });
        return state.out64;
      },
      check: (ctx, state, y: Float64Array) => checkElementwise(ctx, state, y),
      metric: MB,
    },
    "sum the transpose": {
      summary:
        "x + xᵀ: rows exchanged in rounds overlapped with the diagonal block, register-blocked",
      run: (ctx, state) => sumTranspose(ctx, state),
      check: (ctx, state, y: Int32Array) => checkTranspose(ctx, state, y),
      metric: MB,
    },
  },
});

/** Every value in [offset, 1e5 + offset) and sampled rows equal to the generator's (+ offset). */
export function checkCreated(
  ctx: ArrayContext,
  state: ArrayState,
  o: { x: Int32Array; plus: number },
): { ok: boolean; message?: string } {
  const { x, plus: offset } = o;
  const { rows, cols, rowStart } = state.block;
  if (x.length !== rows * cols) return { ok: false, message: `Array has ${x.length} values` };
  for (let i = 0; i < x.length; i++) {
    const v = x[i] - offset;
    if (!(v >= 0 && v < VALUE_RANGE)) {
      return { ok: false, message: `Value ${x[i]} at local element ${i} is out of range` };
    }
  }
  const sample = sampleIndices(16, { lo: 0, hi: rows, seed: state.seed + ctx.rank });
  for (const r of sample) {
    const expected = genRow(state.seed, rowStart + r, cols);
    for (let j = 0; j < cols; j++) {
      if (x[r * cols + j] !== expected[j] + offset) {
        return {
          ok: false,
          message: `x[${rowStart + r}, ${j}] is ${x[r * cols + j] - offset}, the generator gives ${
            expected[j]
          }`,
        };
      }
    }
  }
  return { ok: true };
}
