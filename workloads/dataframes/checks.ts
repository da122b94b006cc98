/**
 * Checks of the `dataframes` operations: every rank recomputes the answer another way (the
 * generator, two-pass references, direct recounts) and collectives combine what is distributed.
 *
 * @module
 */
import { fillRow, genRow, sampleIndices, VALUE_RANGE } from "../arrays/random.ts";
import { COLUMNS, type IndexedFrame } from "./kernels.ts";
import type { FrameContext, FrameState, GroupResult } from "./mod.ts";

type Outcome = boolean | { ok: boolean; message?: string };

const fail = (message: string) => ({ ok: false, message });

function close(a: number, b: number, rel = 1e-9): boolean {
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), 1e-300);
}

/** Every value of the rank's frame (`plus` added) in range and equal to the generator's. */
export function created(
  _ctx: FrameContext,
  state: FrameState,
  o: { data: Int32Array; plus: number },
): Outcome {
  const { n, rowStart } = state.frame;
  if (o.data.length < n * COLUMNS) return fail(`Frame has ${o.data.length} values`);
  const row = new Int32Array(COLUMNS);
  for (let i = 0; i < n; i++) {
    fillRow(row, { at: 0, count: COLUMNS, seed: state.seed, stream: rowStart + i });
    for (let c = 0; c < COLUMNS; c++) {
      const v = o.data[c * n + i];
      if (v !== row[c] + o.plus) {
        return fail(`col_${c} of row ${rowStart + i} is ${v}, expected ${row[c] + o.plus}`);
      }
    }
  }
  return true;
}

/** df.loc[at] on rank 0 equals the generator's row; other ranks return nothing. */
export function row(
  ctx: FrameContext,
  state: FrameState,
  o: { row: number[] | null; at: number },
): Outcome {
  if (ctx.rank !== 0) return o.row === null || fail("A rank other than 0 returned the row");
  const expected = Array.from(genRow(state.seed, o.at, COLUMNS));
  return JSON.stringify(o.row) === JSON.stringify(expected) ||
    fail(`df.loc[${o.at}] is ${JSON.stringify(o.row)}, expected ${JSON.stringify(expected)}`);
}

/** Sample std (ddof 1) of `columns` against a two-pass reference over all ranks. */
export async function std(
  ctx: FrameContext,
  state: FrameState,
  o: { std: number[]; columns: number[] },
): Promise<Outcome> {
  const { data, n } = state.frame;
  const total = ctx.params.rows;
  const sums = o.columns.map((c) => {
    let sum = 0;
    for (let i = c * n; i < c * n + n; i++) sum += data[i];
    return sum;
  });
  const means = Array.from(await ctx.allreduce(sums), (s) => s / total);
  const dev = o.columns.map((c, k) => {
    let m2 = 0;
    for (let i = c * n; i < c * n + n; i++) m2 += (data[i] - means[k]) ** 2;
    return m2;
  });
  const m2 = await ctx.allreduce(dev);
  for (let k = 0; k < o.columns.length; k++) {
    const expected = Math.sqrt(m2[k] / (total - 1));
    if (!close(o.std[k], expected)) {
      return fail(
        `std of col_${o.columns[k]} is ${o.std[k]}, the two-pass reference gives ${expected}`,
      );
    }
  }
  return true;
}

/**
 * Group-by means on rank 0: keys ascending, counts adding up to the row count, and at keys drawn
 * from the generator the count and means equal a direct recount over every rank.
 */
export async function groups(
  ctx: FrameContext,
  state: FrameState,
  o: { result: GroupResult | null; values: number[] },
): Promise<Outcome> {
  const { data, n } = state.frame;
  const total = ctx.params.rows;
  const sampleRows = sampleIndices(16, { lo: 0, hi: total, seed: state.seed });
  const keys = sampleRows.map((r) => genRow(state.seed, r, COLUMNS)[1]);
  const stride = 1 + o.values.length;
  const local = new Float64Array(keys.length * stride);
  for (let i = 0; i < n; i++) {
    const k = keys.indexOf(data[n + i]);
    if (k < 0) continue;
    for (let j = k; j < keys.length; j++) { // a key may be sampled twice
      if (keys[j] !== data[n + i]) continue;
      local[j * stride]++;
      o.values.forEach((c, v) => local[j * stride + 1 + v] += data[c * n + i]);
    }
  }
  const direct = await ctx.allreduce(local);
  const r = o.result;
  if (ctx.rank !== 0) return r === null || fail("A rank other than 0 returned a result");
  if (!r) return fail("Rank 0 has no result");
  const m = r.keys.length;
  let count = 0;
  for (let k = 0; k < m; k++) {
    if (k > 0 && r.keys[k] <= r.keys[k - 1]) return fail(`Keys not ascending at position ${k}`);
    count += r.counts[k];
  }
  if (count !== total) return fail(`Group counts add up to ${count}, expected ${total}`);
  for (let j = 0; j < keys.length; j++) {
    const at = binarySearch(r.keys, keys[j]);
    if (at < 0) return fail(`Key ${keys[j]} is missing from the result`);
    if (r.counts[at] !== direct[j * stride]) {
      return fail(
        `Key ${keys[j]} counts ${r.counts[at]} rows, a recount gives ${direct[j * stride]}`,
      );
    }
    for (let v = 0; v < o.values.length; v++) {
      const expected = direct[j * stride + 1 + v] / direct[j * stride];
      const got = r.means[v * m + at];
      if (!close(got, expected, 1e-12)) {
        return fail(
          `Mean of col_${o.values[v]} for key ${keys[j]} is ${got}, expected ${expected}`,
        );
      }
    }
  }
  return true;
}

