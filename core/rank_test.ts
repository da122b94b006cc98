import { assert, assertEquals, assertRejects } from "./_assert.ts";
import { checkOutcome } from "./rank.ts";
import { runInProcess } from "../workloads/testing.ts";

const FAULTY = new URL("../tests/testdata/workloads/faulty.ts", import.meta.url).href;
const COLLECTIVES = new URL("../tests/testdata/workloads/collectives.ts", import.meta.url).href;

Deno.test("checkOutcome() reads void, booleans and objects", () => {
  assertEquals(checkOutcome(undefined), { ok: true, error: null });
  assertEquals(checkOutcome(true), { ok: true, error: null });
  assertEquals(checkOutcome(false), { ok: false, error: "Check failed" });
  assertEquals(checkOutcome({ ok: false, message: "off by one" }), {
    ok: false,
    error: "off by one",
  });
  assertEquals(checkOutcome({ ok: true, message: "ignored" }), { ok: true, error: null });
});

Deno.test("runRank() times every rank and reports the slowest as the makespan", async () => {
  const recs = await runInProcess("amdahl", {
    ranks: 3,
    threads: 2,
    params: { work: 30 },
    reps: 2,
    warmup: 1,
  });
  assertEquals(recs.map((r) => [r.op, r.rep, r.warmup, r.ok]), [["burn", 0, true, true], [
    "burn",
    0,
    false,
    true,
  ], ["burn", 1, false, true]]);
  for (const r of recs) {
    assertEquals(r.rank_seconds.length, 3);
    assertEquals(r.seconds, Math.max(...r.rank_seconds));
    assertEquals(r.unit, "Miter/s");
    assertEquals(r.rate, 30 / r.seconds!);
    assertEquals(r.rank_peak_rss_bytes.length, 3);
  }
});

Deno.test("runRank() marks an observation failed when any rank's check fails", async () => {
  const recs = await runInProcess(FAULTY, {
    ranks: 2,
    params: { fault: "check", rank: 1, at_rep: 0 },
    reps: 2,
  });
  assertEquals(recs.map((r) => [r.rep, r.ok, r.error]), [[0, false, "rank 1: wrong on purpose"], [
    1,
    true,
    null,
  ]]);
});

Deno.test("runRank() aborts every rank when one throws, naming the rank and operation", async () => {
  const err = await assertRejects(() =>
    runInProcess(COLLECTIVES, { ranks: 2, params: { throw_on_rank: 1 } })
  );
  assertEquals(err.message, "Operation 'exchange' (rep 1) failed on rank 1: thrown on purpose");
});

Deno.test("ctx collectives reduce, gather and exchange across ranks and threads", async () => {
  const recs = await runInProcess(COLLECTIVES, { ranks: 3, threads: 2 });
  assert(recs.every((r) => r.ok), recs.map((r) => r.error).join("; "));
  assertEquals(recs.map((r) => r.op), ["exchange"]);
});
