/**
 * `dataframes`: dask-bench's weak-scaling dataframe operations (modules/weakscaling/dfs.py) on a
 * frame of 6 integer columns `col_0 … col_5` of random values in [0, 1e5), `rows` rows (weak
 * mode: rows · cores, scalebench's contract; dask-bench's code used rows · √cores).
 *
 * Rows are distributed over the ranks in contiguous blocks (`partition`), column-major per rank,
 * and split over the rank's threads when a rank holds at least 2¹⁶ rows (below that one thread is
 * faster than waking the others). Row r is drawn from `rng(seed, r)`, so every layout builds the
 * same global frame. Group-by results are gathered on rank 0 (dask's client); the group-by apply
 * shuffles rows by key with an alltoall, and `order data` is a sample sort.
 *
 * dtype: dask-bench's columns are int64; they are held here as Int32Array (values < 1e5). Rates
 * use dask-bench's amount, the int64 `nbytes` (rows · 6 · 8), so MB/s compares like for like.
 *
 * @module
 */
import { FRAME_SWEEP, type FrameParams } from "./params.ts";
import { ValidationError } from "../../core/errors.ts";
import { defineWorkload, partition, type RankContext } from "../../core/workload.ts";
import { mergeAll, type Moments, stdOf } from "../arrays/moments.ts";
import {
  COLUMNS,
  decodeGroups,
  encodeGroups,
  type Frame,
  frameRows,
  type GroupPartial,
  type IndexedFrame,
  joinRows,
  KERNELS,
  mergeColumns,
  mergeGroups,
  packRows,
  sortRows,
} from "./kernels.ts";
import * as checks from "./checks.ts";

export type { FrameParams };

/** What every rank keeps between operations. */
export interface FrameState {
  frame: Frame;
  /** Row range of every rank */
  ranges: [number, number][];
  seed: number;
  /** Result buffer of `df + 1` */
  out: Int32Array;
}

/** Context of a `dataframes` operation. */
export type FrameContext = RankContext<FrameParams>;

/** Local rows from which the rank's threads share the work. */
const PARALLEL_MIN = 1 << 16;

/** Run a kernel on the rank's threads, or inline on one when the rank's part is small. */
async function run<R>(
  ctx: FrameContext,
  state: FrameState,
  o: { kernel: string; args: unknown },
): Promise<R[]> {
  if (ctx.threads > 1 && state.frame.n >= PARALLEL_MIN) {
    return await ctx.parallel<R>(o.kernel, o.args);
  }
  const fn = (KERNELS as Record<string, (a: unknown, i: unknown) => unknown>)[o.kernel];
  return [fn(o.args, { thread: 0, threads: 1, rank: ctx.rank, ranks: ctx.ranks }) as R];
}

/** Sample std (ddof = 1, as pandas) of each of `columns` over all ranks. */
async function columnStd(ctx: FrameContext, state: FrameState, o: { columns: number[] }) {
  const { data, n } = state.frame, columns = o.columns;
  const parts = await run<Moments[]>(ctx, state, {
    kernel: "columnMoments",
    args: { data, n, columns },
  });
  const mine = mergeColumns(parts);
  const all = ctx.ranks > 1 ? (await ctx.allgather(mine as number[][])) as Moments[][] : [mine];
  return columns.map((_, c) => stdOf(mergeAll(all.map((r) => r[c])), 1));
}

/** Mean per key of column `key` of the `values` columns, gathered and merged on rank 0. */
export interface GroupResult {
  keys: Int32Array;
  counts: Float64Array;
  /** `means[v · keys.length + k]` */
  means: Float64Array;
}

async function groupMean(
  ctx: FrameContext,
  state: FrameState,
  o: { values: number[] },
): Promise<GroupResult | null> {
  const { data, n } = state.frame, values = o.values;
  const parts = await run<GroupPartial>(ctx, state, {
    kernel: "groupPartial",
    args: { data, n, key: 1, values },
  });
  let merged: GroupPartial;
  if (ctx.ranks > 1) { // gather the ranks' partials on rank 0
    const mine = parts.length > 1 ? mergeGroups(parts, values.length) : parts[0];
    const empty = new Uint8Array(0);
    const got = await ctx.alltoall(
      Array.from({ length: ctx.ranks }, (_, r) => r === 0 ? encodeGroups(mine) : empty),
    );
    if (ctx.rank !== 0) return null;
    merged = mergeGroups(got.map((b) => decodeGroups(b, values.length)), values.length);
  } else merged = mergeGroups(parts, values.length); // also sorts the keys
  const m = merged.keys.length, means = new Float64Array(merged.sums.length);
  for (let v = 0; v < values.length; v++) {
    for (let k = 0; k < m; k++) means[v * m + k] = merged.sums[v * m + k] / merged.counts[k];
  }
  return { keys: merged.keys, counts: merged.counts, means };
}

