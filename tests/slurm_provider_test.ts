/**
 * The Slurm provider on a real Slurm cluster (.ci/local_slurm.sh starts 3 nodes × 4 CPUs here).
 * Ignored, with the reason, where no Slurm answers (failed under SCALEBENCH_TEST_REQUIRE_ALL=1).
 */
import { assert, assertEquals, assertStringIncludes } from "../core/_assert.ts";
import type { Provider, ProviderSession } from "../core/provider.ts";
import { readRun } from "../core/results.ts";
import { runSweep } from "../core/run.ts";
import { builtinWorkloads } from "../workloads/mod.ts";
import { jobsNamed, slurm } from "../providers/slurm/commands.ts";
import { jobName } from "../providers/slurm/script.ts";
import { slurmProvider } from "../providers/slurm/mod.ts";
import { cli, spawnCli } from "./_cli.ts";
import { assertNoRanksLeft, FAULTY, providerConformance } from "./provider_conformance.ts";
import { needs, needSlurm } from "./_needs.ts";

const slurmCluster = await needSlurm();

async function nothingLeft(run: { runId: string; runDir: string }): Promise<void> {
  const jobs = await jobsNamed(jobName(run.runId, ""));
  if (jobs.length) {
    throw new Error(`Slurm jobs of the run still queued or running: ${jobs.join(", ")}`);
  }
  await assertNoRanksLeft(run.runDir);
}

providerConformance({
  provider: slurmProvider,
  settings: { exclusive: false },
  needs: [slurmCluster],
  startSeconds: 15,
  runOptions: { pollInterval: 0.3, coresPerNode: 4 },
  assertNothingLeft: nothingLeft,
});

const test = (name: string, fn: () => Promise<void>) =>
  Deno.test(needs([slurmCluster], {
    name: `slurm: ${name}`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn,
  }));
const tmp = () => Deno.makeTempDir({ prefix: "scalebench-slurm-" });

