/**
 * The provider interface, modelled on ReFrame's scheduler backends: a provider turns a batch (some
 * tasks of one scale point) into a job (emit), starts it (submit), reports its state (poll),
 * streams rank 0's output lines while it runs (lines), gathers logs when it ends (collect) and
 * stops it (cancel). The sweep driver (core/sweep.ts) owns everything else: timeouts, records,
 * retries of nothing, and marking unrun tasks as failed.
 *
 * @module
 */
import type { Batch, Json, Plan } from "../core/types.ts";

/** A provider setting, with the flag and the environment keys (first wins) that set it. */
export interface SettingSpec {
  /** Key in the provider's settings record, camelCase. */
  key: string;
  /** Commander flag, e.g. `--account <name>` or `--exclusive` */
  flag: string;
  /** Environment / .env keys, most specific first, e.g. `["SCALEBENCH_SLURM_ACCOUNT", "ACCOUNT"]` */
  env: readonly string[];
  type: "string" | "int" | "float" | "bool" | "list";
  default: string | number | boolean | string[] | null;
  help: string;
  /** Never recorded in the manifest nor printed */
  secret?: boolean;
  /** Return a message to reject a value; it is prefixed with the flag/key that set it. */
  validate?(value: unknown): string | undefined;
}

/** A resolved settings record: every SettingSpec key present. */
export type Settings = Record<string, string | number | boolean | string[] | null>;

/** What a provider needs to know about the run. */
export interface ProviderContext {
  runId: string;
  /** Absolute path of the run directory, and of its logs/ */
  runDir: string;
  logsDir: string;
  plan: Plan;
  settings: Settings;
  /** argv that starts a rank process here: e.g. `[deno, run, -A, …/cli/main.ts, rank]` */
  rankCommand: string[];
  /** Rendezvous token of the run (secret: never write it to a file others can read) */
  token: string;
  seed: number;
  monitorInterval: number;
  /** Seconds ranks wait for each other at the rendezvous */
  rendezvousTimeout: number;
  /** Seconds a point may take to start, or one repetition to end (0: no limit); the driver enforces it */
  timeout: number;
  verbose: boolean;
  /** A line for the user (stderr, progress-bar aware) */
  log(message: string): void;
}

/** What a provider would submit for a batch. */
export interface Emitted {
  /** Files saved under logs/ before submission (job script, manifests, spec), name → content */
  files: Record<string, string>;
  /** What `--dry-run --json` shows for this batch (script text, manifests…) */
  dryRun: Json;
}

/** A submitted job. Providers may extend it. */
export interface JobHandle {
  batch: Batch;
  /** Scheduler's id (Slurm job id, Kubernetes Job name, local pid of rank 0) */
  jobId: string;
}

/** A job's state as the scheduler sees it. */
export interface JobState {
  state: "pending" | "running" | "succeeded" | "failed" | "cancelled";
  /** Scheduler's reason (Slurm's Reason, a pod's waiting reason, an exit code) */
  reason?: string;
  /** Host names the job runs on, once known */
  nodes?: string[];
}

/** What collect() gathers once the job has ended. */
export interface Collected {
  /** Last lines of stderr of the ranks that failed, for failed observations */
  stderrTail?: string;
  nodes?: string[];
  /** Exit codes by rank, where known */
  exitCodes?: (number | null)[];
}

/** A provider. One file or folder per provider under providers/. */
export interface Provider<H extends JobHandle = JobHandle> {
  readonly name: string;
  readonly summary: string;
  readonly settings: readonly SettingSpec[];
  /** Check the environment before the sweep starts (e.g. `sbatch` on PATH); throw ValidationError. */
  validate?(ctx: ProviderContext): Promise<void>;
  emit(batch: Batch, ctx: ProviderContext): Promise<Emitted>;
  submit(batch: Batch, emitted: Emitted, ctx: ProviderContext): Promise<H>;
  poll(handle: H): Promise<JobState>;
  /** Rank 0's stdout, line by line, as it arrives; ends once the job has ended. */
  lines(handle: H): AsyncIterable<string>;
  collect(handle: H): Promise<Collected>;
  /** Stop the job and every rank of it; safe to call twice or after the job ended. */
  cancel(handle: H, reason: string): Promise<void>;
  /** Backstop on Ctrl-C and at the end of a run: stop every job of `ctx.runId` still alive. */
  cleanup?(ctx: ProviderContext): Promise<void>;
}
