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
import { addReceived, addTransposeDiag, packRows } from "./transpose.ts";

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

/** All kernels, by name (the workload's `kernels`). */
export const KERNELS = {
  generate,
  increment,
  moments,
  columnSums,
  trig,
  packRows,
  addReceived,
  addTransposeDiag,
};
