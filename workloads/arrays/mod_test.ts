import { assert, assertEquals, assertStringIncludes } from "../../core/_assert.ts";
import { runInProcess } from "../testing.ts";
import arrays, { type ArrayState } from "./mod.ts";
import { runChecked, withRanks } from "./_test_context.ts";

const OPS = Object.keys(arrays.operations);

Deno.test("defineWorkload(arrays) keeps dask-bench's operation names, weak rule and int64 MB", () => {
  assertEquals(OPS, [
    "create random 2D-array",
    "block-wise operation",
    "random access",
    "reduction operation (std)",
    "reduction (std) along axis",
    "elementwise computation",
    "sum the transpose",
  ]);
  const point = { cores: 2, nodes: 1, ranks: 2, threads: 1 };
  assertEquals(arrays.weak!({ size: 5000 }, point), { size: 7071 });
  assertEquals(
    arrays.operations["block-wise operation"].metric!.amount({ size: 7071 }, {
      ...point,
      size: 0,
    }),
    (7071 * 7071 * 8) / 1e6,
  );
  assertEquals(
    arrays.operations["random access"].metric!.amount({ size: 7071 }, {
      ...point,
      size: 0,
    }),
    8,
  );
});

// 8 ranks of 40 rows: row 42 is rank 1's, so random access goes through a gather
for (
  const [ranks, threads, size] of [[1, 1, 517], [2, 1, 517], [1, 3, 517], [3, 2, 517], [8, 1, 320]]
) {
  Deno.test(`runInProcess("arrays") passes every check on ${ranks} rank(s) × ${threads} thread(s)`, async () => {
    const recs = await runInProcess("arrays", { ranks, threads, params: { size }, reps: 2 });
    assertEquals(recs.length, 2 * OPS.length);
    for (const r of recs) assertEquals([r.op, r.ok, r.error], [r.op, true, null]);
    assertEquals(
      recs.map((r) => r.unit),
      [...OPS, ...OPS].map((op) => op === "random access" ? "bytes/s" : "MB/s"),
    );
  });
}

/** Run `op` on 2 ranks, corrupt the result on `rank`, expect a failed check naming `message`. */
async function expectFailure(
  op: string,
  corrupt: (result: unknown, state: ArrayState) => unknown,
  o: { rank: number; message: string },
) {
  await withRanks("arrays", { ranks: 2, threads: 2, params: { size: 400 } }, async (ranks, def) => {
    const clean = await runChecked(ranks, def, { op });
    assertEquals(clean, [{ ok: true, error: null }, { ok: true, error: null }]);
    const outcomes = await runChecked(ranks, def, {
      op,
      corrupt: (res, r) => (r === o.rank ? corrupt(res, ranks[r].state as ArrayState) : res),
    });
    assert(outcomes.some((x) => !x.ok), `${op}: a corrupted result passed`);
    const errors = outcomes.map((x) => x.error ?? "").join(" | ");
    assertStringIncludes(errors, o.message);
  });
}

Deno.test("check() of arrays fails on a wrong create, +1 or random access", async () => {
  await expectFailure("create random 2D-array", (x) => {
    (x as Int32Array)[0] += 1;
  }, { rank: 1, message: "the generator gives" });
  await expectFailure("create random 2D-array", (x) => {
    (x as Int32Array)[123] = 100_000;
  }, { rank: 0, message: "out of range" });
  await expectFailure("block-wise operation", (y) => {
    (y as Int32Array)[77] += 1;
  }, { rank: 1, message: "x + 1 is" });
  await expectFailure("random access", (v) => (v as number) + 1, {
    rank: 0,
    message: "x[42, 314] is",
  });
});

Deno.test("check() of arrays fails on a wrong std or std along an axis", async () => {
  await expectFailure("reduction operation (std)", (s) => (s as number) * 1.0001, {
    rank: 0,
    message: "the two-pass reference gives",
  });
  await expectFailure(
    "reduction (std) along axis",
    (s) => (s as Float64Array).map((v) => v * 1.001),
    {
      rank: 1,
      message: "std of column",
    },
  );
  await expectFailure("reduction (std) along axis", (s) => (s as Float64Array).subarray(1), {
    rank: 0,
    message: "Result has 399 columns",
  });
});

Deno.test("check() of arrays fails on a wrong sin² + cos² or x + xᵀ", async () => {
  await expectFailure("elementwise computation", (y) => {
    (y as Float64Array)[5] = 1 + 1e-11;
  }, { rank: 1, message: "sin² + cos² is" });
  await expectFailure("sum the transpose", (_y, state) => {
    // x + x instead of x + xᵀ
    return state.block.x.map((v) => 2 * v);
  }, { rank: 0, message: "x + xᵀ" });
  await expectFailure("sum the transpose", (y) => {
    // column 0 (always among the sampled columns) off by one
    return (y as Int32Array).map((v, i) => (i % 400 === 0 ? v + 1 : v));
  }, { rank: 1, message: "x + xᵀ" });
});

// rows of 1000+ values (> 2 kB encoded): x + xᵀ goes in 3 alltoall rounds of 1 MiB
for (const [ranks, threads, size] of [[2, 1, 2100], [3, 2, 3000]]) {
  Deno.test(`runInProcess("arrays") sums the transpose in several rounds on ${ranks} × ${threads}`, async () => {
    const recs = await runInProcess("arrays", {
      ranks,
      threads,
      params: { size },
      ops: ["sum the transpose"],
      reps: 2,
    });
    assertEquals(recs.map((r) => [r.ok, r.error]), [[true, null], [true, null]]);
  });
}
