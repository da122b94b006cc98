/**
 * The provider conformance suite: the definition of "a provider" (docs/architecture.md). The same
 * end-to-end tests for every provider, built-in or plugin: a provider's test file calls
 * {@linkcode providerConformance} once with its provider, settings and a way to check that a run
 * left nothing behind (processes, jobs, pods). Exported as `scalebench/testing`.
 *
 * @module
 */
import { assert, assertEquals, assertStringIncludes } from "../core/_assert.ts";
import type { Provider } from "../core/provider.ts";
import { readRun } from "../core/results.ts";
import { type RunOptions, runSweep, sourceRankCommand } from "../core/run.ts";
import { planSweep } from "../core/planner.ts";
import { completeSettings } from "../core/settings.ts";
import { validateParams } from "../core/workload.ts";
import { builtinWorkloads } from "../workloads/mod.ts";
import { type Need, needs } from "./_needs.ts";

/** What the suite needs to know about a provider. */
export interface ConformanceTarget {
  provider: Provider;
  /** The provider's settings for these runs (the rest take their defaults) */
  settings?: Record<string, string | number | boolean | string[] | null>;
  /** A reason the suite is not wanted here (an opt-in suite not asked for), or null */
  skip?: string | null;
  /** What the suite needs from the machine (e.g. a Slurm cluster): ignored or, in CI, failed without */
  needs?: Need[];
  /** Extra run options (poll interval, cores per node, rank command…) */
  runOptions?: Partial<RunOptions>;
  /** Throws when anything of run `runId` (in `runDir`) is still alive */
  assertNothingLeft(run: { runId: string; runDir: string }): Promise<void>;
  /** Seconds a point may take to start; cancel and timeout tests wait up to this (default 30) */
  startSeconds?: number;
}

/** Pids of this machine's rank processes of the run in `runDir` (their spec file is in its logs/). */
export async function rankProcesses(runDir: string): Promise<number[]> {
  const logs = `${new URL(runDir, `file://${Deno.cwd()}/`).pathname.replace(/\/$/, "")}/logs/`;
  const pids: number[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      if (
        (await Deno.readTextFile(`/proc/${e.name}/environ`)).includes(
          `SCALEBENCH_SPEC_FILE=${logs}`,
        )
      ) {
        pids.push(Number(e.name));
      }
    } catch { /* gone, or not ours to read */ }
  }
  return pids;
}

/** Pids of this machine's processes whose environment has `entry` (`NAME=value`). */
export async function processesWith(entry: string): Promise<number[]> {
  const pids: number[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const env = (await Deno.readTextFile(`/proc/${e.name}/environ`)).split("\0");
      if (env.includes(entry)) pids.push(Number(e.name));
    } catch { /* gone, or not ours to read */ }
  }
  return pids;
}

