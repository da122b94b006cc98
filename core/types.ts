/**
 * Shared types of the scalebench contract (docs/architecture.md): scale points, plans,
 * observations, monitor samples and the run manifest (results schema version 1).
 *
 * @module
 */

/** How the problem size follows the core count. */
export type Mode = "strong" | "weak";

/** How a core count maps to ranks × threads: `threads`, `ranks` or `ranks:T` (T threads a rank). */
export type Layout = "threads" | "ranks" | `ranks:${number}`;

/** Order in which (point, repetition) batches run. */
export type Order = "sequential" | "interleaved" | "random";

/** One scale point. `cores = ranks × threads`; `nodes = ceil(cores / coresPerNode)`. */
export interface ScalePoint {
  cores: number;
  nodes: number;
  ranks: number;
  threads: number;
}

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Parameter values of a workload after validation. */
export type ParamValues = Record<string, number | string | boolean>;

/** One unit of timed work inside a batch: one operation at one repetition. */
export interface Task {
  op: string;
  rep: number;
  warmup: boolean;
  /** false: run (e.g. a warm-up repeated in a later batch) but do not emit an observation */
  record: boolean;
}

/** One scale point of the plan, with the parameters it runs with (after the weak rule). */
export interface PlannedPoint extends ScalePoint {
  /** Zero-based index of the point in the plan. */
  index: number;
  params: ParamValues;
  /** Problem size actually used at this point (workload-defined; elements, rows, visibilities…). */
  size: number;
}

/** What one provider job runs: some tasks of one point, in one set of rank processes. */
export interface Batch {
  /** Unique in the run, safe in file names and job names: `p01-c004-b02` */
  id: string;
  point: PlannedPoint;
  tasks: Task[];
}

/** The whole plan of a sweep, as `--dry-run --json` prints it. */
export interface Plan {
  workload: string;
  /** builtin name or absolute file:// URL */
  workload_ref: string;
  mode: Mode;
  provider: string;
  reps: number;
  warmup: number;
  order: Order;
  layout: Layout;
  cores_per_node: number;
  operations: string[];
  params: ParamValues;
  points: PlannedPoint[];
  batches: Batch[];
  /** A command workload's program and engine (core/exec_workload.ts); absent otherwise */
  exec?: ExecPlan;
}

/** How a command workload runs: in the plan and every rank's spec. */
export interface ExecPlan {
  /** The program's argv; null: the workload module computes it per point */
  argv: string[] | null;
  /** The engine (core/engines.ts) */
  engine: string;
  /** What the engine's `configure` returned on the driver */
  settings: Record<string, Json>;
  /** The operations to record; null: the program's first repetition defines them */
  ops: string[] | null;
}

/** One record of observations.jsonl (schema version 1). */
export interface Observation {
  workload: string;
  op: string;
  mode: Mode;
  cores: number;
  nodes: number;
  ranks: number;
  threads: number;
  rep: number;
  warmup: boolean;
  /** Makespan: the slowest rank's time, seconds; null when the observation failed to run. */
  seconds: number | null;
  rank_seconds: number[];
  ok: boolean;
  error: string | null;
  /** Unit of `rate`, e.g. `MB/s`; null when the operation has no metric. */
  unit: string | null;
  rate: number | null;
  /** Sum over ranks of each rank's peak resident set during the repetition. */
  peak_rss_bytes: number | null;
  /** Problem size actually used. */
  size: number;
  // ---- scalebench extensions (additive to schema v1) ----
  /** Batch that produced it. */
  batch?: string;
  /** Wall-clock start and end, epoch seconds (rank 0). */
  t_start?: number | null;
  t_end?: number | null;
  rank_peak_rss_bytes?: number[];
}

/** One record of monitor.jsonl. */
export interface MonitorSample {
  /** epoch seconds */
  t: number;
  rank: number;
  rss_bytes: number;
  /** Process CPU use since the previous sample, percent of one core (may exceed 100). */
  cpu_percent: number | null;
  // extensions
  cores?: number;
  batch?: string;
  /** What the rank was doing: `start`, `prepare`, `op:<name>`, `check`, `idle` */
  phase?: string;
}

/** Machine and software where the driver ran. */
export interface EnvironmentInfo {
  host: string;
  cpu_model: string | null;
  cores: number;
  memory_bytes: number | null;
  os: string;
  deno: string;
  v8: string;
  scalebench: string;
  /** The git commit of the directory the run was started in, when it is a git checkout */
  git?: { commit: string; dirty: boolean } | null;
}

