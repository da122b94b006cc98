/**
 * The Slurm provider. Each point is a batch job (`sbatch --parsable`) whose `srun` starts the
 * ranks, like dask-bench's jobqueue cluster: ceil(cores / cores-per-node) nodes, exclusive by
 * default, account, partition, QOS, time limit and memory per node. Inside an allocation
 * (`--within-allocation`, SLURM_JOB_ID set) each point is an `srun` step on part of it instead, with
 * no queue wait between points (jobs.ts: the two kinds behind one interface). State comes from
 * squeue/scontrol; a point pending for a reason that means it can never start fails after
 * `--unschedulable-grace` seconds with Slurm's reason; rank 0's output file is tailed for records;
 * `close()` cancels every job of the run.
 *
 * @module
 */
import { ValidationError } from "../../core/errors.ts";
import { ranksPerNode } from "../../core/planner.ts";
import {
  type Collected,
  defineProvider,
  type Emitted,
  type JobHandle,
  type JobState,
  type ProviderContext,
  type ProviderSession,
} from "../../core/provider.ts";
import { makeRankSpec } from "../../core/provider_util.ts";
import { rankTlsEnv } from "../../core/tls.ts";
import type { Batch } from "../../core/types.ts";
import { jobsNamed, parseSbatch, slurm, slurmUnreachable } from "./commands.ts";
import { BatchJob, failureTails, type SlurmJob, StepJob } from "./jobs.ts";
import { batchScript, jobName, shq } from "./script.ts";
import { SLURM_SETTINGS, type SlurmSettings } from "./settings.ts";

type Ctx = ProviderContext<SlurmSettings>;

interface SlurmHandle extends JobHandle {
  job: SlurmJob;
}

function outDirOf(ctx: Ctx): string {
  const dir = ctx.settings.outDir ?? ctx.logsDir;
  return new URL(dir, `file://${Deno.cwd()}/`).pathname.replace(/\/$/, "");
}

function files(batch: Batch, ctx: Ctx) {
  return {
    spec: `${ctx.logsDir}/${batch.id}.spec.json`,
    token: `${ctx.runDir}/.token`,
    rdv: `${ctx.logsDir}/${batch.id}.rdv`,
  };
}

/** srun's arguments for a step of `batch` inside allocation `allocation`. */
export function stepArgs(batch: Batch, ctx: Ctx, allocation: string): string[] {
  const p = batch.point;
  const out = outDirOf(ctx);
  return [
    `--jobid=${allocation}`,
    `--job-name=${jobName(ctx.runId, batch.id)}`,
    "--exact",
    "--kill-on-bad-exit=1",
    `--nodes=${p.nodes}`,
    `--ntasks=${p.ranks}`,
    `--ntasks-per-node=${Math.max(...ranksPerNode(p))}`,
    `--cpus-per-task=${p.threads}`,
    `--output=${out}/${batch.id}.rank%t.out`,
    `--error=${out}/${batch.id}.rank%t.err`,
    ...ctx.rankCommand,
  ];
}

