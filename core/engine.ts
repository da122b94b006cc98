/**
 * Engines: how a command workload's program is launched over a batch's ranks (docs/architecture.md,
 * "Engines").
 *
 * The provider starts one scalebench rank process per rank, as for every workload; the rank
 * runtime of command workloads (core/exec_rank.ts) then, for every repetition, waits at a
 * barrier, asks the engine's session to run the program, reads the records the program wrote,
 * gathers them on rank 0 and turns them into observations (core/exec_records.ts). An engine only
 * decides *what runs where*:
 * - `process`: every rank runs the program (one process per rank);
 * - `mpi`: rank 0 runs one `mpirun` over the point's ranks, the other ranks run nothing;
 * - `dask` (core/engine_dask.ts): a Dask cluster per batch, rank 0 runs the client program.
 *
 * An engine module default-exports nothing: it exports one {@linkcode Engine} object, listed in
 * core/engines.ts.
 *
 * @module
 */
import type { Json, Mode, PlannedPoint, RunConfig } from "./types.ts";

/** What the driver knows when an engine checks a run (before anything starts, dry runs too). */
export interface EngineCheckContext {
  /** The program's argv (`--exec`, or a module's fixed command); [] when computed per point */
  argv: string[];
  /** Every run setting (the engine's own flags are run settings: core/config.ts) */
  config: RunConfig;
  /** The provider's name (`local`, `slurm`, `kubernetes` or a plugin's): where ranks run */
  provider: string;
  dryRun: boolean;
  /** The path of an executable (`./x`, `/usr/bin/x`, or found on the driver's PATH), or null */
  findCommand(command: string): Promise<string | null>;
}

/** What a process run by {@linkcode EngineContext.launch} did. */
export interface ProgramRun {
  /** false: this rank started nothing in this repetition (e.g. MPI ranks other than 0) */
  ran: boolean;
  /** Exit code; null when killed by a signal or not run */
  code: number | null;
  /** The signal that killed it, or null */
  signal: string | null;
  /** Wall seconds from start to exit (an `exec` observation's time) */
  seconds: number;
  /** The last lines of its stderr (a failed observation's reason) */
  stderrTail: string;
  /** Peak resident memory of its process tree, bytes (sampled), or null */
  peakRssBytes: number | null;
}

/** How to launch a process ({@linkcode EngineContext.launch}). */
export interface LaunchOptions {
  /** Added to the rank process's environment */
  env: Record<string, string>;
  /** Working directory (default: the rank process's) */
  cwd?: string;
  /** Prefix of the lines it writes, copied to the rank's stderr log (default `[rank N]`) */
  label?: string;
}

/** One repetition as the engine's session sees it. */
export interface Repetition {
  rep: number;
  warmup: boolean;
  /** The program's argv at this point */
  argv: string[];
  /**
   * The program's environment on this rank (over the rank process's): SCALEBENCH_RANK, _RANKS,
   * _THREADS, _CORES, _NODES, _REP, _WARMUP, _MODE, _RANK0_HOST, _HOSTFILE, _WORK_DIR,
   * _RECORDS (this rank's records file), _RECORDS_DIR, _PARAM_<KEY>, OMP_NUM_THREADS
   */
  env: Record<string, string>;
  /**
   * This repetition's directory (same path on every rank's node, created before the barrier):
   * records files are `records.<writer>.jsonl` in it (a writer is a rank, an MPI rank, a client)
   */
  recordsDir: string;
  /** The program's working directory: the repetition's directory when the workload asks for a fresh one */
  cwd: string | undefined;
}

/** An engine's state for one batch on one rank. */
export interface EngineSession {
  /**
   * Run the program for one repetition (every rank calls it at the same time, after a barrier);
   * resolves once what this rank started has exited. Throwing fails the rest of the batch (the
   * driver records the reason and goes on with the next batch).
   */
  run(rep: Repetition): Promise<ProgramRun>;
  /** Stop whatever the session started (also after a failure); safe to call twice */
  close(): Promise<void>;
}

/** What an engine's session gets on a rank (every rank, once per batch, after the rendezvous). */
export interface EngineContext {
  runId: string;
  batch: string;
  rank: number;
  ranks: number;
  threads: number;
  cores: number;
  nodes: number;
  mode: Mode;
  /** The point, with its parameters (after the weak rule) and size */
  point: PlannedPoint;
  /** Every rank's host, in rank order (Slurm's node names inside a Slurm job) */
  hosts: string[];
  /** What the engine's `configure` returned on the driver */
  settings: Record<string, Json>;
  /**
   * The run's TLS directory on this rank (`SCALEBENCH_TLS_DIR`: ca.crt, tls.crt, tls.key), or null
   * without TLS; kept out of `environment` (and so of the program's), e.g. for Dask's mutual TLS
   */
  tlsDir: string | null;
  /** The rank process's environment (read-only: e.g. SLURM_JOB_ID inside Slurm) */
  environment: Readonly<Record<string, string>>;
  /** This batch's directory on this rank's node (same path on every rank; removed at the end) */
  workDir: string;
  /** Wait for every rank */
  barrier(): Promise<void>;
  /** Every rank's value, in rank order */
  allgather<T extends Json>(value: T): Promise<T[]>;
  /** Start a process, wait for it, time it; killed (with its process group) if the rank is stopped */
  launch(argv: string[], options: LaunchOptions): Promise<ProgramRun>;
  /** A line in this rank's log (stderr) */
  log(line: string): void;
}

/** An engine. */
export interface Engine {
  /** `--engine NAME` */
  readonly name: string;
  readonly summary: string;
  /**
   * Whose records count. `every-rank`: every rank runs the program and must record rank 0's
   * operations (a rank that recorded fewer fails them). `writers`: the records of whoever wrote
   * some (MPI rank 0 alone, or all MPI ranks; a Dask client) — the same makespan rule.
   */
  readonly records: "every-rank" | "writers";
  /**
   * Driver side, before anything starts (also for `--dry-run`): check what can be known up front
   * (a missing launcher: throw a ValidationError, exit 2) and return the settings the ranks get
   * (JSON; stored in the plan and the rank spec as `exec.settings`).
   */
  configure(ctx: EngineCheckContext): Promise<Record<string, Json>>;
  /** Rank side: set up for a batch (a hostfile, a cluster) and return the batch's session. */
  start(ctx: EngineContext): Promise<EngineSession>;
}

/** Define an engine (identity; gives the type). */
export function defineEngine(engine: Engine): Engine {
  return engine;
}
