import assert from "node:assert/strict";
import { atLeast, below, BenchReport, exitCode, type Figure, formatGoal } from "./_figures.ts";
import { BENCHES, runBenches, summaryTable } from "./main.ts";

Deno.test("BENCHES lists every bench/*_bench.ts once", async () => {
  const files: string[] = [];
  for await (const e of Deno.readDir(new URL(".", import.meta.url))) {
    if (e.isFile && e.name.endsWith("_bench.ts")) files.push(e.name);
  }
  assert.deepEqual(BENCHES.map((b) => b.file).sort(), files.sort());
});

Deno.test("exitCode() is 1 on a MISS or FAIL, 3 on a SKIP unless allowed, else 0", () => {
  assert.equal(exitCode(["PASS", "INFO"]), 0);
  assert.equal(exitCode(["PASS", "MISS", "SKIP"]), 1);
  assert.equal(exitCode(["PASS", "FAIL"], { allowSkip: true }), 1);
  assert.equal(exitCode(["PASS", "SKIP"]), 3);
  assert.equal(exitCode(["PASS", "SKIP"], { allowSkip: true }), 0);
  assert.equal(exitCode([]), 0);
});

Deno.test("BenchReport judges each figure against its goal and appends it to the sink", async () => {
  const sink = await Deno.makeTempFile();
  try {
    const r = new BenchReport("demo", { sink, allowSkip: false });
    assert.equal(r.figure("ratio", 1, { goal: atLeast(1), unit: "×" }), true);
    assert.equal(r.figure("ratio low", 0.999, { goal: atLeast(1), unit: "×" }), false);
    assert.equal(r.figure("latency", 150, { goal: below(150), unit: "ms" }), false);
    assert.equal(r.figure("not a number", NaN, { goal: atLeast(0) }), false);
    assert.equal(r.check("checksum", false, "C 1.5, TypeScript 1.25"), false);
    r.skip("dask", "python3 cannot import distributed: apt-get install python3-distributed");
    const lines = (await Deno.readTextFile(sink)).trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((f: Figure) => [f.bench, f.name, f.verdict]), [
      ["demo", "ratio", "PASS"],
      ["demo", "ratio low", "MISS"],
      ["demo", "latency", "MISS"],
      ["demo", "not a number", "MISS"],
      ["demo", "checksum", "FAIL"],
      ["demo", "dask", "SKIP"],
    ]);
    assert.equal(r.code, 1);
    const skipped = new BenchReport("demo", { sink: null, allowSkip: false });
    skipped.figure("ratio", 2, { goal: atLeast(1) });
    skipped.skip("dask", "missing");
    assert.equal(skipped.code, 3);
  } finally {
    await Deno.remove(sink);
  }
});

Deno.test("summaryTable() shows value, goal and verdict, and why a row was skipped", () => {
  const f = (o: Partial<Figure>): Figure => ({
    bench: "dask",
    name: "n=1 'sum the transpose' ours/Dask",
    value: 1.234567,
    unit: "×",
    goal: atLeast(1),
    verdict: "PASS",
    detail: "",
    ...o,
  });
  const table = summaryTable([
    f({}),
    f({
      bench: "slurm",
      name: "step overhead",
      value: 126,
      unit: "ms",
      goal: below(100),
      verdict: "MISS",
    }),
    f({
      name: "every operation",
      value: null,
      goal: null,
      verdict: "SKIP",
      detail: "apt-get install python3-dask",
    }),
  ]);
  assert.equal(
    table,
    [
      "bench  figure                             measured  goal      verdict",
      "─────  ─────────────────────────────────  ────────  ────────  ───────",
      "dask   n=1 'sum the transpose' ours/Dask     1.23×  ≥ 1×      PASS",
      "slurm  step overhead                        126 ms  < 100 ms  MISS",
      "dask   every operation                           —            SKIP",
      "    ↳ apt-get install python3-dask",
    ].join("\n"),
  );
  assert.equal(formatGoal(null), "");
});

Deno.test("runBenches() runs each bench, tables its figures and exits 1 on a MISS, 3 on a SKIP", async () => {
  const dir = await Deno.makeTempDir();
  const lib = new URL("./_figures.ts", import.meta.url).href;
  const bench = (name: string, body: string) =>
    Deno.writeTextFile(
      `${dir}/${name}_bench.ts`,
      `import { atLeast, BenchReport } from "${lib}";\nconst r = new BenchReport("${name}");\n${body}\nr.finish();\n`,
    );
  try {
    await bench("fast", `r.figure("ours / theirs", 1.5, { goal: atLeast(1), unit: "×" });`);
    await bench("slow", `r.figure("ours / theirs", 0.9, { goal: atLeast(1), unit: "×" });`);
    await bench("skipped", `r.skip("ours / theirs", "apt-get install python3-dask");`);
    await bench("crash", `r.figure("first", 2, { goal: atLeast(1) }); throw new Error("boom");`);
    const benches = ["fast", "slow", "skipped", "crash"].map((n) => ({
      file: `${n}_bench.ts`,
      measures: n,
    }));
    const run = async (args: string[]) => {
      const lines: string[] = [];
      const code = await runBenches(args, {
        benches,
        dir: new URL(`file://${dir}/`),
        log: (l) => lines.push(l),
      });
      return { code, out: lines.join("\n") };
    };
    assert.equal((await run(["fast"])).code, 0);
    const skipped = await run(["fast", "skipped"]);
    assert.equal(skipped.code, 3);
    assert.match(skipped.out, /skipped +ours \/ theirs +— +SKIP\n +↳ apt-get install python3-dask/);
    assert.match(skipped.out, /1 PASS, 0 MISS, 0 FAIL, 1 SKIP → INCOMPLETE/);
    assert.equal((await run(["fast", "skipped", "--allow-skip"])).code, 0);
    const slow = await run(["fast", "slow", "skipped", "--allow-skip"]);
    assert.equal(slow.code, 1);
    assert.match(slow.out, /slow +ours \/ theirs +0\.9× +≥ 1× +MISS/);
    const crash = await run(["crash"]);
    assert.equal(crash.code, 1);
    assert.match(crash.out, /crash +\(bench process\) +— +FAIL\n +↳ exited with code 1/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
