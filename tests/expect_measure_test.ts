/**
 * `measure()` of `scalebench/testing`, as a user's `deno test` file calls it, on the napper
 * workload (tests/testdata/expect/napper.ts: Amdahl's law by sleeping, s = 0.5) and on workloads
 * imported as values (tests/testdata/measure/: a sum over ranks and threads whose every thread
 * sleeps its share, so it scales near-perfectly whatever the machine's load).
 */
import assert from "node:assert/strict";
import { AssertionError } from "node:assert";
import { ValidationError } from "../core/errors.ts";
import { defineWorkload } from "../core/workload.ts";
import { measure } from "../testing.ts";
import sum from "./testdata/measure/sum.ts";
import apiSum from "./testdata/measure/api_sum.ts";
import helperSum, { named } from "./testdata/measure/helper_sum.ts";

const napper = new URL("./testdata/expect/napper.ts", import.meta.url);
const fixture = (f: string) => new URL(`./testdata/measure/${f}`, import.meta.url).href;

Deno.test("measure() runs a workload in process at each core count and asserts how it scales", async () => {
  // naps of 400 ms at 1 core (efficiency 0.67 at 2): the intervals stay clear of 0.5 and 0.9 on a
  // loaded machine (at 60 ms, a run under two CPU hogs found 0.9 inconclusive)
  const r = await measure(napper, { cores: [1, 2], reps: 5, params: { ms: 400 } });
  assert.equal(r.workload, "napper");
  assert.equal(r.ref, napper.href);
  // 5 measured repetitions and 1 warm-up at each point
  assert.deepEqual(
    r.observations.map((o) => [o.cores, o.threads, o.rep, o.warmup, o.ok]),
    [1, 2].flatMap((c) => [
      [c, c, 0, true, true],
      ...[0, 1, 2, 3, 4].map((rep) => [c, c, rep, false, true]),
    ]),
  );
  const p2 = r.point(2)!;
  assert.equal(p2.summary!.n, 5);
  assert.ok(p2.efficiency! > 0.55 && p2.efficiency! < 0.75, String(p2.efficiency));
  const [pass] = r.expect("efficiency>=0.5@2");
  assert.deepEqual([pass.verdict, pass.judgedOp, pass.source], ["pass", "nap", "measure()"]);
  assert.throws(() => r.expect("efficiency>=0.9@2"), (err) => {
    assert.ok(err instanceof AssertionError);
    assert.match(
      err.message,
      /^Expectation 'efficiency>=0\.9@2' of napper: Fail: efficiency of nap ≥ 0\.9: 2 cores 0\.\d+ \[0\.\d+, 0\.\d+\] \(96\.83 % CI\) entirely < 0\.9$/,
    );
    return true;
  });
  assert.equal(r.expect("amdahl.s<=0.7")[0].fit!.law, "amdahl");
  // judge() returns without throwing; a point the run lacks is a mistake in the test
  assert.equal(r.judge("efficiency>=0.9@2")[0].verdict, "fail");
  assert.throws(() => r.expect("efficiency>=0.8@4"), ValidationError);
  assert.throws(
    () => r.expect("op:nope speedup>=1@2"),
    /^ValidationError: Expectation 'op:nope speedup>=1@2' \(measure\(\)\) is about an unknown operation 'nope' \(known: nap\)$/,
  );
});

