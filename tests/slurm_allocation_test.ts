/**
 * `--one-allocation` on a real Slurm cluster: the whole sweep in one job sized for its largest
 * point, every point an srun step in it. Sized to the cluster it is given (tests/slurm_cluster.ts);
 * ignored with the reason where no Slurm answers.
 */
import assert from "node:assert/strict";
import type { Provider } from "../core/provider.ts";
import { readRun } from "../core/results.ts";
import { runSweep } from "../core/run.ts";
import { builtinWorkloads } from "../workloads/mod.ts";
import { jobsNamed, jobState, slurm } from "../providers/slurm/commands.ts";
import { slurmProvider } from "../providers/slurm/mod.ts";
import { jobName } from "../providers/slurm/script.ts";
import { cli, spawnCli } from "./_cli.ts";
import { needs } from "./_needs.ts";
import {
  assertNoRanksLeft,
  assertOutcome,
  FAULTY,
  providerConformance,
} from "./provider_conformance.ts";
import { givenCluster } from "./slurm_cluster.ts";

const given = await givenCluster();
const C = given.cluster.cpusPerNode;
const N = given.cluster.nodes;
const K = Math.min(N, 3);

async function nothingLeft(run: { runId: string; runDir: string }): Promise<void> {
  const jobs = await jobsNamed(jobName(run.runId, ""));
  if (jobs.length) {
    throw new Error(`Slurm jobs of the run still queued or running: ${jobs.join(", ")}`);
  }
  await assertNoRanksLeft(run.runDir);
}

// the whole contract again, every point a step of the run's one allocation
providerConformance({
  provider: { ...slurmProvider, name: "slurm-one-allocation" } as Provider,
  settings: { exclusive: false, oneAllocation: true },
  needs: given.needs({ nodes: Math.ceil(2 / C) }),
  startSeconds: 15,
  runOptions: { pollInterval: 0.3, coresPerNode: C },
  assertNothingLeft: nothingLeft,
});

const test = (
  name: string,
  shape: { nodes?: number; cpus?: number },
  fn: () => Promise<void>,
) =>
  Deno.test(needs(given.needs(shape), {
    name: `slurm --one-allocation: ${name}`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn,
  }));
const tmp = () => Deno.makeTempDir({ prefix: "scalebench-slurm-alloc-" });
/** The id of the one run under `out`. */
const runIdOf = (out: string) => [...Deno.readDirSync(out)][0].name;

const SPREAD = [1, ...Array.from({ length: K }, (_, i) => (i + 1) * C)];

