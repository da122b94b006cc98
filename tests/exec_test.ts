// Programs as workloads through the CLI and the library on the local provider: a Python program's
// records from 2 ranks (seconds exactly the slowest rank's), a typed command module, operations
// learned by the first repetition and used by --resume, and bad input refused before anything runs.
import assert from "node:assert/strict";
import { runSweep } from "../mod.ts";
import { readRun } from "../core/results.ts";
import { cli } from "./_cli.ts";
import { needCommand, needs, PYTHON } from "./_needs.ts";
import { assertOutcome, RECORDS_PROGRAM } from "./provider_conformance.ts";

const BENCH = new URL("./testdata/programs/bench.py", import.meta.url).pathname;
const MODULE = new URL("./testdata/workloads/command_bench.ts", import.meta.url).pathname;
const python = await needCommand(PYTHON);

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "scalebench-exec-" });
}

Deno.test(needs([python], {
  name:
    "run --exec: a Python program's records from 2 ranks give each op the slowest rank's seconds, exactly",
  async fn() {
    const out = await tempDir();
    const r = await cli([
      "run",
      "--exec",
      `${PYTHON} ${BENCH}`,
      "--set",
      "size=100",
      "--set",
      "ranks=2",
      "--set",
      `cwd=${out}`,
      "-c",
      "2",
      "--layout",
      "ranks",
      "-r",
      "2",
      "--warmup",
      "1",
      "-o",
      out,
      "--json",
    ], { cwd: out });
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.deepEqual([summary.status, summary.observations, summary.failed], ["complete", 6, 0]);
    const run = await readRun(
      summary.run_dir.startsWith("/") ? summary.run_dir : `${out}/${summary.run_dir}`,
    );
    assert.equal(run.manifest.workload.name, "bench.py");
    assert.deepEqual(run.manifest.workload.operations, ["compute", "io"]);
    assert.deepEqual(run.manifest.workload.params, { size: "100", ranks: "2", cwd: out });
    assert.deepEqual(
      run.observations.map((o) => [o.op, o.rep, o.warmup, o.seconds, o.rank_seconds, o.rate, o.ok]),
      [
        ["compute", 0, true, 0.25, [0.125, 0.25], 800, true],
        ["io", 0, true, 0.0625, [0.0625, 0.0625], null, true],
        ["compute", 0, false, 0.25, [0.125, 0.25], 800, true],
        ["io", 0, false, 0.0625, [0.0625, 0.0625], null, true],
        ["compute", 1, false, 0.25, [0.125, 0.25], 800, true],
        ["io", 1, false, 0.0625, [0.0625, 0.0625], null, true],
      ],
    );
    assert.equal(run.observations[0].unit, "MB/s");
    await Deno.remove(out, { recursive: true });
  },
}));

Deno.test(needs([python], {
  name:
    "a command workload module passes typed parameters and records only its declared operations",
  async fn() {
    const out = await tempDir();
    const bad = await cli(["run", MODULE, "--set", "size=lots", "-c", "1", "-o", out]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr.trim(), /^[^\n]*'size'[^\n]*'lots'[^\n]*$/);
    const r = await runSweep({
      workload: MODULE,
      params: { size: 3, ranks: 2, extra: 1 },
      cores: [2],
      layout: "ranks",
      reps: 1,
      output: out,
      log: () => {},
    });
    await assertOutcome(r, ["complete", 2, 0]);
    const run = await readRun(r.runDir);
    assert.deepEqual(run.observations.map((o) => [o.op, o.seconds, o.rate]), [
      ["compute", 0.25, 24],
      ["io", 0.0625, null],
    ]);
    await Deno.remove(out, { recursive: true });
  },
}));