Deno.test("measure() compares with a baseline: a slower version regresses, the same does not", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scalebench-measure-" });
  const slowFile = `${dir}/napper.ts`;
  await Deno.writeTextFile(
    slowFile,
    (await Deno.readTextFile(napper)).replace("const FACTOR = 1;", "const FACTOR = 1.3;"),
  );
  // 150 ms at 1 core: a busy machine's timer delays stay well below the 10 % margin
  const opts = { cores: [1, 2], reps: 5, warmup: 0, params: { ms: 150 } };
  const base = await measure(napper, opts);
  const again = await measure(napper, opts);
  const same = await again.expectNoRegression(base);
  assert.equal(same.regressions, 0);
  assert.equal(same.rows.length, 2);
  const slow = await measure(slowFile, opts);
  await assert.rejects(() => slow.expectNoRegression(base), (err) => {
    assert.ok(err instanceof AssertionError);
    assert.match(err.message, /^napper regressed against its baseline: nap at 1 core: .* slower; /);
    return true;
  });
  const other = await measure(napper, { ...opts, params: { ms: 50 } });
  await assert.rejects(
    () => other.compare(base),
    /^ValidationError: The baseline was made with other parameters \(ms='150' there, '50' here\)/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("measure() refuses bad input and reports failed checks", async () => {
  await assert.rejects(() => measure(napper, { cores: [] }), /needs core counts/);
  await assert.rejects(() => measure(napper, { cores: [0] }), /core count '0' is not a whole/);
  await assert.rejects(
    () => measure("nosuch", { cores: [1] }),
    /^ValidationError: Unknown workload/,
  );
  await assert.rejects(
    () => measure(napper, { cores: [1], params: { s: 2 } }),
    /^ValidationError: Parameter 's' of workload 'napper' must be ≤ 1/,
  );
  // a workload whose check fails: an AssertionError naming it, unless allowFailures
  const dir = await Deno.makeTempDir({ prefix: "scalebench-measure-" });
  const wrong = `${dir}/napper.ts`;
  await Deno.writeTextFile(
    wrong,
    (await Deno.readTextFile(napper)).replace(
      "        metric:",
      '        check: () => ({ ok: false, message: "The nap was too short" }),\n        metric:',
    ),
  );
  await assert.rejects(
    () => measure(wrong, { cores: [1], reps: 2, warmup: 0 }),
    (err) => {
      assert.ok(err instanceof AssertionError);
      assert.equal(
        err.message,
        "2 observations of napper failed: nap at 1 core: The nap was too short; " +
          "nap at 1 core: The nap was too short",
      );
      return true;
    },
  );
  const kept = await measure(wrong, { cores: [1], reps: 2, warmup: 0, allowFailures: true });
  assert.deepEqual(kept.analysis.counts, { total: 2, measured: 0, warmup: 0, failed: 2 });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("measure() takes an imported workload definition; its thread workers load its file", async () => {
  // the example (sum.ts: export default defineWorkload({...})); naps of 200 ms and 10
  // repetitions, so that the efficiency's interval clears 0.8 on a loaded CI machine too (with 5,
  // a run under two CPU hogs was inconclusive)
  const r = await measure(sum, { cores: [1, 2], reps: 10, params: { ms: 200 } });
  const [pass] = r.expect("efficiency>=0.8@2");
  assert.deepEqual([r.workload, r.ref, pass.verdict], ["sum", fixture("sum.ts"), "pass"]);
  // 2 cores: one rank of 2 threads, the second a Web Worker that loaded sum.ts; the check
  // fails unless both threads answered and the total is right
  assert.deepEqual(
    r.observations.filter((o) => !o.warmup).map((o) => [o.cores, o.ranks, o.threads, o.ok]),
    [1, 2].flatMap((c) => Array(10).fill([c, 1, c, true])),
  );
});

Deno.test("measure() takes an imported function given the API, over ranks and threads", async () => {
  const opts = { reps: 2, warmup: 0, params: { ms: 10 } };
  const ranks = await measure(apiSum, { ...opts, cores: [1, 2], layout: "ranks" });
  assert.deepEqual([ranks.workload, ranks.ref], ["api-sum", fixture("api_sum.ts")]);
  assert.deepEqual(
    ranks.observations.map((o) => [o.cores, o.ranks, o.threads, o.ok]),
    [[1, 1, 1, true], [1, 1, 1, true], [2, 2, 1, true], [2, 2, 1, true]],
  );
  // 2 ranks of 2 threads: every rank starts a worker that loads api_sum.ts
  const both = await measure(apiSum, { ...opts, cores: [2, 4], layout: "ranks:2" });
  assert.deepEqual(
    both.observations.map((o) => [o.cores, o.ranks, o.threads, o.ok]),
    [[2, 1, 2, true], [2, 1, 2, true], [4, 2, 2, true], [4, 2, 2, true]],
  );
  // defined by a helper in another module: still found as helper_sum.ts's default export
  const helped = await measure(helperSum, { ...opts, cores: [2] });
  assert.deepEqual(
    [helped.ref, helped.observations.map((o) => o.ok)],
    [fixture("helper_sum.ts"), [true, true]],
  );
});

Deno.test("measure() of a workload that is no file's default export says what to pass", async () => {
  const instead = (name: string) =>
    `pass the workload file's URL instead, e.g. measure(new URL("./${name}.ts", import.meta.url), …)`;
  const helper = new URL(fixture("_make_sum.ts")).pathname;
  // a named export: defined in a helper, exported by another file, the default of neither
  await assert.rejects(
    () => measure(named, { cores: [1] }),
    (err) => {
      assert.ok(err instanceof ValidationError);
      assert.equal(
        err.message,
        `measure(): workload 'named-sum' is not the default export of '${helper}', where it was ` +
          "defined (threads load a workload as its file's default export): export it as default " +
          `there, or ${instead("named_sum")}`,
      );
      return true;
    },
  );
  // defined in this test file
  const inline = defineWorkload({ name: "inline", summary: "", params: {}, operations: {} });
  await assert.rejects(
    () => measure(inline, { cores: [1] }),
    new RegExp(
      `^ValidationError: measure\\(\\): workload 'inline' is not the default export of '${
        new URL(import.meta.url).pathname.replace(/[.]/g, "\\.")
      }'`,
    ),
  );
  // not made by defineWorkload, or a copy (which loses where it was defined)
  const unmade =
    `measure() cannot tell which file workload 'plain' comes from (a workload file's ` +
    "default export, as imported, made with defineWorkload, or a function given the API): " +
    instead("plain");
  const plain = { name: "plain", summary: "", params: {}, operations: { x: { run() {} } } };
  await assert.rejects(() => measure(plain, { cores: [1] }), { message: unmade });
  await assert.rejects(() => measure({ ...sum, name: "plain" }, { cores: [1] }), {
    message: unmade,
  });
});