test(
  `a sweep of ${
    SPREAD.join(",")
  } cores waits in the queue once: one job of ${K} node(s), a step per point`,
  {},
  async () => {
    const out = await tmp();
    const r = await cli([
      "run",
      "amdahl",
      "-p",
      "slurm",
      "--one-allocation",
      "-c",
      SPREAD.join(","),
      "--layout",
      "ranks",
      "--cores-per-node",
      String(C),
      "-r",
      "2",
      "--set",
      "work=20",
      "-o",
      out,
      "--poll-interval",
      "0.3",
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const run = await readRun(JSON.parse(r.stdout).run_dir);
    const nodesOf = (cores: number) => Math.ceil(cores / C);
    assert.deepEqual(
      run.observations.map((o) => [o.cores, o.nodes, o.ok]),
      SPREAD.flatMap((c) => [[c, nodesOf(c), true], [c, nodesOf(c), true]]),
    );
    // the manifest: the setting, and every point a step of one job
    assert.equal(run.manifest.provider.settings.oneAllocation, true);
    const jobs = run.manifest.provider.jobs;
    const [allocation] = jobs[0].job_id!.split(":");
    assert.match(allocation, /^\d+$/);
    assert.deepEqual(jobs.map((j) => j.job_id), jobs.map((j) => `${allocation}:${j.batch}`));
    assert.deepEqual(
      jobs.map((j) => [j.state, j.nodes.length]),
      SPREAD.map((c) => ["succeeded", nodesOf(c)]),
    );
    for (const j of jobs) {
      assert.ok(j.nodes.every((n) => given.cluster.names.includes(n)), j.nodes.join());
      assert.deepEqual(j.files.filter((f) => !f.endsWith(".spec.json")).sort(), [
        "logs/allocation.sbatch",
        `logs/${j.batch}.srun`,
      ]);
    }
    // the job was sized for the largest point, and is over once the sweep is
    const script = await Deno.readTextFile(`${run.dir}/logs/allocation.sbatch`);
    assert.match(script, new RegExp(`^#SBATCH --nodes=${K}$`, "m"));
    assert.match(script, new RegExp(`^#SBATCH --cpus-per-task=${C}$`, "m"));
    assert.match(
      script,
      new RegExp(`^#SBATCH --job-name=${jobName(run.manifest.run_id, "allocation")}$`, "m"),
    );
    assert.notEqual((await jobState(allocation)).state, "running");
    assert.deepEqual(await jobsNamed(jobName(run.manifest.run_id, "")), []);
    await assert.rejects(Deno.stat(`${run.dir}/logs/allocation.alive`), Deno.errors.NotFound);
    await Deno.remove(out, { recursive: true });
  },
);

test(
  "Ctrl-C during a step cancels the one job: none of the run's jobs in squeue 5 s later",
  {},
  async () => {
    const out = await tmp();
    const child = spawnCli([
      "run",
      FAULTY,
      "-p",
      "slurm",
      "--one-allocation",
      "--set",
      "fault=hang",
      "-c",
      String(Math.min(2, C)),
      "--layout",
      "ranks",
      "--cores-per-node",
      String(C),
      "-o",
      out,
      "--name",
      "ctrlc-alloc",
      "--poll-interval",
      "0.3",
    ]);
    const step = jobName("ctrlc-alloc", "p01");
    let running = false;
    for (let i = 0; i < 150 && !running; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const q = await slurm("squeue", ["-h", "-s", "-o", "%j"]);
      running = q.stdout.split("\n").some((l) => l.startsWith(step));
    }
    assert.ok(running, "the step never ran");
    assert.equal((await jobsNamed(jobName("ctrlc-alloc", "allocation"))).length, 1);
    await new Promise((r) => setTimeout(r, 1000));
    child.kill("SIGINT");
    const status = await child.status;
    await child.stdout.cancel();
    await child.stderr.cancel();
    await new Promise((r) => setTimeout(r, 5000));
    assert.equal(status.code, 130);
    assert.deepEqual(await jobsNamed(jobName("ctrlc-alloc", "")), []);
    assert.equal((await readRun(`${out}/ctrlc-alloc`)).manifest.status, "interrupted");
    await assertNoRanksLeft(`${out}/ctrlc-alloc`);
    await Deno.remove(out, { recursive: true });
  },
);

test("an allocation that ends mid-sweep fails the points left, saying so", {}, async () => {
  const out = await tmp();
  let cancelled = "";
  const r = await runSweep({
    workloads: builtinWorkloads,
    workload: FAULTY,
    params: { fault: "hang", rank: 0 },
    provider: slurmProvider,
    providerSettings: { exclusive: false, oneAllocation: true },
    cores: [1, Math.min(2, C)],
    coresPerNode: C,
    layout: "ranks",
    reps: 1,
    output: out,
    pollInterval: 0.3,
    log: () => {},
    onEvent: (e) => {
      if (e.type !== "ready" || cancelled) return;
      // the first point hangs: the allocation is taken away under it (as a time limit would)
      cancelled = "pending";
      jobsNamed(jobName(runIdOf(out), "allocation")).then(async (ids) => {
        cancelled = ids.join();
        await slurm("scancel", ids);
      });
    },
  });
  assert.match(cancelled, /^\d+$/);
  await assertOutcome(r, ["failed", 2, 2]);
  const run = await readRun(r.runDir);
  for (const o of run.observations) {
    assert.match(
      o.error ?? "",
      new RegExp(
        `^Job failed: srun exited with code \\d+.*; the run's allocation \\(job ${cancelled}\\) cancelled`,
      ),
    );
  }
  await nothingLeft({ runId: run.manifest.run_id, runDir: run.dir });
  await Deno.remove(out, { recursive: true });
});

test(
  "an allocation Slurm can never start fails every point with Slurm's reason after the grace period",
  {},
  async () => {
    const out = await tmp();
    const t0 = Date.now();
    const r = await cli([
      "run",
      "amdahl",
      "-p",
      "slurm",
      "--one-allocation",
      "-c",
      `${C},${(N + 1) * C}`,
      "--layout",
      "ranks",
      "--cores-per-node",
      String(C),
      "-r",
      "1",
      "--set",
      "work=10",
      "-o",
      out,
      "--unschedulable-grace",
      "3",
      "--poll-interval",
      "0.5",
      "--json",
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(Date.now() - t0 < 40_000, `took ${(Date.now() - t0) / 1000} s`);
    const run = await readRun(JSON.parse(r.stdout).run_dir);
    assert.deepEqual(run.observations.map((o) => [o.cores, o.ok]), [[C, false], [
      (N + 1) * C,
      false,
    ]]);
    for (const o of run.observations) {
      assert.match(
        o.error ?? "",
        /^Job failed: The run's allocation \(job \d+\) failed: Slurm cannot start this job as submitted: (PartitionConfig|PartitionNodeLimit|ReqNodeNotAvail)\b.* \(pending [3-9] s\)/,
      );
    }
    await nothingLeft({ runId: run.manifest.run_id, runDir: run.dir });
    await Deno.remove(out, { recursive: true });
  },
);

test(
  "an allocation Slurm refuses outright is a one-line error (exit 2) and leaves no run behind",
  {},
  async () => {
    const out = await tmp();
    const r = await cli([
      "run",
      "amdahl",
      "-p",
      "slurm",
      "--one-allocation",
      "--partition",
      "no_such_partition",
      "-c",
      "1",
      "-o",
      out,
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr.trim(),
      /^Slurm refused the sweep's allocation \(--one-allocation, .*\/logs\/allocation\.sbatch\): sbatch: error: .*[Pp]artition/,
    );
    assert.equal(r.stderr.trim().split("\n").length, 1);
    assert.deepEqual([...Deno.readDirSync(out)], []);
    await Deno.remove(out, { recursive: true });
  },
);

test("--one-allocation with --within-allocation is refused before anything runs", {}, async () => {
  const out = await tmp();
  const r = await cli([
    "run",
    "amdahl",
    "-p",
    "slurm",
    "--one-allocation",
    "--within-allocation",
    "--allocation",
    "1",
    "-o",
    out,
  ]);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(
    r.stderr.trim(),
    "Flags --one-allocation and --within-allocation exclude each other: the first submits an allocation for the sweep, the second runs in yours",
  );
  await Deno.remove(out, { recursive: true });
});