/** Wait up to `seconds` for the run's rank processes to be gone; throws naming those left. */
export async function assertNoRanksLeft(runDir: string, seconds = 5): Promise<void> {
  for (let i = 0; i < seconds * 10; i++) {
    if (!(await rankProcesses(runDir)).length) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Rank processes left running: ${(await rankProcesses(runDir)).join(", ")}`);
}

/** The fixture workload that crashes, fails checks or hangs on demand. */
export const FAULTY: string = new URL("./testdata/workloads/faulty.ts", import.meta.url).href;

/** A program in POSIX sh that writes records (or fails, or writes garbage) on demand. */
export const RECORDS_PROGRAM: string =
  new URL("./testdata/programs/records.sh", import.meta.url).pathname;

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "scalebench-conf-" });
}

function options(
  target: ConformanceTarget,
  output: string,
  extra: Partial<RunOptions>,
): RunOptions {
  return {
    provider: target.provider,
    workloads: builtinWorkloads,
    providerSettings: target.settings,
    output,
    pollInterval: 0.5,
    monitorInterval: 0.2,
    rendezvousTimeout: 60,
    log: () => {},
    ...target.runOptions,
    ...extra,
  };
}

/**
 * Assert a sweep's `[status, observations, failed]` (or `[status, observations]`); when they
 * differ, the message carries the errors of the run's failed observations, so a failure in CI
 * says why.
 */
export async function assertOutcome(
  r: { status: string; observations: number; failed: number; runDir: string },
  expected: [string, number, number] | [string, number],
): Promise<void> {
  const actual = [r.status, r.observations, r.failed].slice(0, expected.length);
  if (JSON.stringify(actual) === JSON.stringify(expected)) return;
  let errors = "";
  try {
    const run = await readRun(r.runDir);
    errors = run.observations.filter((o) => !o.ok).map((o) =>
      `\n  ${o.cores} cores, rep ${o.rep}, ${o.op}: ${o.error}`
    ).join("");
  } catch (err) {
    errors = `\n  (the run could not be read: ${(err as Error).message})`;
  }
  assertEquals(actual, expected as unknown[], `The sweep's outcome differs${errors}`);
}

/** Register the conformance tests for `target`. */
export function providerConformance(target: ConformanceTarget): void {
  const name = target.provider.name;
  if (target.skip) console.log(`Skipping the ${name} provider conformance suite: ${target.skip}`);
  const test = (title: string, fn: () => Promise<void>) =>
    Deno.test(needs(target.needs ?? [], {
      name: `${name} provider conformance: ${title}${
        target.skip ? ` [ignored: ${target.skip}]` : ""
      }`,
      ignore: Boolean(target.skip),
      sanitizeOps: false,
      sanitizeResources: false,
      fn,
    }));

  test("a sweep records every observation with its makespan, nodes and monitor samples", async () => {
    const out = await tempDir();
    const r = await runSweep(options(target, out, {
      workload: "amdahl",
      params: { s: 0.2, work: 40 },
      cores: [1, 2],
      layout: "ranks",
      reps: 2,
      warmup: 1,
    }));
    await assertOutcome(r, ["complete", 6, 0]);
    const run = await readRun(r.runDir);
    for (const o of run.observations) {
      assertEquals(o.rank_seconds.length, o.ranks);
      assertEquals(o.seconds, Math.max(...o.rank_seconds));
      assert(o.ok && o.error === null, `observation not ok: ${o.error}`);
      assertEquals(o.unit, "Miter/s");
      assert(o.peak_rss_bytes! > 0, "peak RSS recorded");
    }
    assertEquals(run.observations.filter((o) => o.warmup).map((o) => o.cores), [1, 2]);
    const ranksSampled = new Set(run.monitor.filter((s) => s.cores === 2).map((s) => s.rank));
    assertEquals([...ranksSampled].sort(), [0, 1]);
    assertEquals(run.manifest.provider.name, name);
    assertEquals(run.manifest.provider.jobs.map((j) => [j.cores, j.state]), [[1, "succeeded"], [
      2,
      "succeeded",
    ]]);
    for (const j of run.manifest.provider.jobs) {
      assert(j.job_id, "job id recorded");
      assert(j.nodes.length >= 1, "node list recorded");
    }
    await target.assertNothingLeft(r);
    await Deno.remove(out, { recursive: true });
  });

  test("a rank that dies fails its point's observations with its stderr, and the sweep goes on", async () => {
    const out = await tempDir();
    const r = await runSweep(options(target, out, {
      workload: FAULTY,
      params: { fault: "crash", at_cores: 2, rank: 1 },
      cores: [1, 2],
      layout: "ranks",
      reps: 2,
    }));
    await assertOutcome(r, ["failed", 4, 2]);
    const run = await readRun(r.runDir);
    const failed = run.observations.filter((o) => !o.ok);
    assertEquals(failed.map((o) => [o.cores, o.rep]), [[2, 0], [2, 1]]);
    for (const o of failed) {
      assertEquals(o.seconds, null);
      assertStringIncludes(o.error ?? "", "crash on purpose");
    }
    assertEquals(run.observations.filter((o) => o.ok).map((o) => o.cores), [1, 1]);
    await target.assertNothingLeft(r);
    await Deno.remove(out, { recursive: true });
  });

  test("a failed check marks only its observation and the run as failed", async () => {
    const out = await tempDir();
    const r = await runSweep(options(target, out, {
      workload: FAULTY,
      params: { fault: "check", rank: 1, at_rep: 1 },
      cores: [2],
      layout: "ranks",
      reps: 3,
    }));
    await assertOutcome(r, ["failed", 3, 1]);
    const run = await readRun(r.runDir);
    const bad = run.observations.filter((o) => !o.ok);
    assertEquals(bad.map((o) => [o.rep, o.error]), [[1, "rank 1: wrong on purpose"]]);
    assert(bad[0].seconds! > 0, "a failed check still has its time");
    await target.assertNothingLeft(r);
    await Deno.remove(out, { recursive: true });
  });

  test("cancelling a running point stops every rank and leaves the run resumable", async () => {
    const out = await tempDir();
    const controller = new AbortController();
    const started = Date.now();
    let cancelledAt = 0;
    const r = await runSweep(options(target, out, {
      workload: FAULTY,
      params: { fault: "hang", rank: 1 },
      cores: [2],
      layout: "ranks",
      reps: 1,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "ready") {
          setTimeout(() => {
            cancelledAt = Date.now();
            controller.abort();
          }, 500);
        }
      },
    }));
    assert(cancelledAt > 0, `the point never started (${(Date.now() - started) / 1000} s)`);
    await assertOutcome(r, ["interrupted", 0]);
    assert(Date.now() - cancelledAt < 5000, `cancel took ${(Date.now() - cancelledAt) / 1000} s`);
    await target.assertNothingLeft(r);
    const run = await readRun(r.runDir);
    assertEquals(run.manifest.status, "interrupted");
    await Deno.remove(out, { recursive: true });
  });

  test("a repetition that outlives --timeout fails its point and the sweep goes on", async () => {
    const out = await tempDir();
    const r = await runSweep(options(target, out, {
      workload: FAULTY,
      params: { fault: "hang", at_cores: 1, rank: 0 },
      cores: [1, 2],
      layout: "ranks",
      reps: 1,
      timeout: Math.max(3, target.startSeconds ?? 0),
    }));
    await assertOutcome(r, ["failed", 2, 1]);
    const run = await readRun(r.runDir);
    const bad = run.observations.find((o) => !o.ok)!;
    assertEquals(bad.cores, 1);
    assertStringIncludes(bad.error ?? "", "No progress for");
    assertEquals(run.observations.find((o) => o.cores === 2)?.ok, true);
    await target.assertNothingLeft(r);
    await Deno.remove(out, { recursive: true });
  });

  test("a program's records from 2 ranks: each op takes the slowest rank's seconds, exactly", async () => {
    const out = await tempDir();
    const r = await runSweep(options(target, out, {
      exec: `sh ${RECORDS_PROGRAM}`,
      // rank 1 ends 0.3 s after rank 0, its records half written until then
      params: { lag: 0.3 },
      cores: [1, 2],
      layout: "ranks",
      reps: 2,
    }));
    await assertOutcome(r, ["complete", 8, 0]);
    const run = await readRun(r.runDir);
    assertEquals(run.manifest.workload.name, "records.sh");
    assertEquals(run.manifest.workload.operations, ["compute", "io"]);
    const at2 = run.observations.filter((o) => o.cores === 2);
    assertEquals(
      at2.map((o) => [o.op, o.rep, o.seconds, o.rank_seconds, o.unit, o.rate]),
      [
        ["compute", 0, 0.2, [0.1, 0.2], "MB/s", 100],
        ["io", 0, 0.05, [0.05, 0.05], null, null],
        ["compute", 1, 0.2, [0.1, 0.2], "MB/s", 100],
        ["io", 1, 0.05, [0.05, 0.05], null, null],
      ],
    );
    assertEquals(run.observations.filter((o) => o.cores === 1).map((o) => o.seconds), [
      0.1,
      0.05,
      0.1,
      0.05,
    ]);
    // every rank's process tree (rank and program) is monitored while the program runs
    const sampled = run.monitor.filter((s) => s.cores === 2 && s.phase === "op:exec");
    assertEquals([...new Set(sampled.map((s) => s.rank))].sort(), [0, 1]);
    assert(sampled.every((s) => s.rss_bytes > 0), "memory sampled");
    await target.assertNothingLeft(r);
    await Deno.remove(out, { recursive: true });
  });

  test("a program that writes no records is timed around its process (op exec)", async () => {
    const out = await tempDir();
    const r = await runSweep(options(target, out, {
      exec: "sleep 0.3",
      cores: [2],
      layout: "ranks",
      reps: 2,
    }));
    await assertOutcome(r, ["complete", 2, 0]);
    const run = await readRun(r.runDir);
    for (const o of run.observations) {
      assertEquals([o.op, o.rank_seconds.length], ["exec", 2]);
      // 0.3 s of sleep plus starting a process: a generous bound, not a timing goal
      assert(o.seconds! >= 0.3 && o.seconds! < 3, `exec took ${o.seconds} s`);
    }
    await target.assertNothingLeft(r);
    await Deno.remove(out, { recursive: true });
  });

  test("a program that fails on one rank fails its observations with its stderr; the sweep goes on", async () => {
    const out = await tempDir();
    const r = await runSweep(options(target, out, {
      exec: `sh ${RECORDS_PROGRAM}`,
      params: { mode: "fail", rank: 1 },
      cores: [1, 2],
      layout: "ranks",
      reps: 1,
    }));
    await assertOutcome(r, ["failed", 4, 2]);
    const run = await readRun(r.runDir);
    for (const o of run.observations.filter((o) => o.cores === 2)) {
      assertEquals(o.ok, false);
      assertStringIncludes(o.error ?? "", "rank 1: the program exited with code 3");
      assertStringIncludes(o.error ?? "", "rank 1 gives up on purpose");
    }
    assertEquals(run.observations.filter((o) => o.cores === 1).every((o) => o.ok), true);
    await target.assertNothingLeft(r);
    await Deno.remove(out, { recursive: true });
  });

  test("cancelling a point running a program stops it with everything it started, recording nothing", async () => {
    const out = await tempDir();
    const tag = crypto.randomUUID();
    const controller = new AbortController();
    let cancelledAt = 0;
    const r = await runSweep(options(target, out, {
      exec: `sh ${RECORDS_PROGRAM}`,
      params: { mode: "hang", tag },
      cores: [2],
      layout: "ranks",
      reps: 1,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "ready") {
          setTimeout(() => {
            cancelledAt = Date.now();
            controller.abort();
          }, 1000);
        }
      },
    }));
    assert(cancelledAt > 0, "the point never started");
    await assertOutcome(r, ["interrupted", 0]);
    await target.assertNothingLeft(r);
    // the program's processes carry its parameter in their environment
    let left: number[] = [];
    for (let i = 0; i < 50; i++) {
      left = await processesWith(`SCALEBENCH_PARAM_TAG=${tag}`);
      if (!left.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assertEquals(left, [], "the program's processes are gone");
    await Deno.remove(out, { recursive: true });
  });

  test("close() stops a job still running, and a dry run's session starts nothing", async () => {
    const out = await tempDir();
    const { session, ctx, batch } = await openSession(target, out, {
      params: { fault: "hang", rank: 0 },
    });
    try {
      const emitted = await session.emit(batch);
      for (const [file, text] of Object.entries(emitted.files)) {
        await Deno.writeTextFile(`${ctx.logsDir}/${file}`, text);
      }
      const handle = await session.submit(batch, emitted);
      assert(handle.jobId, "a job id");
      const deadline = Date.now() + (target.startSeconds ?? 30) * 1000;
      while ((await session.poll(handle)).state === "pending" && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await session.close();
    }
    await session.close(); // twice is fine
    await target.assertNothingLeft(ctx);
    const dry = await openSession(target, out, { params: {}, dryRun: true });
    assert((await dry.session.emit(dry.batch)).dryRun !== undefined, "emit() describes the job");
    await dry.session.close();
    await target.assertNothingLeft(dry.ctx);
    await Deno.remove(out, { recursive: true });
  });
}