function binarySearch(keys: Int32Array, key: number): number {
  let lo = 0, hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid] === key) return mid;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function mix(x: number, seed: number): number {
  let h = Math.imul(x ^ seed, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The rows of `out` over all ranks are a permutation of the frame's: same count, and the same two
 * order-independent hash sums of the row indices (each rank's own rows give the expected sums);
 * every row's values equal the generator's at its index (`plus` added).
 */
async function permutation(
  ctx: FrameContext,
  state: FrameState,
  o: { out: IndexedFrame; plus: number },
): Promise<string | null> {
  const { index, data, n } = o.out;
  let a = 0, b = 0, ea = 0, eb = 0;
  for (let j = 0; j < n; j++) {
    a = (a + mix(index[j], 1)) >>> 0;
    b = (b + mix(index[j], 2)) >>> 0;
  }
  const { rowStart } = state.frame;
  for (let i = rowStart; i < rowStart + state.frame.n; i++) {
    ea = (ea + mix(i, 1)) >>> 0;
    eb = (eb + mix(i, 2)) >>> 0;
  }
  const all = await ctx.allgather([n, a, b, ea, eb]);
  const sum = (k: number) => all.reduce((s, v) => (s + v[k]) >>> 0, 0);
  const count = all.reduce((s, v) => s + v[0], 0);
  if (count !== ctx.params.rows) return `Result has ${count} rows, expected ${ctx.params.rows}`;
  if (sum(1) !== sum(3) || sum(2) !== sum(4)) {
    return "Result rows are not a permutation of the frame's";
  }
  const row = new Int32Array(COLUMNS);
  for (let j = 0; j < n; j++) {
    fillRow(row, { at: 0, count: COLUMNS, seed: state.seed, stream: index[j] });
    for (let c = 0; c < COLUMNS; c++) {
      if (data[c * n + j] !== row[c] + o.plus) {
        return `col_${c} of row ${index[j]} is ${data[c * n + j]}, expected ${row[c] + o.plus}`;
      }
    }
  }
  return null;
}

/** Group-by apply: every group on one rank (key % ranks), contiguous, and the rows plus one. */
export async function grouped(
  ctx: FrameContext,
  state: FrameState,
  out: IndexedFrame,
): Promise<Outcome> {
  const problem = await permutation(ctx, state, { out, plus: 1 });
  if (problem) return fail(problem);
  const { data, n } = out;
  for (let j = 0; j < n; j++) {
    const key = data[n + j] - 1;
    if (key % ctx.ranks !== ctx.rank) return fail(`Key ${key} is on rank ${ctx.rank}`);
    if (j > 0 && key < data[n + j - 1] - 1) return fail(`Group of key ${key} is not contiguous`);
  }
  return true;
}

/** Sort: each rank's keys non-decreasing, rank boundaries in order, rows a permutation. */
export async function sorted(
  ctx: FrameContext,
  state: FrameState,
  out: IndexedFrame,
): Promise<Outcome> {
  const problem = await permutation(ctx, state, { out, plus: 0 });
  const { data, n } = out;
  const keys = data.subarray(n, 2 * n);
  const ends = await ctx.allgather(n ? [keys[0], keys[n - 1]] : null);
  if (problem) return fail(problem);
  for (let j = 1; j < n; j++) {
    if (keys[j] < keys[j - 1]) return fail(`col_1 decreases at local row ${j} of rank ${ctx.rank}`);
  }
  let last = -1;
  for (const [r, e] of ends.entries()) {
    if (!e) continue;
    if (e[0] < last) return fail(`Rank ${r} starts at ${e[0]}, below the previous rank's ${last}`);
    last = e[1];
  }
  return keys.every((k) => k >= 0 && k < VALUE_RANGE) || fail("col_1 out of range");
}
