/**
 * The two kinds of Slurm job a point can be, behind one interface: a batch job (`sbatch`, state
 * from squeue/scontrol, rank 0's output tailed from its file) and a step inside an allocation
 * (`srun --jobid`, state from the srun process, rank 0's output streamed through srun; steps.ts).
 * The session (mod.ts) keeps one per submitted batch and never asks which kind it has.
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
  /** Rank 0's stdout lines as they arrive; ends once the job has ended */
  lines(): AsyncIterable<string>;
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

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Lines appended to a file, until `done()` is true and the file is drained. */
export async function* tail(path: string, done: () => boolean): AsyncGenerator<string> {
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

/**
 * A batch job submitted with sbatch: a point's (rank 0's output tailed from `output`), or the
 * sweep's one allocation (steps.ts).
 */
export class BatchJob implements SlurmJob {
  readonly id: string;
  readonly logFiles: string[];
  nodes: string[] = [];
  ended = false;
  #cancelled: string | null = null;
  #grace: number;
  #hopelessSince: number | null = null;
  #verdict: JobState | null = null;
  #output: string | null;

  constructor(
    id: string,
    options: { logFile: string; graceSeconds: number; output?: string },
  ) {
    this.id = id;
    this.logFiles = [options.logFile];
    this.#grace = options.graceSeconds * 1000;
    this.#output = options.output ?? null;
  }

  lines(): AsyncIterable<string> {
    if (!this.#output) throw new Error(`Job ${this.id} has no rank output`);
    return tail(this.#output, () => this.ended);
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
