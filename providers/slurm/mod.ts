/**
 * The Slurm provider. Each point is a batch job (`sbatch --parsable`) whose `srun` starts the
 * ranks, like dask-bench's jobqueue cluster: ceil(cores / cores-per-node) nodes, exclusive by
 * default, account, partition, QOS, time limit and memory per node. With `--one-allocation` the
 * whole sweep runs in one job sized for its largest point, and every point is an `srun` step in it:
 * the queue is waited once. Inside the user's allocation (`--within-allocation`, SLURM_JOB_ID set)
 * each point is a step of that one (steps.ts). State comes from squeue/scontrol (a step's from its
 * srun); a job pending for a reason that means it can never start fails after
 * `--unschedulable-grace` seconds with Slurm's reason; rank 0's output is tailed from its file (a
 * step's streams through srun); `close()` cancels every job of the run. Ranks start from a module
 * graph installed once per run (prepare.ts).
 *
 * @module
 */
import { errorMessage, ValidationError } from "../../core/errors.ts";
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
import { BatchJob, failureTails, type SlurmJob } from "./jobs.ts";
import { prepareRankCommand } from "./prepare.ts";
import { allocationScript, batchScript, jobName, shq, stepArgv } from "./script.ts";
import { SLURM_SETTINGS, type SlurmSettings } from "./settings.ts";
import { Allocation, StepJob } from "./steps.ts";

type Ctx = ProviderContext<SlurmSettings>;

interface SlurmHandle extends JobHandle {
  job: SlurmJob;
}

function outDirOf(ctx: Ctx): string {
  const dir = ctx.settings.outDir ?? ctx.logsDir;
  return new URL(dir, `file://${Deno.cwd()}/`).pathname.replace(/\/$/, "");
}

/** The file the driver touches while it runs, so the sweep's allocation knows it is wanted. */
function aliveFileOf(ctx: Ctx): string {
  return `${outDirOf(ctx)}/allocation.alive`;
}

function files(batch: Batch, ctx: Ctx) {
  return {
    spec: `${ctx.logsDir}/${batch.id}.spec.json`,
    token: `${ctx.runDir}/.token`,
    rdv: `${ctx.logsDir}/${batch.id}.rdv`,
  };
}

/** The file name of the sweep's allocation script under logs/ (`--one-allocation`). */
export const ALLOCATION_SCRIPT = "allocation.sbatch";

async function ensureToken(path: string, token: string): Promise<void> {
  try {
    if ((await Deno.readTextFile(path)).trim() === token) return;
  } catch { /* not yet */ }
  await Deno.writeTextFile(path, token + "\n", { mode: 0o600 });
  await Deno.chmod(path, 0o600);
}

/** sbatch a script; its job id, or an error with sbatch's last line. */
async function sbatch(script: string): Promise<string> {
  const out = await slurm("sbatch", ["--parsable", script]);
  const id = out.code === 0 ? parseSbatch(out.stdout) : null;
  if (!id) {
    const last = (out.stderr || out.stdout).trim().split("\n").pop() || `exit ${out.code}`;
    throw new Error(last.startsWith("sbatch:") ? last : `sbatch: ${last}`);
  }
  return id;
}

/** A run's Slurm session: its jobs (batch jobs or steps); with --one-allocation, its allocation. */
class SlurmSession implements ProviderSession<SlurmHandle> {
  #ctx: Ctx;
  #jobs = new Set<SlurmJob>();
  /** The rank command: prepared once (prepare.ts); the context's in a dry run */
  #rankCommand: string[];
  #allocation: Allocation | null = null;
  #allocationEmitted = false;
  /** The sweep's allocation script (--one-allocation): the same for every point, built once */
  #allocationText: string | null = null;

  constructor(ctx: Ctx, rankCommand: string[]) {
    this.#ctx = ctx;
    this.#rankCommand = rankCommand;
  }

