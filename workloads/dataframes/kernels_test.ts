import { assertEquals } from "../../core/_assert.ts";
import {
  decodeGroups,
  encodeGroups,
  type Frame,
  frameRows,
  groupPartial,
  joinRows,
  mergeGroups,
  packRows,
  ROW_INTS,
  sortRows,
} from "./kernels.ts";

const ONE = { thread: 0, threads: 1, rank: 0, ranks: 1 };

/** A frame of n rows whose column c of row i is `f(c, i)`. */
function frame(n: number, f: (c: number, i: number) => number, rowStart = 0): Frame {
  const data = new Int32Array(6 * n);
  for (let c = 0; c < 6; c++) for (let i = 0; i < n; i++) data[c * n + i] = f(c, i);
  return { data, n, rowStart };
}

Deno.test("sortRows() sorts by a column, stably, carrying the index and every column", () => {
  const keys = [70000, 3, 512, 3, 99999, 0, 512];
  const f = frame(keys.length, (c, i) => (c === 1 ? keys[i] : 10 * i + c), 100);
  const out = sortRows(frameRows(f), { key: 1, plus: 0 });
  assertEquals(Array.from(out.index), [105, 101, 103, 102, 106, 100, 104]);
  assertEquals(Array.from(out.data.subarray(7, 14)), [0, 3, 3, 512, 512, 70000, 99999]);
  assertEquals(Array.from(out.data.subarray(0, 7)), [50, 10, 30, 20, 60, 0, 40]);
  const plus = sortRows(frameRows(f), { key: 1, plus: 1 });
  assertEquals(Array.from(plus.data.subarray(35, 42)), [56, 16, 36, 26, 66, 6, 46]);
});

Deno.test("packRows() and joinRows() move each row to its destination in order", () => {
  const f = frame(5, (c, i) => c * 100 + i, 20);
  const blocks = packRows(f, { ranks: 2, dest: Int32Array.from([1, 0, 1, 1, 0]) });
  const to0 = new Int32Array(blocks[0].buffer), to1 = new Int32Array(blocks[1].buffer);
  assertEquals([to0.length / ROW_INTS, to1.length / ROW_INTS], [2, 3]);
  assertEquals(Array.from(to0.subarray(0, ROW_INTS)), [21, 1, 101, 201, 301, 401, 501]);
  assertEquals(Array.from(joinRows([blocks[1], blocks[0]]).filter((_, k) => k % ROW_INTS === 0)), [
    20,
    22,
    23,
    21,
    24,
  ]);
});

Deno.test("groupPartial() and mergeGroups() count and sum per key, keys sorted", () => {
  const key = [5, 9, 5, 0, 9, 5];
  const f = frame(6, (c, i) => (c === 1 ? key[i] : c === 0 ? i : 10 * i));
  const half = { thread: 0, threads: 2, rank: 0, ranks: 1 };
  const a = groupPartial({ data: f.data, n: 6, key: 1, values: [0, 2] }, half);
  const b = groupPartial({ data: f.data, n: 6, key: 1, values: [0, 2] }, { ...half, thread: 1 });
  const m = mergeGroups([a, decodeGroups(encodeGroups(b), 2)], 2);
  assertEquals(Array.from(m.keys), [0, 5, 9]);
  assertEquals(Array.from(m.counts), [1, 3, 2]);
  assertEquals(Array.from(m.sums), [3, 0 + 2 + 5, 1 + 4, 30, 70, 50]);
  // the accumulators are left clean: a second pass gives the same
  const again = mergeGroups([groupPartial({ data: f.data, n: 6, key: 1, values: [0, 2] }, ONE)], 2);
  assertEquals(again, m);
});