async function ensureToken(path: string, token: string): Promise<void> {
  try {
    if ((await Deno.readTextFile(path)).trim() === token) return;
  } catch { /* not yet */ }
  await Deno.writeTextFile(path, token + "\n", { mode: 0o600 });
  await Deno.chmod(path, 0o600);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Lines appended to a file, until `done()` is true and the file is drained. */
async function* tail(path: string, done: () => boolean): AsyncGenerator<string> {
  let pos = 0, rest = "";
  const decoder = new TextDecoder();
  while (true) {
    const finished = done();
    try {
      using f = await Deno.open(path, { read: true });
      await f.seek(pos, Deno.SeekMode.Start);
      const buf = new Uint8Array(1 << 16);
      for (let n = await f.read(buf); n !== null; n = await f.read(buf)) {
        pos += n;
        const parts = (rest + decoder.decode(buf.subarray(0, n), { stream: true })).split("\n");
        rest = parts.pop()!;
        yield* parts;
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    if (finished) {
      if (rest) yield rest;
      return;
    }
    await sleep(50);
  }
}

/** A run's Slurm session: its jobs, batch jobs or steps. */
class SlurmSession implements ProviderSession<SlurmHandle> {
  #ctx: Ctx;
  #jobs = new Set<SlurmJob>();

  constructor(ctx: Ctx) {
    this.#ctx = ctx;
  }

  emit(batch: Batch): Promise<Emitted> {
    const ctx = this.#ctx;
    const f = files(batch, ctx);
    const spec = makeRankSpec(batch, ctx, { host: "", port: 0, file: f.rdv });
    const specText = JSON.stringify(spec, null, 2) + "\n";
    if (ctx.settings.withinAllocation) {
      const argv = ["srun", ...stepArgs(batch, ctx, ctx.settings.allocation ?? "$SLURM_JOB_ID")];
      return Promise.resolve({
        files: {
          [`${batch.id}.spec.json`]: specText,
          [`${batch.id}.srun`]: argv.map(shq).join(" ") + "\n",
        },
        dryRun: { command: argv },
      });
    }
    const script = batchScript(batch, ctx.settings, {
      runId: ctx.runId,
      specFile: f.spec,
      tokenFile: f.token,
      outDir: outDirOf(ctx),
      rendezvousFile: f.rdv,
      rankCommand: ctx.rankCommand,
      env: ctx.tls ? rankTlsEnv(ctx.tls) : {},
    });
    return Promise.resolve({
      files: { [`${batch.id}.spec.json`]: specText, [`${batch.id}.sbatch`]: script },
      dryRun: { script },
    });
  }

  async submit(batch: Batch): Promise<SlurmHandle> {
    const ctx = this.#ctx;
    const f = files(batch, ctx);
    await ensureToken(f.token, ctx.token);
    const job = ctx.settings.withinAllocation
      ? await this.#startStep(batch, f)
      : await this.#sbatch(batch);
    this.#jobs.add(job);
    return { batch, jobId: job.id, job };
  }

  async #startStep(batch: Batch, f: ReturnType<typeof files>): Promise<SlurmJob> {
    const ctx = this.#ctx;
    const allocation = ctx.settings.allocation!;
    await Deno.remove(f.rdv).catch(() => {});
    const env: Record<string, string> = {
      SCALEBENCH_SPEC_FILE: f.spec,
      SCALEBENCH_TOKEN_FILE: f.token,
    };
    if (ctx.settings.netInterface) env.SCALEBENCH_RDV_INTERFACE = ctx.settings.netInterface;
    if (ctx.tls) Object.assign(env, rankTlsEnv(ctx.tls));
    return new StepJob(`${allocation}:${batch.id}`, {
      argv: ["srun", ...stepArgs(batch, ctx, allocation)],
      env,
      log: `${ctx.logsDir}/${batch.id}.srun.log`,
    });
  }

  async #sbatch(batch: Batch): Promise<SlurmJob> {
    const ctx = this.#ctx;
    const out = await slurm("sbatch", ["--parsable", `${ctx.logsDir}/${batch.id}.sbatch`]);
    const id = out.code === 0 ? parseSbatch(out.stdout) : null;
    if (!id) {
      throw new Error(
        `sbatch: ${(out.stderr || out.stdout).trim().split("\n").pop() ?? `exit ${out.code}`}`,
      );
    }
    return new BatchJob(id, {
      batch,
      outDir: outDirOf(ctx),
      graceSeconds: ctx.settings.unschedulableGrace,
    });
  }

  poll(handle: SlurmHandle): Promise<JobState> {
    return handle.job.poll();
  }

  lines(handle: SlurmHandle): AsyncIterable<string> {
    return tail(`${outDirOf(this.#ctx)}/${handle.batch.id}.rank0.out`, () => handle.job.ended);
  }

  collect(handle: SlurmHandle): Promise<Collected> {
    return failureTails(handle.job, { batch: handle.batch, outDir: outDirOf(this.#ctx) });
  }

  async cancel(handle: SlurmHandle, reason: string): Promise<void> {
    await handle.job.cancel(reason);
  }

  async close(): Promise<void> {
    for (const job of this.#jobs) if (!job.ended) await job.cancel("Cleanup");
    this.#jobs.clear();
    // the backstop: anything named after the run still queued (a submission cut short)
    if (this.#ctx.dryRun) return;
    const ids = await jobsNamed(jobName(this.#ctx.runId, ""));
    if (ids.length) await slurm("scancel", ids);
  }
}

async function check(ctx: Ctx): Promise<void> {
  const why = await slurmUnreachable();
  if (why) throw new ValidationError(`Provider 'slurm' cannot reach Slurm here: ${why}`);
  if (ctx.settings.withinAllocation && !ctx.settings.allocation) {
    throw new ValidationError(
      "Flag --within-allocation needs an allocation: run inside salloc or sbatch (SLURM_JOB_ID), or give --allocation",
    );
  }
  const source = ctx.settings.envToSource;
  if (source) {
    try {
      await Deno.stat(source);
    } catch {
      throw new ValidationError(
        `ENV_TO_SOURCE file '${source}' (--env-to-source) does not exist`,
      );
    }
  }
  if (ctx.settings.outDir) await Deno.mkdir(outDirOf(ctx), { recursive: true });
}

/** The Slurm provider. */
export const slurmProvider = defineProvider({
  name: "slurm",
  summary: "A batch job per point on a Slurm cluster (or srun steps inside an allocation)",
  settings: SLURM_SETTINGS,
  async open(ctx) {
    if (!ctx.dryRun) await check(ctx);
    return new SlurmSession(ctx);
  },
});
