/**
 * The Slurm provider on a real Slurm cluster (.ci/local_slurm.sh starts 3 nodes × 4 CPUs here).
 * The points are sized to the cluster the tests are given (tests/slurm_cluster.ts: C = the CPUs of
 * its smallest node, N = its nodes); a test that needs more than it has is ignored with the
 * cluster's shape, as every test is where no Slurm answers (failed under
 * SCALEBENCH_TEST_REQUIRE_ALL=1).
 */
import assert from "node:assert/strict";
import type { Provider, ProviderSession } from "../core/provider.ts";
import { readRun } from "../core/results.ts";
import { runSweep } from "../core/run.ts";
import { builtinWorkloads } from "../workloads/mod.ts";
import { jobsNamed, slurm } from "../providers/slurm/commands.ts";
import { jobName } from "../providers/slurm/script.ts";
import { slurmProvider } from "../providers/slurm/mod.ts";
import { cli, spawnCli } from "./_cli.ts";
import { assertNoRanksLeft, FAULTY, providerConformance } from "./provider_conformance.ts";
import { needs } from "./_needs.ts";
import { givenCluster } from "./slurm_cluster.ts";

const given = await givenCluster();
const C = given.cluster.cpusPerNode;
const N = given.cluster.nodes;

async function nothingLeft(run: { runId: string; runDir: string }): Promise<void> {
  const jobs = await jobsNamed(jobName(run.runId, ""));
  if (jobs.length) {
    throw new Error(`Slurm jobs of the run still queued or running: ${jobs.join(", ")}`);
  }
  await assertNoRanksLeft(run.runDir);
}

// its points have 1 and 2 ranks: C ranks per node
providerConformance({
  provider: slurmProvider,
  settings: { exclusive: false },
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
    name: `slurm: ${name}`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn,
  }));
const tmp = () => Deno.makeTempDir({ prefix: "scalebench-slurm-" });

// 1, C, 2C … up to 3 nodes: 1..12:4 on CI's 3 × 4
const K = Math.min(N, 3);
const SPREAD = [1, ...Array.from({ length: K }, (_, i) => (i + 1) * C)];