/** A session of `target` for one batch of the faulty workload at 2 cores (2 ranks). */
async function openSession(
  target: ConformanceTarget,
  out: string,
  options: { params: Record<string, string | number | boolean>; dryRun?: boolean },
) {
  const def = (await builtinWorkloads.load(FAULTY)).definition;
  const plan = planSweep(def, {
    workloadRef: FAULTY,
    provider: target.provider.name,
    cores: [2],
    layout: "ranks",
    coresPerNode: target.runOptions?.coresPerNode ?? 2,
    reps: 1,
    warmup: 0,
    order: "sequential",
    seed: 1,
    params: validateParams(def, options.params),
  });
  const runId = `conf-${crypto.randomUUID().slice(0, 8)}`;
  const runDir = `${out}/${runId}`;
  await Deno.mkdir(`${runDir}/logs`, { recursive: true });
  const ctx = {
    runId,
    runDir,
    logsDir: `${runDir}/logs`,
    plan,
    settings: completeSettings(target.provider.settings, target.settings ?? {}),
    rankCommand: target.runOptions?.rankCommand ?? sourceRankCommand(),
    token: crypto.randomUUID(),
    seed: 1,
    monitorInterval: 0,
    rendezvousTimeout: 60,
    timeout: 0,
    verbose: false,
    dryRun: Boolean(options.dryRun),
    log: () => {},
  };
  const session = await target.provider.open(ctx);
  return { session, ctx, batch: plan.batches[0] };
}
