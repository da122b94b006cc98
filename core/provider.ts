/**
 * The provider contract (docs/architecture.md, "Providers"), modelled on ReFrame's scheduler
 * backends. A {@linkcode Provider} declares its settings and opens one
 * {@linkcode ProviderSession} per run; the session turns a batch (some tasks of one scale point)
 * into a job (`emit`), starts it (`submit`), reports its state (`poll`), streams rank 0's output
 * lines (`lines`), gathers logs once it ended (`collect`) and stops it (`cancel`). `close()` is
 * the backstop: the driver calls it in a `finally`, and it stops everything of the run still
 * alive. All per-run state lives in the session; a provider module keeps none.
 *
 * The sweep driver (core/sweep.ts) owns everything else: timeouts, records, and marking unrun
 * tasks as failed.
 *
 * @module
 */
import type { Batch, Json, Plan } from "./types.ts";
import type { SettingDecls, Settings, SettingsOf } from "./settings.ts";
import type { TlsFiles } from "./tls.ts";

/** What a provider session knows about the run. */
export interface ProviderContext<V = Settings> {
  runId: string;
  /** Absolute path of the run directory, and of its logs/ */
  runDir: string;
  logsDir: string;
  plan: Plan;
  /** The provider's settings, resolved and typed from its declarations */
  settings: V;
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
  /** true for `--dry-run`: only `emit` and `close` will be called; check nothing, start nothing */
  dryRun: boolean;
  /**
   * The run's TLS files (`--tls`), null for a plaintext rendezvous. `rankEnvironment` and
   * `makeRankSpec` pass them on; a provider that starts ranks otherwise gives them
   * `rankTlsEnv(ctx.tls)` (core/tls.ts). In a dry run the paths are set but the files do not exist.
   */
  tls?: TlsFiles | null;
  /** A line for the user (stderr, progress-bar aware) */
  log(message: string): void;
}

/** What a session would submit for a batch. */
export interface Emitted {
  /** Files saved under logs/ before submission (job script, manifests, spec), name → content */
  files: Record<string, string>;
  /** What `--dry-run --json` shows for this batch (script text, manifests…) */
  dryRun: Json;
}

/** A submitted job. Sessions extend it with their own fields. */
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
}

/** One run's connection to a provider. Every method may throw; the driver then closes the session. */
export interface ProviderSession<H extends JobHandle = JobHandle> {
  emit(batch: Batch): Promise<Emitted>;
  submit(batch: Batch, emitted: Emitted): Promise<H>;
  poll(handle: H): Promise<JobState>;
  /** Rank 0's stdout, line by line, as it arrives; ends once the job has ended. */
  lines(handle: H): AsyncIterable<string>;
  collect(handle: H): Promise<Collected>;
  /** Stop the job and every rank of it; safe to call twice or after the job ended. */
  cancel(handle: H, reason: string): Promise<void>;
  /** Stop every job of the run still alive and release what the session holds; safe to call twice. */
  close(): Promise<void>;
}

/**
 * A provider: a name, its settings, and `open(ctx)`, which checks the environment (unless
 * `ctx.dryRun`; throw a ValidationError for the user's mistakes) and returns the run's session.
 * `Provider` without a type argument is any provider (its settings untyped).
 */
// deno-lint-ignore no-explicit-any
export interface Provider<S extends SettingDecls = any> {
  readonly name: string;
  readonly summary: string;
  readonly settings: S;
  /**
   * Optional: the node size to plan with when the run gives none (`--cores-per-node` unset), from
   * the provider's settings — e.g. the ssh provider's host slots. Return null (or leave it out)
   * for the planner's default, the largest core count on one node. Called for new runs before
   * planning, dry runs too (read files, contact nothing); the value is recorded in the run's
   * configuration, so `--resume` plans with it. Throw a ValidationError for a settings mistake.
   */
  defaultCoresPerNode?(settings: SettingsOf<S>): number | null | Promise<number | null>;
  // deno-lint-ignore no-explicit-any
  open(ctx: ProviderContext<SettingsOf<S>>): Promise<ProviderSession<any>>;
}

/** Define a provider (identity at run time): `ctx.settings` is typed from `settings`. */
export function defineProvider<const S extends SettingDecls>(provider: Provider<S>): Provider<S> {
  return provider;
}

/** Whether a value looks like a provider (a plugin's default export, checked before use). */
export function isProvider(value: unknown): value is Provider {
  const p = value as Provider;
  return Boolean(p) && typeof p === "object" && typeof p.name === "string" &&
    typeof p.open === "function" && typeof p.settings === "object" && p.settings !== null;
}