/** Run status in the manifest. */
export type RunStatus = "running" | "complete" | "failed" | "interrupted";

/** A provider job of the run (one per batch), as recorded in the manifest. */
export interface JobRecord {
  batch: string;
  cores: number;
  job_id: string | null;
  state: string;
  nodes: string[];
  reason: string | null;
  submitted_at: string;
  ended_at: string | null;
  /** Files (job script, manifests) saved under logs/ for this batch */
  files: string[];
}

/**
 * The one resolved configuration of a run: typed, every field filled; stored in the manifest
 * (`config`) and reused by `--resume`. Its fields are the run settings of core/config.ts
 * (`RUN_SETTINGS`, checked to match) plus the workload, its parameters and the provider's settings.
 */
export interface RunConfig {
  /** The workload: a built-in name or the absolute URL of a file */
  workload: string;
  /** Workload parameters (validated values once the run started) */
  params: Record<string, string | number | boolean>;
  /** The provider: a built-in name, or a plugin's absolute URL or npm: specifier */
  provider: string;
  /** The provider's settings (in the manifest: secrets `<redacted>`) */
  providerSettings: Record<string, string | number | boolean | string[] | null>;
  /** null: the workload's default */
  mode: Mode | null;
  cores: number[];
  layout: Layout;
  /** null: the largest core count */
  coresPerNode: number | null;
  reps: number;
  warmup: number;
  order: Order;
  seed: number;
  /** null: every operation */
  ops: string[] | null;
  /** A program to run as the workload (`--exec`, split into argv without a shell); null: none */
  exec: string | null;
  /** How a program runs over the ranks: `process`, `mpi`… (core/engines.ts); null: the workload's */
  engine: string | null;
  /** `--engine mpi`'s launcher, a command line */
  mpirun: string;
  /** More mpirun arguments, a command line; null: none */
  mpiArgs: string | null;
  /** With `--engine dask`: the Python of the scheduler, the workers and a `python` client */
  python: string;
  output: string;
  name: string | null;
  timeout: number;
  pollInterval: number;
  monitorInterval: number;
  rendezvousTimeout: number;
  verbose: boolean;
  /** Encrypt the rendezvous with a per-run CA and certificate (core/tls.ts) */
  tls: boolean;
  /** Where the run's TLS files go (null: `<run>/tls`) */
  certDir: string | null;
  /** Leave the TLS files when the run ends */
  keepCerts: boolean;
  /** Scaling expectations to judge when the run ends (core/expect.ts); null: none */
  expect: string[] | null;
  /** An inconclusive expectation fails the run */
  strict: boolean;
  /** A run directory to compare with (regressions); null: none */
  baseline: string | null;
  /** Largest slowdown against the baseline that passes, percent */
  maxRegression: number;
  /** Where to write a JUnit XML file of the checks; null: nowhere */
  junit: string | null;
  /** A Markdown file to append the checks' table to; null: none */
  summary: string | null;
}

/** What the manifest records about a run's TLS (`manifest.tls`): never a key, only public facts. */
export interface TlsRecord {
  /** The rendezvous was encrypted */
  encrypted: true;
  /** SHA-256 of the run's CA certificate */
  ca_sha256: string;
  server_name: string;
  not_after: string;
  /** Where the files were (removed at the end unless kept) */
  dir: string;
  kept: boolean;
}

/** manifest.json (schema version 1). */
export interface Manifest {
  schema_version: 1;
  /** The resolved configuration (absent in manifests written before it existed) */
  config?: RunConfig;
  run_id: string;
  name: string | null;
  workload: {
    name: string;
    ref: string;
    summary: string;
    params: ParamValues;
    operations: string[];
    source: string | null;
    sha256: string | null;
  };
  mode: Mode;
  provider: {
    name: string;
    settings: Record<string, Json>;
    jobs: JobRecord[];
  };
  plan: {
    cores: number[];
    layout: Layout;
    cores_per_node: number;
    reps: number;
    warmup: number;
    order: Order;
    seed: number;
    timeout: number;
    points: PlannedPoint[];
  };
  environment: EnvironmentInfo;
  started_at: string;
  ended_at: string | null;
  status: RunStatus;
  /** Why the run failed when the driver itself hit an error (a provider's, a bug); null otherwise */
  error?: string | null;
  /** Each `--resume` adds an entry */
  resumes: { at: string; missing: number }[];
  /** The rendezvous' TLS (`--tls`; the latest attempt's CA): absent or null when plaintext */
  tls?: TlsRecord | null;
  command: string[];
}