/** df.groupby('col_1').apply(x + 1): rows shuffled to rank `key % ranks`, grouped, plus one. */
async function groupApply(ctx: FrameContext, state: FrameState): Promise<IndexedFrame> {
  const { frame } = state;
  if (ctx.ranks === 1) return sortRows(frameRows(frame), { key: 1, plus: 1 });
  const keys = frame.data.subarray(frame.n, 2 * frame.n), dest = new Int32Array(frame.n);
  for (let i = 0; i < frame.n; i++) dest[i] = keys[i] % ctx.ranks;
  const got = await ctx.alltoall(packRows(frame, { ranks: ctx.ranks, dest }));
  return sortRows(joinRows(got), { key: 1, plus: 1 });
}

/** Splitters of a sample sort on column `key`: ranks − 1 quantiles of every rank's sample. */
async function splitters(ctx: FrameContext, frame: Frame): Promise<number[]> {
  const s = Math.min(frame.n, 64), keys = frame.data.subarray(frame.n, 2 * frame.n);
  const sample = Array.from({ length: s }, (_, t) => keys[Math.floor(((t + 0.5) * frame.n) / s)]);
  const all = (await ctx.allgather(sample)).flat().sort((a, b) => a - b);
  return Array.from(
    { length: ctx.ranks - 1 },
    (_, q) => all[Math.min(all.length - 1, Math.floor(((q + 1) * all.length) / ctx.ranks))],
  );
}

/** df.sort_values('col_1'): sample sort — splitters, an alltoall of rows, a local radix sort. */
async function orderData(ctx: FrameContext, state: FrameState): Promise<IndexedFrame> {
  const { frame } = state;
  if (ctx.ranks === 1) return sortRows(frameRows(frame), { key: 1, plus: 0 });
  const split = await splitters(ctx, frame);
  const keys = frame.data.subarray(frame.n, 2 * frame.n), dest = new Int32Array(frame.n);
  for (let i = 0; i < frame.n; i++) {
    let d = 0;
    while (d < split.length && keys[i] > split[d]) d++;
    dest[i] = d;
  }
  const got = await ctx.alltoall(packRows(frame, { ranks: ctx.ranks, dest }));
  return sortRows(joinRows(got), { key: 1, plus: 0 });
}

/** df.loc[row]: its owner reads it, rank 0 (the client) receives it. */
async function locRow(
  ctx: FrameContext,
  state: FrameState,
  o: { row: number },
): Promise<number[] | null> {
  const row = o.row;
  const owner = state.ranges.findIndex(([a, b]) => row >= a && row < b);
  const { data, n, rowStart } = state.frame;
  const mine = ctx.rank === owner
    ? Array.from({ length: COLUMNS }, (_, c) => data[c * n + row - rowStart])
    : null;
  if (owner === 0) return mine;
  const all = await ctx.allgather(mine);
  return ctx.rank === 0 ? all[owner] : null;
}

/** Let the JIT optimise the local kernels on a copy of the first rows (untimed, in prepare). */
function warmUp(frame: Frame): void {
  const m = Math.min(frame.n, 4096);
  const data = new Int32Array(m * COLUMNS);
  for (let c = 0; c < COLUMNS; c++) {
    data.set(frame.data.subarray(c * frame.n, c * frame.n + m), c * m);
  }
  const small = { data, n: m, rowStart: frame.rowStart },
    one = { thread: 0, threads: 1, rank: 0, ranks: 1 };
  for (let k = 0; k < 3; k++) {
    KERNELS.increment({ data, out: new Int32Array(data.length), n: m }, one);
    KERNELS.columnMoments({ data, n: m, columns: [0, 1, 2, 3, 4, 5] }, one);
    mergeGroups([KERNELS.groupPartial({ data, n: m, key: 1, values: [0, 2] }, one)], 2);
    sortRows(frameRows(small), { key: 1, plus: 1 });
  }
}