Deno.test("the first repetition defines a program's operations for later batches, and --resume runs only what is missing", async () => {
  const out = await tempDir();
  const r = await runSweep({
    exec: `sh ${RECORDS_PROGRAM}`,
    cores: [1, 2],
    layout: "ranks",
    reps: 2,
    order: "interleaved",
    output: out,
    log: () => {},
  });
  await assertOutcome(r, ["complete", 8, 0]);
  assert.deepEqual(r.plan.operations, ["compute", "io"]);
  // a run killed after its first three observations
  const file = `${r.runDir}/observations.jsonl`;
  const lines = (await Deno.readTextFile(file)).trim().split("\n");
  await Deno.writeTextFile(file, lines.slice(0, 3).join("\n") + "\n");
  const resumed = await runSweep({ resume: r.runDir, log: () => {} });
  assert.deepEqual([resumed.status, resumed.observations, resumed.recorded], ["complete", 8, 5]);
  const run = await readRun(r.runDir);
  const keys = run.observations.map((o) => `${o.cores}:${o.op}:${o.rep}`).sort();
  assert.deepEqual(keys, [
    "1:compute:0",
    "1:compute:1",
    "1:io:0",
    "1:io:1",
    "2:compute:0",
    "2:compute:1",
    "2:io:0",
    "2:io:1",
  ]);
  assert.deepEqual(run.manifest.workload.operations, ["compute", "io"]);
  await Deno.remove(out, { recursive: true });
});

Deno.test("a program writing garbage in its records fails that observation with the line, exit 1", async () => {
  const out = await tempDir();
  const r = await cli([
    "run",
    "--exec",
    `sh ${RECORDS_PROGRAM}`,
    "--set",
    "mode=garbage",
    "-c",
    "1",
    "-r",
    "1",
    "-o",
    out,
    "--json",
  ]);
  assert.equal(r.code, 1, r.stderr);
  const run = await readRun(JSON.parse(r.stdout).run_dir);
  assert.deepEqual(run.observations.map((o) => [o.op, o.ok, o.seconds, o.error]), [
    ["compute", false, 0.1, "rank 0: records line 2 is not JSON: this is not JSON"],
  ]);
  await Deno.remove(out, { recursive: true });
});

Deno.test("bad program input is one line on stderr, exit 2, and no run directory", async () => {
  const out = await tempDir();
  const cases: [string[], string][] = [
    [
      ["--exec", "no-such-program --x"],
      "Command 'no-such-program' was not found (--exec; not a file, nor on PATH)",
    ],
    [
      ["--exec", "./missing.sh"],
      "Command './missing.sh' was not found (--exec; not a file, nor on PATH)",
    ],
    [["--exec", "sleep 'x"], `--exec has an unterminated ' quote: 'sleep 'x'`],
    [
      ["--exec", "true", "--engine", "mpi", "--mpirun", "/nonexistent/mpirun"],
      "--engine mpi needs '/nonexistent/mpirun', which was not found (install Open MPI, or give --mpirun PATH)",
    ],
    [
      ["amdahl", "--engine", "mpi"],
      "--engine applies to programs (--exec or a command workload); workload 'amdahl' has operations",
    ],
    [
      ["amdahl", "--exec", "true"],
      "--exec runs a program as the workload: leave out workload 'amdahl'",
    ],
    [["--engine", "nope", "--exec", "true"], "expects one of process, mpi"],
    [
      [],
      "Name a workload (scalebench list workloads), give --exec COMMAND, or give --resume RUN_DIR",
    ],
  ];
  for (const [args, message] of cases) {
    const r = await cli(["run", ...args, "-c", "1", "-r", "1", "-o", out]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.ok(lines[0].includes(message), `${args.join(" ")}: ${lines[0]}`);
  }
  assert.deepEqual([...Deno.readDirSync(out)], []);
  await Deno.remove(out, { recursive: true });
});

Deno.test("run --exec --dry-run --json shows the program, its engine and operations still unknown", async () => {
  const r = await cli(["run", "--exec", "sleep 0.1", "-c", "1,2", "--dry-run", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout);
  assert.equal(plan.workload, "sleep");
  assert.deepEqual(plan.operations, ["*"]);
  assert.deepEqual(plan.exec, {
    argv: ["sleep", "0.1"],
    engine: "process",
    settings: {},
    ops: null,
  });
});
