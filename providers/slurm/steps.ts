/**
 * Points as `srun` steps inside an allocation: the sweep's own one allocation (`--one-allocation`,
 * an sbatch job sized for the largest point, {@linkcode Allocation}) or the user's
 * (`--within-allocation`). A {@linkcode StepJob} starts its srun as soon as the allocation runs,
 * streams rank 0's stdout from srun (no file polling, whatever node rank 0 is on), and learns the
 * step's nodes from what `srun -v` says as it launches.
 *
 * @module
 */
import { lineQueue, pumpToFile } from "../../core/provider_util.ts";
import type { JobState } from "../../core/provider.ts";
import { mapState, parseScontrol, slurm } from "./commands.ts";
import { BatchJob, sleep, type SlurmJob } from "./jobs.ts";

/**
 * The sweep's one allocation: a held batch job. `started` resolves once it runs, and rejects with
 * why once it ended, was cancelled or can never start as submitted (after the grace period). While
 * it exists the driver touches `aliveFile` so that the job script knows it is still wanted.
 */
export class Allocation {
  readonly id: string;
  readonly job: BatchJob;
  readonly started: Promise<void>;
  #state: JobState = { state: "pending" };
  #beat: ReturnType<typeof setInterval>;
  #alive: string;
  #closed = false;

  constructor(id: string, options: { logFile: string; graceSeconds: number; aliveFile: string }) {
    this.id = id;
    this.job = new BatchJob(id, options);
    this.#alive = options.aliveFile;
    this.#beat = setInterval(() => {
      const now = new Date();
      Deno.utime(this.#alive, now, now).catch(() => {});
    }, 5000);
    Deno.unrefTimer(this.#beat);
    this.started = this.#watch();
    this.started.catch(() => {}); // a step that waits on it reports the rejection
  }

  /** The allocation's state as last seen (pending with Slurm's reason while it waits). */
  get state(): JobState {
    return this.#state;
  }

  /** Poll Slurm until the allocation runs or ends: often at first, then every second at most. */
  async #watch(): Promise<void> {
    const t0 = Date.now();
    while (!this.#closed) {
      this.#state = await this.job.poll();
      if (this.#state.state === "running") return;
      if (this.job.ended) break;
      await sleep(Date.now() - t0 < 5000 ? 100 : 1000);
    }
    throw new Error(
      `The run's allocation (job ${this.id}) ${this.#closed ? "was cancelled" : this.#state.state}${
        this.#state.reason ? `: ${this.#state.reason}` : ""
      }`,
    );
  }

  /** Cancel the job (idempotent) and stop touching the alive file. */
  async cancel(reason: string): Promise<void> {
    this.#closed = true;
    clearInterval(this.#beat);
    await this.job.cancel(reason);
    await Deno.remove(this.#alive).catch(() => {});
  }
}

/** A step inside an allocation: the srun process that runs the point's ranks. */
export class StepJob implements SlurmJob {
  readonly id: string;
  readonly logFiles: string[];
  nodes: string[] = [];
  ended = false;
  #options: StepJobOptions;
  #step: Deno.ChildProcess | null = null;
  #status: Deno.CommandStatus | null = null;
  #refused: string | null = null;
  #cancelled: string | null = null;
  #queue = lineQueue();
  #output: Promise<void> = Promise.resolve();
  #failure: string | null = null;

  constructor(id: string, options: StepJobOptions) {
    this.id = id;
    this.logFiles = [options.log];
    this.#options = options;
    const gate = options.allocation?.started ?? Promise.resolve();
    gate.then(() => this.#start(), (err: Error) => {
      this.#refused = err.message;
      this.#queue.end();
    });
  }

  #start(): void {
    if (this.#cancelled) return;
    const { argv, env, log, output } = this.#options;
    const step = this.#step = new Deno.Command(argv[0], {
      args: argv.slice(1),
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    step.status.then((s) => (this.#status = s));
    // rank 0's stdout: kept in its file as the other ranks' are, and handed over line by line
    this.#output = pumpToFile(step.stdout, output, (line) => this.#queue.push(line))
      .catch(() => {}).finally(() => this.#queue.end());
    // srun -v: "launching StepId=12.3 on host node1, 2 tasks: [0-1]", one line per node
    pumpToFile(step.stderr, log, (line) => {
      const host = /\blaunching StepId=\S+ on host (\S+?),/.exec(line)?.[1];
      if (host && !this.nodes.includes(host)) this.nodes.push(host);
    }).catch(() => {});
  }

  lines(): AsyncIterable<string> {
    return this.#queue;
  }

  async poll(): Promise<JobState> {
    const s = this.#status;
    let state: JobState;
    if (this.#cancelled) state = { state: "cancelled", reason: this.#cancelled };
    else if (this.#refused) state = { state: "failed", reason: this.#refused };
    else if (!this.#step) {
      const a = this.#options.allocation?.state;
      state = { state: "pending", reason: a?.reason ?? "Waiting for the allocation" };
    } else if (!s) state = { state: "running" };
    else if (s.success) state = { state: "succeeded" };
    else {
      this.#failure ??= `srun exited with code ${s.code}${
        s.signal ? ` (${s.signal})` : ""
      }${await this
        .#allocationGone(s.code > 128 || s.signal !== null)}`;
      state = { state: "failed", reason: this.#failure };
    }
    if (state.state !== "running" && state.state !== "pending") {
      await this.#output; // rank 0's output is drained before anyone hears it ended
      this.ended = true;
    }
    return { ...state, nodes: this.nodes.length ? this.nodes : undefined };
  }

  /**
   * Why the allocation is no more (a time limit, a cancel), when a failed step is because of it:
   * scontrol's state (CANCELLED while squeue still says COMPLETING). A step killed by a signal may
   * end just before its allocation does: that state is asked for a second.
   */
  async #allocationGone(signalled: boolean): Promise<string> {
    const a = this.#options.allocation;
    if (!a) return "";
    for (let i = 0; i < (signalled ? 10 : 1); i++) {
      if (i) await sleep(100);
      const out = await slurm("scontrol", ["show", "job", "-o", a.id]);
      const f = out.code === 0 ? parseScontrol(out.stdout.split("\n")[0]) : {};
      const state = f.JobState
        ? mapState(f.JobState, f.Reason ?? "", f.ExitCode)
        : await a.job.poll();
      if (state.state !== "running" && state.state !== "pending") {
        return `; the run's allocation (job ${a.id}) ${state.state}${
          state.reason ? `: ${state.reason}` : ""
        }`;
      }
    }
    return "";
  }

  async cancel(reason: string): Promise<void> {
    this.#cancelled ??= reason;
    const step = this.#step;
    if (step) {
      const kill = (signal: Deno.Signal) => {
        try {
          step.kill(signal);
        } catch { /* exited */ }
      };
      // srun forwards SIGTERM to every task of the step and exits once they are gone
      kill("SIGTERM");
      const t = setTimeout(() => kill("SIGKILL"), 2000);
      await step.status;
      clearTimeout(t);
      await this.#output;
    }
    this.#queue.end();
    this.ended = true;
  }
}

/** What a step job is started with. */
export interface StepJobOptions {
  /** srun and its arguments (script.ts stepArgv) */
  argv: string[];
  env: Record<string, string>;
  /** srun's own messages (with -v: where it launched the tasks) */
  log: string;
  /** Where rank 0's stdout is kept */
  output: string;
  /** The sweep's own allocation, which the step waits for; absent: the user's, running already */
  allocation?: Allocation;
}
