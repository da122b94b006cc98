import { assert, assertEquals, assertStringIncludes } from "../../core/_assert.ts";
import { runInProcess } from "../testing.ts";
import { runChecked, withRanks } from "../arrays/_test_context.ts";
import type { IndexedFrame } from "./kernels.ts";
import dataframes, { type GroupResult } from "./mod.ts";

const OPS = Object.keys(dataframes.operations);

Deno.test("defineWorkload(dataframes) keeps dask-bench's operation names, rows · cores and int64 MB", () => {
  assertEquals(OPS, [
    "create random dataframe",
    "block-wise operation",
    "random access",
    "reduction operation (std)",
    "series reduction operation (std)",
    "group-by operation",
    "group-by operation (2 columns)",
    "group-by apply operation",
    "order data",
  ]);
  const point = { cores: 4, nodes: 1, ranks: 4, threads: 1 };
  assertEquals(dataframes.weak!({ rows: 3000 }, point), { rows: 12000 });
  assertEquals(
    dataframes.operations["order data"].metric!.amount({ rows: 12000 }, { ...point, size: 0 }),
    (12000 * 6 * 8) / 1e6,
  );
});

for (
  const [ranks, threads, rows] of [[1, 1, 3000], [2, 1, 3001], [3, 2, 999], [3, 1, 100], [
    2,
    2,
    140_000,
  ]]
) {
  Deno.test(`runInProcess("dataframes") passes every check on ${ranks} rank(s) × ${threads} thread(s), ${rows} rows`, async () => {
    const recs = await runInProcess("dataframes", { ranks, threads, params: { rows }, reps: 2 });
    assertEquals(recs.length, 2 * OPS.length);
    for (const r of recs) assertEquals([r.op, r.ok, r.error], [r.op, true, null]);
  });
}

async function expectFailure(
  op: string,
  corrupt: (result: unknown) => unknown,
  o: { rank: number; message: string },
) {
  await withRanks("dataframes", { ranks: 2, params: { rows: 2000 } }, async (ranks, def) => {
    assert((await runChecked(ranks, def, { op })).every((x) => x.ok), `${op}: clean run failed`);
    const outcomes = await runChecked(ranks, def, {
      op,
      corrupt: (res, r) => (r === o.rank ? corrupt(res) : res),
    });
    assert(outcomes.some((x) => !x.ok), `${op}: a corrupted result passed`);
    assertStringIncludes(outcomes.map((x) => x.error ?? "").join(" | "), o.message);
  });
}

const bump = (a: Int32Array, i: number) => {
  const b = a.slice();
  b[i] += 1;
  return b;
};

Deno.test("check() of dataframes fails on a wrong frame, +1, row or std", async () => {
  await expectFailure("create random dataframe", (d) => bump(d as Int32Array, 1500), {
    rank: 1,
    message: "expected",
  });
  await expectFailure("block-wise operation", (d) => bump(d as Int32Array, 3), {
    rank: 0,
    message: "col_0 of row 3",
  });
  await expectFailure("random access", (r) => (r as number[]).map((v) => v + 1), {
    rank: 0,
    message: "df.loc[42]",
  });
  await expectFailure(
    "reduction operation (std)",
    (s) => (s as number[]).map((v, c) => c === 4 ? v * 1.001 : v),
    {
      rank: 1,
      message: "std of col_4",
    },
  );
  await expectFailure("series reduction operation (std)", (s) => (s as number) + 1e-3, {
    rank: 0,
    message: "std of col_0",
  });
});

Deno.test("check() of dataframes fails on wrong group-by results", async () => {
  await expectFailure("group-by operation", (r) => {
    const g = r as GroupResult;
    return { ...g, means: g.means.map((v) => v * 1.0001) };
  }, { rank: 0, message: "Mean of col_0" });
  await expectFailure("group-by operation (2 columns)", (r) => {
    const g = r as GroupResult;
    return { ...g, keys: g.keys.subarray(1), counts: g.counts.subarray(1) };
  }, { rank: 0, message: "add up to" });
  await expectFailure("group-by apply operation", (f) => {
    const g = f as IndexedFrame;
    return { ...g, data: bump(g.data, 4 * g.n) }; // col_4 of the first row
  }, { rank: 1, message: "col_4 of row" });
  await expectFailure("group-by apply operation", (f) => {
    const g = f as IndexedFrame;
    return { ...g, index: g.index.map((v, j) => (j === 0 ? g.index[1] : v)) };
  }, { rank: 0, message: "not a permutation" });
});

Deno.test("check() of dataframes fails on an unsorted or incomplete sort", async () => {
  await expectFailure("order data", (f) => {
    const g = f as IndexedFrame; // swap the first and last rows
    const swap = (a: Int32Array, n: number, rows = 1) => {
      const b = a.slice();
      for (let c = 0; c < rows; c++) [b[c * n], b[c * n + n - 1]] = [b[c * n + n - 1], b[c * n]];
      return b;
    };
    return { index: swap(g.index, g.n), data: swap(g.data, g.n, 6), n: g.n };
  }, { rank: 1, message: "col_1 decreases" });
  await expectFailure("order data", (f) => {
    const g = f as IndexedFrame; // drop the last row
    const n = g.n - 1, data = new Int32Array(n * 6);
    for (let c = 0; c < 6; c++) data.set(g.data.subarray(c * g.n, c * g.n + n), c * n);
    return { index: g.index.subarray(0, n), data, n };
  }, { rank: 0, message: "Result has 1999 rows" });
});
