// --engine mpi for real: Open MPI's mpirun over the point's ranks on this machine and on the Slurm
// cluster (4 ranks on 2 nodes, one MPI world of size 4, checked by the program with mpi4py), and
// Debian's hpcc under it with its metrics parsed into observations.
import assert from "node:assert/strict";
import { runSweep } from "../mod.ts";
import { readRun } from "../core/results.ts";
import { cli } from "./_cli.ts";
import { needCommand, needOnPath, needPython, needs, needSlurm, PYTHON } from "./_needs.ts";
import { assertOutcome } from "./provider_conformance.ts";

const WORLD = new URL("./testdata/programs/mpi_world.py", import.meta.url).pathname;
const mpirun = await needCommand("mpirun");
const mpi4py = await needPython("mpi4py");
// Open MPI's shared-memory transport crashes in these VMs (and is not what spans nodes anyway)
const MPI_ARGS = "--mca btl self,tcp";

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "scalebench-mpi-" });
}

Deno.test(needs([mpirun, mpi4py], {
  name:
    "--engine mpi runs one MPI world per repetition over the point's ranks, every MPI rank's records counted",
  async fn() {
    const out = await tempDir();
    const r = await runSweep({
      exec: `${PYTHON} ${WORLD}`,
      engine: "mpi",
      mpiArgs: MPI_ARGS,
      cores: [1, 2],
      layout: "ranks",
      reps: 2,
      output: out,
      log: () => {},
    });
    await assertOutcome(r, ["complete", 8, 0]);
    const run = await readRun(r.runDir);
    assert.deepEqual(run.manifest.workload.operations, ["allreduce", "nodes"]);
    for (const o of run.observations) {
      assert.equal(o.ok, true, o.error ?? "");
      // one time per MPI rank
      assert.equal(o.rank_seconds.length, o.ranks);
      assert.equal(o.seconds, Math.max(...o.rank_seconds));
    }
    await Deno.remove(out, { recursive: true });
  },
}));

Deno.test(needs([mpirun, mpi4py, await needSlurm()], {
  name: "--engine mpi on Slurm: 4 ranks on 2 nodes make one MPI world of size 4",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const out = await tempDir();
    const r = await runSweep({
      provider: "slurm",
      exec: `${PYTHON} ${WORLD}`,
      engine: "mpi",
      mpiArgs: MPI_ARGS,
      cores: [4],
      layout: "ranks",
      coresPerNode: 2,
      reps: 1,
      output: out,
      pollInterval: 0.5,
      timeout: 300,
      log: () => {},
    });
    const run = await readRun(r.runDir);
    assert.deepEqual(
      [r.status, r.observations, r.failed],
      ["complete", 2, 0],
      run.observations.map((o) => o.error).join("\n"),
    );
    const [allreduce, nodes] = run.observations;
    assert.deepEqual([
      allreduce.op,
      allreduce.ranks,
      allreduce.nodes,
      allreduce.rank_seconds.length,
    ], [
      "allreduce",
      4,
      2,
      4,
    ]);
    assert.deepEqual([nodes.op, nodes.ok, nodes.rank_seconds], ["nodes", true, [0, 0, 0, 0]]);
    assert.deepEqual(run.manifest.provider.jobs.map((j) => [j.state, j.nodes.length]), [[
      "succeeded",
      2,
    ]]);
    await Deno.remove(out, { recursive: true });
  },
}));

Deno.test(needs([mpirun, await needOnPath("hpcc")], {
  name: "hpcc runs under --engine mpi and its hpccoutf.txt metrics become checked observations",
  async fn() {
    const out = await tempDir();
    const r = await runSweep({
      workload: "hpcc",
      params: { n: 240, nb: 40 },
      mpiArgs: MPI_ARGS,
      cores: [2],
      layout: "ranks",
      reps: 1,
      output: out,
      log: () => {},
    });
    const run = await readRun(r.runDir);
    assert.deepEqual(
      [r.status, r.failed],
      ["complete", 0],
      run.observations.map((o) => o.error).join("\n"),
    );
    assert.deepEqual(run.observations.map((o) => [o.op, o.unit]), [
      ["HPL", "Gflop/s"],
      ["PTRANS", "GB/s"],
      ["MPIRandomAccess", "GUP/s"],
      ["MPIFFT", "Gflop/s"],
      ["StarDGEMM", "Gflop/s"],
      ["StarSTREAM_Triad", "GB/s"],
      ["RandomRing_bandwidth", "GB/s"],
      ["PingPong_latency", null],
    ]);
    const hpl = run.observations[0];
    // HPL's flop count at N = 240 over the time hpcc measured
    assert.equal(hpl.size, 240);
    assert.ok(hpl.seconds! > 0);
    assert.equal(hpl.rate, ((2 / 3) * 240 ** 3 + 1.5 * 240 ** 2) / 1e9 / hpl.seconds!);
    assert.equal(run.manifest.plan.points[0].params.n, 240);
    await Deno.remove(out, { recursive: true });
  },
}));

Deno.test("--engine mpi without mpirun on PATH is one line, exit 2, before anything starts", async () => {
  const out = await tempDir();
  const r = await cli(["run", "--exec", "/bin/true", "--engine", "mpi", "-c", "1", "-o", out], {
    env: { PATH: "/nonexistent" },
  });
  assert.equal(r.code, 2, r.stderr);
  assert.equal(
    r.stderr.trim(),
    "--engine mpi needs 'mpirun', which was not found (install Open MPI, or give --mpirun PATH)",
  );
  assert.deepEqual([...Deno.readDirSync(out)], []);
  await Deno.remove(out, { recursive: true });
});
