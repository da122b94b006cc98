/**
 * The two kinds of Slurm job a point can be, behind one interface: a batch job (`sbatch`, state
 * from squeue/scontrol) and a step inside an allocation (`srun --jobid`, state from the srun
 * process). The session (mod.ts) keeps one per submitted batch and never asks which kind it has.
 *
 * @module
 */
import { tailFile } from "../../core/provider_util.ts";
import type { Collected, JobState } from "../../core/provider.ts";
import type { Batch } from "../../core/types.ts";
import { hostnames, jobState, slurm } from "./commands.ts";

/** One point's job, whatever its kind. */
export interface SlurmJob {
  readonly id: string;
  poll(): Promise<JobState>;
  /** true once a terminal state was seen or the job was cancelled */
  readonly ended: boolean;
  /** Log files whose tails explain a failure, besides the ranks' stderr */
  readonly logFiles: string[];
  readonly nodes: string[];
  cancel(reason: string): Promise<void>;
}

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

/**
 * Slurm reasons (squeue's REASON, "JOB REASON CODES") that mean a pending job can never start as
 * submitted: the request exceeds what the partition, its nodes, the QOS or the association allow,
 * or names something that does not exist.
 */
export const NEVER_STARTS = [
  "BadConstraints",
  "PartitionConfig",
  "PartitionNodeLimit",
  "PartitionTimeLimit",
  "ReqNodeNotAvail",
  "InvalidAccount",
  "InvalidQOS",
  "QOSMaxCpuPerJobLimit",
  "QOSMaxNodePerJobLimit",
  "QOSMaxWallDurationPerJobLimit",
  "QOSMaxMemoryPerJob",
  "AssocMaxCpuPerJobLimit",
  "AssocMaxNodePerJobLimit",
  "AssocMaxWallDurationPerJobLimit",
] as const;

/** The never-start reason in Slurm's reason text (`ReqNodeNotAvail, UnavailableNodes:…`), or null. */
export function neverStarts(reason: string | undefined): string | null {
  const code = (reason ?? "").split(/[\s,(]/)[0];
  return (NEVER_STARTS as readonly string[]).includes(code) ? code : null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A batch job submitted with sbatch. */
export class BatchJob implements SlurmJob {
  readonly id: string;
  readonly logFiles: string[];
  nodes: string[] = [];
  ended = false;
  #cancelled: string | null = null;
  #grace: number;
  #hopelessSince: number | null = null;
  #verdict: JobState | null = null;

  constructor(id: string, options: { batch: Batch; outDir: string; graceSeconds: number }) {
    this.id = id;
    this.logFiles = [`${options.outDir}/${options.batch.id}.job${id}.err`];
    this.#grace = options.graceSeconds * 1000;
  }

  async poll(): Promise<JobState> {
    if (this.#verdict) return this.#state(this.#verdict);
    const js = await jobState(this.id);
    if (js.nodelist && !this.nodes.length && js.state !== "pending") {
      this.nodes = await hostnames(js.nodelist);
    }
    const { nodelist: _, ...state } = js;
    const never = state.state === "pending" ? neverStarts(state.reason) : null;
    if (!never) this.#hopelessSince = null;
    else if (this.#hopelessSince === null) this.#hopelessSince = Date.now();
    else if (Date.now() - this.#hopelessSince >= this.#grace) {
      // Slurm would keep it pending forever: fail it with Slurm's words and take it off the queue
      this.#verdict = {
        state: "failed",
        reason: `Slurm cannot start this job as submitted: ${state.reason} (pending ${
          Math.round((Date.now() - this.#hopelessSince) / 1000)
        } s)`,
      };
      await this.cancel(this.#verdict.reason!);
      return this.#state(this.#verdict);
    }
    if (this.#cancelled && !TERMINAL.has(state.state)) {
      return this.#state({ state: "running", reason: "Cancelling" });
    }
    return this.#state(state);
  }

  #state(state: JobState): JobState {
    if (TERMINAL.has(state.state)) this.ended = true;
    return { ...state, nodes: this.nodes.length ? this.nodes : undefined };
  }

  async cancel(reason: string): Promise<void> {
    this.#cancelled ??= reason;
    await slurm("scancel", [this.id]);
    for (let i = 0; i < 50; i++) {
      if (TERMINAL.has((await jobState(this.id)).state)) break;
      await sleep(100);
    }
    this.ended = true;
  }
}

/** A step inside an allocation: the srun process that runs the point's ranks. */
export class StepJob implements SlurmJob {
  readonly id: string;
  readonly logFiles: string[];
  readonly nodes: string[] = [];
  ended = false;
  #step: Deno.ChildProcess;
  #status: Deno.CommandStatus | null = null;
  #cancelled: string | null = null;

  constructor(
    id: string,
    options: { argv: string[]; env: Record<string, string>; log: string },
  ) {
    this.id = id;
    this.logFiles = [options.log];
    this.#step = new Deno.Command(options.argv[0], {
      args: options.argv.slice(1),
      env: options.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#step.status.then((s) => (this.#status = s));
    Deno.open(options.log, { write: true, create: true, truncate: true }).then((file) =>
      Promise.all([
        this.#step.stdout.pipeTo(file.writable, { preventClose: true }),
        this.#step.stderr.pipeTo(file.writable),
      ])
    ).catch(() => {});
  }

  poll(): Promise<JobState> {
    const s = this.#status;
    const state: JobState = this.#cancelled
      ? { state: "cancelled", reason: this.#cancelled }
      : !s
      ? { state: "running" }
      : s.success
      ? { state: "succeeded" }
      : {
        state: "failed",
        reason: `srun exited with code ${s.code}${s.signal ? ` (${s.signal})` : ""}`,
      };
    if (TERMINAL.has(state.state)) this.ended = true;
    return Promise.resolve(state);
  }

  async cancel(reason: string): Promise<void> {
    this.#cancelled ??= reason;
    const kill = (signal: Deno.Signal) => {
      try {
        this.#step.kill(signal);
      } catch { /* exited */ }
    };
    kill("SIGTERM");
    const t = setTimeout(() => kill("SIGKILL"), 2000);
    await this.#step.status;
    clearTimeout(t);
    this.ended = true;
  }
}

/** Tails of the ranks' stderr and of the job's own log, for a failed point's observations. */
export async function failureTails(
  job: SlurmJob,
  options: { batch: Batch; outDir: string },
): Promise<Collected> {
  const tails: string[] = [];
  for (let r = 0; r < options.batch.point.ranks; r++) {
    const t = await tailFile(`${options.outDir}/${options.batch.id}.rank${r}.err`, 10);
    if (t) tails.push(`rank ${r}: ${t}`);
  }
  for (const f of job.logFiles) {
    const t = await tailFile(f, 5);
    if (t) tails.push(t);
  }
  return {
    stderrTail: tails.join("\n") || undefined,
    nodes: job.nodes.length ? job.nodes : undefined,
  };
}
