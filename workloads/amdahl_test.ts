import assert from "node:assert/strict";
import amdahl, { burn, expectedSum, type Part, verifyParts } from "./amdahl.ts";
import { runInProcess } from "./testing.ts";
import { fitGustafson } from "../reports/fits.ts";
import type { RankContext } from "../core/workload.ts";

Deno.test("burn() sums i² mod 2³² exactly, across 2³¹ and 2³² and far beyond", () => {
  assert.equal(burn(0, 4), 14);
  assert.equal(burn(5, 5), 0);
  for (const [a, b] of [[0, 100_000], [2 ** 31 - 500, 2 ** 31 + 500], [2 ** 32 - 7, 2 ** 32 + 9]]) {
    assert.equal(burn(a, b), expectedSum(a, b), `${a}..${b}`);
  }
  assert.equal(burn(1e10, 1e10 + 1000), expectedSum(1e10, 1e10 + 1000));
  // several blocks of 2²⁰ iterations across 2³²
  assert.equal(burn(2 ** 32 - 3e6, 2 ** 32 + 1e6), expectedSum(2 ** 32 - 3e6, 2 ** 32 + 1e6));
  // split anywhere, the parts add up to the whole
  assert.equal((burn(0, 12345) + burn(12345, 99999)) >>> 0, burn(0, 99999));
});

const part = (a: number, b: number): Part => [a, b, expectedSum(a, b)];

Deno.test("verifyParts() accepts an exact tiling and names a gap, an overlap or a wrong sum", () => {
  assert.equal(verifyParts([part(40, 100), part(0, 10), part(10, 40)], 100), null);
  assert.equal(verifyParts([part(0, 10), part(12, 100)], 100), "Iterations 10..12 never ran");
  assert.equal(verifyParts([part(0, 10), part(8, 100)], 100), "Iterations 8..10 ran twice");
  assert.equal(verifyParts([part(0, 10), part(10, 90)], 100), "Iterations 90..100 never ran");
  const wrong: Part = [10, 100, (expectedSum(10, 100) + 1) >>> 0];
  assert.equal(
    verifyParts([part(0, 10), wrong], 100),
    `Part 10..100 summed to ${wrong[2]}, expected ${expectedSum(10, 100)}`,
  );
  // empty parts (a thread with no share) are ignored
  assert.equal(verifyParts([part(0, 100), [100, 100, 0]], 100), null);
});

Deno.test("the burn check fails when a part is missing or wrong, and passes on the real result", async () => {
  const check = amdahl.operations.burn.check!;
  const ctx = { allgather: (v: unknown) => Promise.resolve([v]) } as unknown as RankContext<
    { s: number; work: number }
  >;
  const good = { parts: [part(0, 30), part(30, 100)], total: 100 };
  assert.equal(await check(ctx, undefined, good), true);
  assert.deepEqual(await check(ctx, undefined, { parts: [part(0, 30)], total: 100 }), {
    ok: false,
    message: "Iterations 30..100 never ran",
  });
});

Deno.test("amdahl runs and passes its check on 2 ranks × 2 threads, strong and weak", async () => {
  for (const mode of ["strong", "weak"] as const) {
    const recs = await runInProcess("amdahl", {
      ranks: 2,
      threads: 2,
      mode,
      params: { s: 0.3, work: 3 },
      reps: 2,
    });
    assert.deepEqual(recs.map((r) => [r.op, r.ok, r.error]), [["burn", true, null], [
      "burn",
      true,
      null,
    ]]);
  }
});

Deno.test("amdahl's weak rule is Gustafson's: n-fold work, s the serial share of each run", () => {
  const weak = amdahl.weak!;
  const s = 0.15;
  const time = (n: number) => {
    const p = weak({ s, work: 100 }, { cores: n, nodes: 1, ranks: 1, threads: n });
    assert.equal(p.work, 100 * n);
    const serial = p.work * p.s, parallel = (p.work * (1 - p.s)) / n;
    // the serial share of this run's time is s at every n
    assert.ok(Math.abs(serial / (serial + parallel) - s) < 1e-12);
    return serial + parallel;
  };
  const ns = [1, 2, 4, 8, 16];
  for (const n of ns) assert.ok(Math.abs((n * time(1)) / time(n) - (n - s * (n - 1))) < 1e-9);
  // the fit recovers it from such times
  const fit = fitGustafson(ns.map((n) => ({ cores: n, seconds: [time(n)], median: time(n) })))!;
  assert.ok(Math.abs(fit.s.value - s) < 1e-7, `s′ = ${fit.s.value}`);
});