const MB = { unit: "MB", amount: (p: FrameParams) => (p.rows * COLUMNS * 8) / 1e6 };

export default defineWorkload({
  name: "dataframes",
  summary: "dask-bench's dataframe operations on 6 random integer columns, distributed by rows",
  ...FRAME_SWEEP,
  kernels: KERNELS,
  async prepare(ctx): Promise<FrameState> {
    const total = ctx.params.rows;
    if (total >= 2 ** 31) {
      throw new ValidationError(`Parameter 'rows' × cores must be below 2³¹ (got ${total})`);
    }
    const ranges = Array.from({ length: ctx.ranks }, (_, r) => partition(total, ctx.ranks, r));
    const [rowStart, rowEnd] = ranges[ctx.rank];
    const n = rowEnd - rowStart;
    const shared = () => new Int32Array(new SharedArrayBuffer(Math.max(1, n * COLUMNS) * 4));
    const state: FrameState = {
      frame: { data: shared(), n, rowStart },
      ranges,
      seed: ctx.seed,
      out: shared().fill(1),
    };
    await run(ctx, state, { kernel: "generate", args: { ...state.frame, seed: ctx.seed } });
    warmUp(state.frame);
    return state;
  },
  operations: {
    "create random dataframe": {
      summary: "Fill 6 columns with random integers in [0, 1e5)",
      async run(ctx, state) {
        await run(ctx, state, { kernel: "generate", args: { ...state.frame, seed: state.seed } });
        return state.frame.data;
      },
      check: (ctx, state, data: Int32Array) => checks.created(ctx, state, { data, plus: 0 }),
      metric: MB,
    },
    "block-wise operation": {
      summary: "df + 1, partition by partition",
      async run(ctx, state) {
        const { data, n } = state.frame;
        await run(ctx, state, { kernel: "increment", args: { data, out: state.out, n } });
        return state.out;
      },
      check: (ctx, state, data: Int32Array) => checks.created(ctx, state, { data, plus: 1 }),
      metric: MB,
    },
    "random access": {
      summary: "df.loc[42], read by its owner and sent to rank 0",
      run: (ctx, state) => locRow(ctx, state, { row: 42 }),
      check: (ctx, state, row: number[] | null) => checks.row(ctx, state, { row, at: 42 }),
      metric: { unit: "bytes", amount: () => 8 },
    },
    "reduction operation (std)": {
      summary: "df.std() of every column (ddof 1), Chan's merge over threads and ranks",
      run: (ctx, state) => columnStd(ctx, state, { columns: [0, 1, 2, 3, 4, 5] }),
      check: (ctx, state, std: number[]) =>
        checks.std(ctx, state, { std, columns: [0, 1, 2, 3, 4, 5] }),
      metric: MB,
    },
    "series reduction operation (std)": {
      summary: "df['col_0'].std()",
      run: async (ctx, state) => (await columnStd(ctx, state, { columns: [0] }))[0],
      check: (ctx, state, std: number) => checks.std(ctx, state, { std: [std], columns: [0] }),
      metric: MB,
    },
    "group-by operation": {
      summary: "df.groupby('col_1')['col_0'].mean(), merged on rank 0",
      run: (ctx, state) => groupMean(ctx, state, { values: [0] }),
      check: (ctx, state, r: GroupResult | null) =>
        checks.groups(ctx, state, { result: r, values: [0] }),
      metric: MB,
    },
    "group-by operation (2 columns)": {
      summary: "df.groupby('col_1')[['col_0', 'col_2']].mean(), merged on rank 0",
      run: (ctx, state) => groupMean(ctx, state, { values: [0, 2] }),
      check: (ctx, state, r: GroupResult | null) =>
        checks.groups(ctx, state, { result: r, values: [0, 2] }),
      metric: MB,
    },
    "group-by apply operation": {
      summary: "df.groupby('col_1').apply(x + 1): rows shuffled by key, grouped, plus one",
      run: groupApply,
      check: (ctx, state, out: IndexedFrame) => checks.grouped(ctx, state, out),
      metric: MB,
    },
    "order data": {
      summary: "df.sort_values('col_1'): sample sort over the ranks",
      run: orderData,
      check: (ctx, state, out: IndexedFrame) => checks.sorted(ctx, state, out),
      metric: MB,
    },
  },
});