test(
  `points ${
    SPREAD.join(",")
  } with ${C} cores per node run on 1, 1, 2… nodes, node lists in the manifest`,
  {},
  async () => {
    const out = await tmp();
    const r = await cli([
      "run",
      "amdahl",
      "-p",
      "slurm",
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
      run.observations.map((o) => [o.cores, o.nodes, o.ranks, o.ok]),
      SPREAD.flatMap((c) => [[c, nodesOf(c), c, true], [c, nodesOf(c), c, true]]),
    );
    // which nodes Slurm picks depends on what else runs on the shared cluster: their number does not
    assert.deepEqual(run.manifest.provider.jobs.map((j) => j.nodes.length), SPREAD.map(nodesOf));
    for (const j of run.manifest.provider.jobs) {
      assert.ok(j.nodes.every((n) => given.cluster.names.includes(n)), j.nodes.join());
      assert.equal(new Set(j.nodes).size, j.nodes.length);
      assert.match(j.job_id ?? "", /^\d+$/);
      assert.equal(j.files.some((f) => f.endsWith(".sbatch")), true);
    }
    await Deno.remove(out, { recursive: true });
  },
);

test(
  "a point asking for more nodes than exist fails after the grace period with Slurm's reason, without --timeout",
  {},
  async () => {
    const out = await tmp();
    const t0 = Date.now();
    const r = await cli([
      "run",
      "amdahl",
      "-p",
      "slurm",
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
    assert.deepEqual(run.observations.map((o) => [o.cores, o.ok]), [[C, true], [
      (N + 1) * C,
      false,
    ]]);
    assert.match(
      run.observations[1].error ?? "",
      /^Job failed: Slurm cannot start this job as submitted: (PartitionConfig|PartitionNodeLimit|ReqNodeNotAvail)\b.* \(pending [3-9] s\)/,
    );
    const job = run.manifest.provider.jobs[1];
    assert.deepEqual([job.cores, job.state], [(N + 1) * C, "failed"]);
    assert.ok(job.reason?.includes("Slurm cannot start this job as submitted"), job.reason ?? "");
    await nothingLeft({ runId: run.manifest.run_id, runDir: run.dir });
    await Deno.remove(out, { recursive: true });
  },
);

test(
  "Ctrl-C during a running point leaves none of the run's jobs in squeue 5 s later",
  {},
  async () => {
    const out = await tmp();
    const child = spawnCli([
      "run",
      FAULTY,
      "-p",
      "slurm",
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
      "ctrlc",
      "--poll-interval",
      "0.3",
    ]);
    const prefix = jobName("ctrlc", "");
    let running = false;
    for (let i = 0; i < 150 && !running; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const q = await slurm("squeue", ["-h", "-o", "%j|%T"]);
      running = q.stdout.split("\n").some((l) => l.startsWith(prefix) && l.endsWith("RUNNING"));
    }
    assert.ok(running, "the job never ran");
    await new Promise((r) => setTimeout(r, 1000));
    child.kill("SIGINT");
    const status = await child.status;
    await child.stdout.cancel();
    await child.stderr.cancel();
    await new Promise((r) => setTimeout(r, 5000));
    assert.equal(status.code, 130);
    assert.deepEqual(await jobsNamed(prefix), []);
    assert.equal((await readRun(`${out}/ctrlc`)).manifest.status, "interrupted");
    await Deno.remove(out, { recursive: true });
  },
);

test(
  "shell metacharacters in --set and --name never run, and bad directives are refused",
  {},
  async () => {
    const out = await tmp();
    await Deno.remove("/tmp/pwned").catch(() => {});
    const evil = "$(touch /tmp/pwned) `touch /tmp/pwned` 'quote\" \nnewline; touch /tmp/pwned";
    const r = await cli([
      "run",
      FAULTY,
      "-p",
      "slurm",
      "--set",
      `label=${evil}`,
      "-c",
      "1",
      "-r",
      "1",
      "-o",
      out,
      "--json",
      "--poll-interval",
      "0.3",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const run = await readRun(JSON.parse(r.stdout).run_dir);
    assert.equal(run.manifest.workload.params.label, evil);
    assert.deepEqual(run.observations.map((o) => o.ok), [true]);
    const name = await cli([
      "run",
      "amdahl",
      "-p",
      "slurm",
      "--name",
      "x$(touch /tmp/pwned)",
      "-o",
      out,
    ]);
    assert.equal(name.code, 2);
    assert.ok(name.stderr.includes("Flag --name expects letters"), name.stderr);
    const directive = await cli([
      "run",
      "amdahl",
      "-p",
      "slurm",
      "--sbatch-arg",
      "--comment=$(touch /tmp/pwned)",
      "-o",
      out,
    ]);
    assert.equal(directive.code, 2);
    assert.ok(
      directive.stderr.includes("Flag --sbatch-arg expects sbatch options"),
      directive.stderr,
    );
    const path = await cli([
      "run",
      "amdahl",
      "-p",
      "slurm",
      "-o",
      `${out}/a b$(touch /tmp/pwned)`,
      "--dry-run",
    ]);
    assert.equal(path.code, 2);
    assert.ok(path.stderr.includes("has characters Slurm directives cannot carry"), path.stderr);
    let pwned = true;
    try {
      await Deno.stat("/tmp/pwned");
    } catch {
      pwned = false;
    }
    assert.equal(pwned, false, "/tmp/pwned was created");
    await Deno.remove(out, { recursive: true });
  },
);

test(
  "--within-allocation runs every point as an srun step inside one allocation",
  { nodes: 2 },
  async () => {
    const out = await tmp();
    const main = new URL("../cli/main.ts", import.meta.url).pathname;
    const config = new URL("../deno.json", import.meta.url).pathname;
    const inner = [
      Deno.execPath(),
      "run",
      "-A",
      "--quiet",
      "--config",
      config,
      main,
      "run",
      "amdahl",
      "-p",
      "slurm",
      "--within-allocation",
      "-c",
      `1,${C},${2 * C}`,
      "--layout",
      "ranks",
      "--cores-per-node",
      String(C),
      "-r",
      "2",
      "--set",
      "work=10",
      "-o",
      out,
      "--json",
      "--poll-interval",
      "0.3",
    ];
    const r = await new Deno.Command("salloc", {
      args: ["-N", "2", "-n", String(2 * C), ...inner],
      stdout: "piped",
      stderr: "piped",
    })
      .output();
    const stdout = new TextDecoder().decode(r.stdout);
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    const result = JSON.parse(stdout.trim().split("\n").pop()!);
    const run = await readRun(result.run_dir);
    assert.deepEqual(run.observations.map((o) => [o.cores, o.ok]), [
      [1, true],
      [1, true],
      [C, true],
      [C, true],
      [2 * C, true],
      [2 * C, true],
    ]);
    const alloc = String(run.manifest.provider.settings.allocation);
    assert.match(alloc, /^\d+$/);
    assert.deepEqual(run.manifest.provider.jobs.map((j) => j.job_id?.split(":")[0]), [
      alloc,
      alloc,
      alloc,
    ]);
    // each step's nodes, from squeue; rank 0's records came through srun, and are in its file too
    assert.deepEqual(run.manifest.provider.jobs.map((j) => j.nodes.length), [1, 1, 2]);
    const rank0 = await Deno.readTextFile(
      `${run.dir}/logs/${run.manifest.provider.jobs[2].batch}.rank0.out`,
    );
    assert.match(rank0, /^@@scalebench \{"type":"ready"/m);
    await Deno.remove(out, { recursive: true });
  },
);

test("a session whose poll() throws mid-point leaves no job of the run, and the run resumes", {
  nodes: Math.ceil(2 / C),
}, async () => {
  const out = await tmp();
  const provider: Provider = {
    ...slurmProvider,
    async open(ctx) {
      const s: ProviderSession = await (slurmProvider as Provider).open(ctx);
      return {
        emit: (b) => s.emit(b),
        submit: (b, e) => s.submit(b, e),
        lines: (h) => s.lines(h),
        collect: (h) => s.collect(h),
        cancel: (h, r) => s.cancel(h, r),
        close: () => s.close(),
        // the second point's job is queued or running when its first poll throws
        poll: (h) =>
          h.batch.point.cores === 2 ? Promise.reject(new Error("poll broke")) : s.poll(h),
      };
    },
  };
  const options = {
    workloads: builtinWorkloads,
    workload: "amdahl",
    params: { work: 10 },
    cores: [1, 2],
    layout: "ranks" as const,
    reps: 1,
    output: out,
    pollInterval: 0.3,
    coresPerNode: C,
    providerSettings: { exclusive: false },
    log: () => {},
  };
  let failure: unknown = null;
  await runSweep({ ...options, provider }).catch((err) => (failure = err));
  assert.equal((failure as Error)?.message, "poll broke");
  const [dir] = [...Deno.readDirSync(out)].map((e) => `${out}/${e.name}`);
  const run = await readRun(dir);
  assert.deepEqual([run.manifest.status, run.manifest.error], ["failed", "poll broke"]);
  await nothingLeft({ runId: run.manifest.run_id, runDir: dir });
  const resumed = await runSweep({ ...options, provider: slurmProvider, resume: dir });
  assert.deepEqual([resumed.status, resumed.recorded, resumed.observations], ["complete", 1, 2]);
  await nothingLeft({ runId: run.manifest.run_id, runDir: dir });
  await Deno.remove(out, { recursive: true });
});