  /** The steps' allocation: the user's, the sweep's own, or none (a batch job per point). */
  #stepsIn(): string | null {
    const s = this.#ctx.settings;
    if (s.withinAllocation) return s.allocation ?? "$SLURM_JOB_ID";
    if (s.oneAllocation) return this.#allocation?.id ?? "$SLURM_JOB_ID";
    return null;
  }

  emit(batch: Batch): Promise<Emitted> {
    const ctx = this.#ctx;
    const f = files(batch, ctx);
    const spec = makeRankSpec(batch, ctx, { host: "", port: 0, file: f.rdv });
    const specText = JSON.stringify(spec, null, 2) + "\n";
    const allocation = this.#stepsIn();
    if (allocation !== null) {
      const argv = stepArgv(batch, {
        allocation,
        runId: ctx.runId,
        outDir: outDirOf(ctx),
        rankCommand: this.#rankCommand,
        envToSource: ctx.settings.envToSource,
      });
      const emitted: Emitted = {
        files: {
          [`${batch.id}.spec.json`]: specText,
          [`${batch.id}.srun`]: argv.map(shq).join(" ") + "\n",
        },
        dryRun: { command: argv },
      };
      if (ctx.settings.oneAllocation) {
        // every point lists the allocation's script among its files, as a batch job its own
        const script = this.#allocationScript();
        emitted.files[ALLOCATION_SCRIPT] = script;
        if (!this.#allocationEmitted) emitted.dryRun = { allocation: script, command: argv };
        this.#allocationEmitted = true;
      }
      return Promise.resolve(emitted);
    }
    const script = batchScript(batch, ctx.settings, {
      runId: ctx.runId,
      specFile: f.spec,
      tokenFile: f.token,
      outDir: outDirOf(ctx),
      rendezvousFile: f.rdv,
      rankCommand: this.#rankCommand,
      env: ctx.tls ? rankTlsEnv(ctx.tls) : {},
    });
    return Promise.resolve({
      files: { [`${batch.id}.spec.json`]: specText, [`${batch.id}.sbatch`]: script },
      dryRun: { script },
    });
  }

  /** Start ranks from their module graph installed once (prepare.ts). */
  async prepare(): Promise<void> {
    const ctx = this.#ctx;
    const prepared = await prepareRankCommand(ctx.rankCommand, { workload: ctx.plan.workload_ref });
    if (prepared.reason && ctx.verbose) {
      ctx.log(`Ranks resolve their modules as they start (${prepared.reason})`);
    }
    this.#rankCommand = prepared.argv;
  }

  #allocationScript(): string {
    const ctx = this.#ctx;
    return this.#allocationText ??= allocationScript(ctx.plan.points, ctx.settings, {
      runId: ctx.runId,
      outDir: outDirOf(ctx),
      aliveFile: aliveFileOf(ctx),
    });
  }

  async submit(batch: Batch): Promise<SlurmHandle> {
    const ctx = this.#ctx;
    const f = files(batch, ctx);
    await ensureToken(f.token, ctx.token);
    const job = this.#stepsIn() !== null
      ? await this.#startStep(batch, f)
      : await this.#sbatch(batch);
    this.#jobs.add(job);
    return { batch, jobId: job.id, job };
  }

  /**
   * Submit the sweep's allocation (open() does, so the queue is waited while the first point is
   * prepared). Slurm refusing it is the user's to fix (account, partition, size): nothing ran.
   */
  async submitAllocation(): Promise<void> {
    const ctx = this.#ctx;
    const out = outDirOf(ctx);
    const aliveFile = aliveFileOf(ctx);
    const script = `${ctx.logsDir}/${ALLOCATION_SCRIPT}`;
    await Deno.writeTextFile(aliveFile, `${ctx.runId}\n`);
    await Deno.writeTextFile(script, this.#allocationScript());
    let id: string;
    try {
      id = await sbatch(script);
    } catch (err) {
      await Deno.remove(aliveFile).catch(() => {});
      throw new ValidationError(
        `Slurm refused the sweep's allocation (--one-allocation, ${script}): ${errorMessage(err)}`,
      );
    }
    this.#allocation = new Allocation(id, {
      logFile: `${out}/allocation.job${id}.err`,
      graceSeconds: ctx.settings.unschedulableGrace,
      aliveFile,
    });
    if (ctx.verbose) ctx.log(`Slurm allocation ${id} submitted for the whole sweep`);
  }

  async #startStep(batch: Batch, f: ReturnType<typeof files>): Promise<SlurmJob> {
    const ctx = this.#ctx;
    const own = this.#allocation ?? undefined;
    const allocation = own?.id ?? ctx.settings.allocation!;
    await Deno.remove(f.rdv).catch(() => {});
    const env: Record<string, string> = {
      SCALEBENCH_SPEC_FILE: f.spec,
      SCALEBENCH_TOKEN_FILE: f.token,
    };
    if (ctx.settings.netInterface) env.SCALEBENCH_RDV_INTERFACE = ctx.settings.netInterface;
    if (ctx.tls) Object.assign(env, rankTlsEnv(ctx.tls));
    const out = outDirOf(ctx);
    return new StepJob(`${allocation}:${batch.id}`, {
      argv: stepArgv(batch, {
        allocation,
        runId: ctx.runId,
        outDir: out,
        rankCommand: this.#rankCommand,
        envToSource: ctx.settings.envToSource,
      }),
      env,
      log: `${ctx.logsDir}/${batch.id}.srun.log`,
      output: `${out}/${batch.id}.rank0.out`,
      allocation: own,
    });
  }

  async #sbatch(batch: Batch): Promise<SlurmJob> {
    const ctx = this.#ctx;
    const id = await sbatch(`${ctx.logsDir}/${batch.id}.sbatch`);
    const out = outDirOf(ctx);
    return new BatchJob(id, {
      logFile: `${out}/${batch.id}.job${id}.err`,
      output: `${out}/${batch.id}.rank0.out`,
      graceSeconds: ctx.settings.unschedulableGrace,
    });
  }

  poll(handle: SlurmHandle): Promise<JobState> {
    return handle.job.poll();
  }

  lines(handle: SlurmHandle): AsyncIterable<string> {
    return handle.job.lines();
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
    await this.#allocation?.cancel("The sweep ended");
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
  summary:
    "A batch job per point on a Slurm cluster, or the whole sweep in one allocation (srun steps)",
  settings: SLURM_SETTINGS,
  async open(ctx) {
    if (ctx.settings.oneAllocation && ctx.settings.withinAllocation) {
      throw new ValidationError(
        "Flags --one-allocation and --within-allocation exclude each other: the first submits an allocation for the sweep, the second runs in yours",
      );
    }
    if (ctx.dryRun) return new SlurmSession(ctx, ctx.rankCommand);
    await check(ctx);
    const session = new SlurmSession(ctx, ctx.rankCommand);
    // the allocation waits in the queue while the ranks' module graph is installed
    if (ctx.settings.oneAllocation) await session.submitAllocation();
    try {
      await session.prepare();
    } catch (err) {
      await session.close();
      throw err;
    }
    return session;
  },
});