test("points 1..12:4 with 4 cores per node run on 1, 1, 2 and 3 nodes, node lists in the manifest", async () => {
  const out = await tmp();
  const r = await cli([
    "run",
    "amdahl",
    "-p",
    "slurm",
    "-c",
    "1..12:4",
    "--layout",
    "ranks",
    "--cores-per-node",
    "4",
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
  assertEquals(r.code, 0, r.stderr);
  const run = await readRun(JSON.parse(r.stdout).run_dir);
  assertEquals(run.observations.map((o) => [o.cores, o.nodes, o.ranks, o.ok]), [
    [1, 1, 1, true],
    [1, 1, 1, true],
    [4, 1, 4, true],
    [4, 1, 4, true],
    [8, 2, 8, true],
    [8, 2, 8, true],
    [12, 3, 12, true],
    [12, 3, 12, true],
  ]);
  // which nodes Slurm picks depends on what else runs on the shared cluster: their number does not
  assertEquals(run.manifest.provider.jobs.map((j) => j.nodes.length), [1, 1, 2, 3]);
  for (const j of run.manifest.provider.jobs) {
    assertEquals(j.nodes.every((n) => /^node[1-3]$/.test(n)), true, j.nodes.join());
    assertEquals(new Set(j.nodes).size, j.nodes.length);
  }
  assertEquals(run.manifest.provider.jobs[3].nodes, ["node1", "node2", "node3"]);
  for (const j of run.manifest.provider.jobs) {
    assert(/^\d+$/.test(j.job_id ?? ""), `job id ${j.job_id}`);
    assertEquals(j.files.some((f) => f.endsWith(".sbatch")), true);
  }
  await Deno.remove(out, { recursive: true });
});

test("a point asking for more nodes than exist fails after the grace period with Slurm's reason, without --timeout", async () => {
  const out = await tmp();
  const t0 = Date.now();
  const r = await cli([
    "run",
    "amdahl",
    "-p",
    "slurm",
    "-c",
    "4,16",
    "--layout",
    "ranks",
    "--cores-per-node",
    "4",
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
  assertEquals(r.code, 1, r.stderr);
  assert(Date.now() - t0 < 40_000, `took ${(Date.now() - t0) / 1000} s`);
  const run = await readRun(JSON.parse(r.stdout).run_dir);
  assertEquals(run.observations.map((o) => [o.cores, o.ok]), [[4, true], [16, false]]);
  const error = run.observations[1].error ?? "";
  assert(
    /^Job failed: Slurm cannot start this job as submitted: (PartitionConfig|PartitionNodeLimit|ReqNodeNotAvail)\b.* \(pending [3-9] s\)/
      .test(error),
    error,
  );
  const job = run.manifest.provider.jobs[1];
  assertEquals([job.cores, job.state], [16, "failed"]);
  assertStringIncludes(job.reason ?? "", "Slurm cannot start this job as submitted");
  await nothingLeft({ runId: run.manifest.run_id, runDir: run.dir });
  await Deno.remove(out, { recursive: true });
});

test("Ctrl-C during a running point leaves none of the run's jobs in squeue 5 s later", async () => {
  const out = await tmp();
  const child = spawnCli([
    "run",
    FAULTY,
    "-p",
    "slurm",
    "--set",
    "fault=hang",
    "-c",
    "2",
    "--layout",
    "ranks",
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
  assert(running, "the job never ran");
  await new Promise((r) => setTimeout(r, 1000));
  child.kill("SIGINT");
  const status = await child.status;
  await child.stdout.cancel();
  await child.stderr.cancel();
  await new Promise((r) => setTimeout(r, 5000));
  assertEquals(status.code, 130);
  assertEquals(await jobsNamed(prefix), []);
  assertEquals((await readRun(`${out}/ctrlc`)).manifest.status, "interrupted");
  await Deno.remove(out, { recursive: true });
});

test("shell metacharacters in --set and --name never run, and bad directives are refused", async () => {
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
  assertEquals(r.code, 0, r.stderr);
  const run = await readRun(JSON.parse(r.stdout).run_dir);
  assertEquals(run.manifest.workload.params.label, evil);
  assertEquals(run.observations.map((o) => o.ok), [true]);
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
  assertEquals(name.code, 2);
  assertStringIncludes(name.stderr, "Flag --name expects letters");
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
  assertEquals(directive.code, 2);
  assertStringIncludes(directive.stderr, "Flag --sbatch-arg expects sbatch options");
  const path = await cli([
    "run",
    "amdahl",
    "-p",
    "slurm",
    "-o",
    `${out}/a b$(touch /tmp/pwned)`,
    "--dry-run",
  ]);
  assertEquals(path.code, 2);
  assertStringIncludes(path.stderr, "has characters Slurm directives cannot carry");
  let pwned = true;
  try {
    await Deno.stat("/tmp/pwned");
  } catch {
    pwned = false;
  }
  assertEquals(pwned, false, "/tmp/pwned was created");
  await Deno.remove(out, { recursive: true });
});

test("--within-allocation runs every point as an srun step inside one allocation", async () => {
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
    "1,4,8",
    "--layout",
    "ranks",
    "--cores-per-node",
    "4",
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
    args: ["-N", "2", "-n", "8", ...inner],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const stdout = new TextDecoder().decode(r.stdout);
  assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
  const result = JSON.parse(stdout.trim().split("\n").pop()!);
  const run = await readRun(result.run_dir);
  assertEquals(run.observations.map((o) => [o.cores, o.ok]), [
    [1, true],
    [1, true],
    [4, true],
    [4, true],
    [8, true],
    [8, true],
  ]);
  const alloc = String(run.manifest.provider.settings.allocation);
  assert(/^\d+$/.test(String(alloc)), `allocation ${alloc}`);
  assertEquals(run.manifest.provider.jobs.map((j) => j.job_id?.split(":")[0]), [
    alloc,
    alloc,
    alloc,
  ]);
  await Deno.remove(out, { recursive: true });
});

test("a session whose poll() throws mid-point leaves no job of the run, and the run resumes", async () => {
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
    coresPerNode: 4,
    providerSettings: { exclusive: false },
    log: () => {},
  };
  let failure: unknown = null;
  await runSweep({ ...options, provider }).catch((err) => (failure = err));
  assertEquals((failure as Error)?.message, "poll broke");
  const [dir] = [...Deno.readDirSync(out)].map((e) => `${out}/${e.name}`);
  const run = await readRun(dir);
  assertEquals([run.manifest.status, run.manifest.error], ["failed", "poll broke"]);
  await nothingLeft({ runId: run.manifest.run_id, runDir: dir });
  const resumed = await runSweep({ ...options, provider: slurmProvider, resume: dir });
  assertEquals([resumed.status, resumed.recorded, resumed.observations], ["complete", 1, 2]);
  await nothingLeft({ runId: run.manifest.run_id, runDir: dir });
  await Deno.remove(out, { recursive: true });
});
