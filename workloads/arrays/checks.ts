/**
 * Checks of the `arrays` operations: each recomputes the answer another way (two-pass
 * references, the generator) on every rank, with collectives where the data is distributed.
 *
 * @module
 */
import type { ArrayContext, ArrayState } from "./mod.ts";
import { genRow, sampleIndices } from "./random.ts";

type Outcome = boolean | { ok: boolean; message?: string };

const REL = 1e-9;

function close(a: number, b: number, rel = REL): boolean {
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), 1e-300);
}

/** x.std() against a two-pass reference (mean first, then Σ (x − mean)²) over all ranks. */
export async function checkStd(
  ctx: ArrayContext,
  state: ArrayState,
  std: number,
): Promise<Outcome> {
  const { x, rows, cols } = state.block;
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = r * cols; i < (r + 1) * cols; i++) s += x[i];
    sum += s;
  }
  const [total] = await ctx.allreduce([sum]);
  const count = cols * cols;
  const mean = total / count;
  let m2 = 0;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = r * cols; i < (r + 1) * cols; i++) s += (x[i] - mean) ** 2;
    m2 += s;
  }
  const [m2Total] = await ctx.allreduce([m2]);
  const expected = Math.sqrt(m2Total / count);
  return close(std, expected) ||
    { ok: false, message: `std is ${std}, the two-pass reference gives ${expected}` };
}

/** x.std(axis=0) at sampled columns against a two-pass reference over all ranks. */
export async function checkStdAxis(
  ctx: ArrayContext,
  state: ArrayState,
  std: Float64Array,
): Promise<Outcome> {
  const { x, rows, cols } = state.block;
  const bad = std.length !== cols ? `Result has ${std.length} columns, expected ${cols}` : null;
  const columns = sampleIndices(32, { lo: 0, hi: cols, seed: state.seed });
  const sums = columns.map((j) => {
    let s = 0;
    for (let r = 0; r < rows; r++) s += x[r * cols + j];
    return s;
  });
  const means = Array.from(await ctx.allreduce(sums), (s) => s / cols);
  const dev = columns.map((j, k) => {
    let s = 0;
    for (let r = 0; r < rows; r++) s += (x[r * cols + j] - means[k]) ** 2;
    return s;
  });
  const m2 = await ctx.allreduce(dev);
  if (bad) return { ok: false, message: bad };
  for (let k = 0; k < columns.length; k++) {
    const expected = Math.sqrt(m2[k] / cols);
    if (!close(std[columns[k]], expected)) {
      return {
        ok: false,
        message: `std of column ${columns[k]} is ${
          std[columns[k]]
        }, the two-pass reference gives ${expected}`,
      };
    }
  }
  return { ok: true };
}

/** sin² + cos² is within 1e−12 of 1 everywhere, and equals Math.sin/Math.cos's at samples. */
export function checkElementwise(
  _ctx: ArrayContext,
  state: ArrayState,
  y: Float64Array,
): Outcome {
  const x = state.block.x;
  if (y.length !== x.length) return { ok: false, message: `Result has ${y.length} values` };
  for (let i = 0; i < y.length; i++) {
    if (!(Math.abs(y[i] - 1) <= 1e-12)) {
      return { ok: false, message: `sin² + cos² is ${y[i]} at local element ${i}` };
    }
  }
  for (const i of sampleIndices(1000, { lo: 0, hi: x.length, seed: state.seed })) {
    const expected = Math.sin(x[i]) ** 2 + Math.cos(x[i]) ** 2;
    if (Math.abs(y[i] - expected) > 1e-15) {
      return {
        ok: false,
        message: `sin² + cos² is ${y[i]} at local element ${i}, not ${expected}`,
      };
    }
  }
  return { ok: true };
}

/**
 * x + xᵀ at sampled (i, j): equal to the generator's x[i, j] + x[j, i], and symmetric — the
 * owners of rows i and j each report their element and every rank compares them.
 */
export async function checkTranspose(
  ctx: ArrayContext,
  state: ArrayState,
  y: Int32Array,
): Promise<Outcome> {
  const { rows, cols, rowStart } = state.block;
  const rowEnd = rowStart + rows;
  const rowCache = new Map<number, Int32Array>();
  const gen = (r: number) => {
    let row = rowCache.get(r);
    if (!row) rowCache.set(r, row = genRow(state.seed, r, cols));
    return row;
  };
  const is = sampleIndices(24, { lo: 0, hi: cols, seed: state.seed });
  const js = sampleIndices(24, { lo: 0, hi: cols, seed: state.seed + 1 });
  // this rank's values of y at (i, j) and (j, i) for every sampled pair; -1 where not owned
  const mine: number[] = [];
  for (const i of is) {
    for (const j of js) {
      mine.push(i >= rowStart && i < rowEnd ? y[(i - rowStart) * cols + j] : -1);
      mine.push(j >= rowStart && j < rowEnd ? y[(j - rowStart) * cols + i] : -1);
    }
  }
  const all = await ctx.allgather(mine);
  if (y.length !== rows * cols) return { ok: false, message: `Result has ${y.length} values` };
  let k = 0;
  for (const i of is) {
    for (const j of js) {
      const yij = Math.max(...all.map((v) => v[k]));
      const yji = Math.max(...all.map((v) => v[k + 1]));
      k += 2;
      if (yij !== yji) {
        return {
          ok: false,
          message: `x + xᵀ is not symmetric: [${i}, ${j}] ${yij}, [${j}, ${i}] ${yji}`,
        };
      }
      const expected = gen(i)[j] + gen(j)[i];
      if (yij !== expected) {
        return { ok: false, message: `x + xᵀ at [${i}, ${j}] is ${yij}, expected ${expected}` };
      }
    }
  }
  // every local row at sampled columns
  for (const r of sampleIndices(8, { lo: 0, hi: rows, seed: state.seed + ctx.rank })) {
    for (const j of js) {
      const expected = gen(rowStart + r)[j] + gen(j)[rowStart + r];
      if (y[r * cols + j] !== expected) {
        return {
          ok: false,
          message: `x + xᵀ at [${rowStart + r}, ${j}] is ${y[r * cols + j]}, expected ${expected}`,
        };
      }
    }
  }
  return { ok: true };
}
