/**
 * `--engine dask`: a real Dask cluster per batch, over the point's ranks, on any provider.
 *
 * On every batch, rank 0 starts a scheduler, every rank a worker of `threads` threads (memory
 * limit: `--mem-per-node` shared by the node's ranks), and rank 0 waits until the scheduler sees
 * them all (dask-bench's `cluster_is_ready`, bounded by `--timeout`); that start is logged with
 * its duration, not timed. Each repetition, rank 0 runs the client program (`--exec`, or a
 * module's command) with `DASK_SCHEDULER_ADDRESS` set while the workers serve; its records are
 * the observations. The cluster is stopped at the end of the batch, on failure and when the rank
 * is stopped (core/dask_cluster.ts: Dask's processes close when their rank is gone).
 *
 * - The scheduler, the workers and the client run in the user's environment (the rank's, as in
 *   dask-jobqueue's jobs) with scalebench's python/ first on PYTHONPATH, so `from scalebench
 *   import observe` works, and a module on PYTHONPATH whose functions the client ships to the
 *   workers unpickles there.
 * - A client command starting with `python` or `python3` runs with `--python`, the interpreter of
 *   the scheduler and the workers (client and workers must share Python and Dask versions).
 * - TLS (`--tls`, dask-bench's `USE_SSL`): scheduler, workers and client talk mutual TLS on the
 *   run's credentials (`SCALEBENCH_TLS_DIR`), as dask-jobqueue's `security=True` does.
 * - A worker that dies fails the batch with its exit status and last words; the sweep goes on.
 * - `--ops` reaches the client as `SCALEBENCH_OPS` (one a line), so that it may skip the others
 *   (the built-in clients do; the runtime drops records of other operations anyway).
 *
 * @module
 */
import {
  checkDaskPython,
  daskEnv,
  type DaskProcess,
  type DaskScheduler,
  startScheduler,
  startWorker,
  waitForWorkers,
} from "./dask_cluster.ts";
import {
  defineEngine,
  type Engine,
  type EngineContext,
  type ProgramRun,
  type Repetition,
} from "./engine.ts";
import { quote, ValidationError } from "./errors.ts";
import { NOT_RUN } from "./exec_process.ts";
import { TLS_DIR_ENV, tlsFiles } from "./tls.ts";
import type { Json, RunConfig } from "./types.ts";

/** What every rank of a batch gets from the driver (`plan.exec.settings`). */
export interface DaskSettings {
  /** Interpreter of the scheduler, the workers and a `python…` client */
  python: string;
  /** Scheduler, workers and client talk mutual TLS on the run's credentials */
  tls: boolean;
  /** Memory of a node (`--mem-per-node`), shared by its workers; null: Dask's `auto` */
  memPerNode: number | null;
  /** Unit of `memPerNode` as Dask writes it: `GB` (Slurm's), `GiB` (Kubernetes') */
  memUnit: "GB" | "GiB";
  /** Seconds to wait for the scheduler and every worker */
  readyTimeout: number;
  /** Network interface of the scheduler and workers (dask-bench's NET_INTERFACE), or null */
  interface: string | null;
  /** `--ops`: the client gets them as SCALEBENCH_OPS (one a line) and may skip the others */
  ops: string[] | null;
}

/** The client runs with `--python` when it is a `python`/`python3` command. */
export function clientArgv(argv: string[], python: string): string[] {
  return /^python3?$/.test(argv[0] ?? "") ? [python, ...argv.slice(1)] : [...argv];
}

/** Dask's `--memory-limit` for one of `workers` workers sharing a node (null: `auto`). */
export function workerMemoryLimit(
  s: Pick<DaskSettings, "memPerNode" | "memUnit">,
  workers: number,
): string | null {
  if (s.memPerNode === null) return null;
  const each = s.memPerNode / Math.max(1, workers);
  return `${Number(each.toPrecision(6))}${s.memUnit}`;
}

/** The engine's settings from the run's configuration (driver side). */
export function daskSettings(config: RunConfig, provider: string): DaskSettings {
  const ps = config.providerSettings;
  const mem = typeof ps.memPerNode === "number" && ps.memPerNode > 0 ? ps.memPerNode : null;
  const iface = typeof ps.netInterface === "string" && ps.netInterface ? ps.netInterface : null;
  return {
    python: config.python,
    tls: config.tls,
    memPerNode: mem,
    memUnit: provider === "kubernetes" ? "GiB" : "GB",
    // dask-bench bounds cluster_is_ready by TIMEOUT; without one, the ranks' own bound
    readyTimeout: config.timeout > 0 ? config.timeout : config.rendezvousTimeout,
    interface: iface,
    ops: config.ops,
  };
}

/** One batch's cluster on one rank. */
class DaskSession {
  #worker: DaskProcess | null = null;
  #scheduler: DaskScheduler | null = null;
  #closing = false;
  /** Rejects once this rank's worker (or rank 0's scheduler) ended on its own */
  #died: Promise<never>;
  #die!: (err: Error) => void;
  address = "";
  env: Record<string, string> = {};

  constructor(readonly ctx: EngineContext, readonly s: DaskSettings) {
    this.#died = new Promise<never>((_, reject) => (this.#die = reject));
    this.#died.catch(() => {}); // observed by run(); never an unhandled rejection
  }

  #watch(proc: DaskProcess): void {
    proc.exited.then((exit) => {
      if (!this.#closing) this.#die(new Error(`${proc.why(exit)} during the point`));
    });
  }

  async start(): Promise<void> {
    const { ctx, s } = this;
    let tls = null;
    if (s.tls) {
      const dir = ctx.tlsDir;
      if (!dir) {
        throw new Error(
          `This run uses TLS (--tls) but rank ${ctx.rank} has no ${TLS_DIR_ENV}: the provider does not pass the run's TLS files to its ranks`,
        );
      }
      tls = tlsFiles(dir);
    }
    this.env = daskEnv({ base: { ...ctx.environment }, tls });
    const dir = `${ctx.workDir}/dask-rank-${ctx.rank}`;
    await Deno.mkdir(dir, { recursive: true });
    const common = { python: s.python, env: this.env };
    const host = ctx.hosts[ctx.rank];
    const t0 = performance.now();
    if (ctx.rank === 0) {
      this.#scheduler = await startScheduler({
        ...common,
        dir,
        host: ctx.hosts[0],
        interface: s.interface,
        timeout: s.readyTimeout,
        // rank 0 learns at once that a worker is gone (its own rank learns it from the process)
        onWorkerLost: (name) => {
          if (!this.#closing) {
            this.#die(new Error(`Dask worker ${name} left the cluster during the point`));
          }
        },
      });
      this.#watch(this.#scheduler.process);
    }
    this.address = (await ctx.allgather(this.#scheduler?.address ?? ""))[0];
    const sharing = ctx.hosts.filter((h) => h === host).length;
    this.#worker = startWorker({
      ...common,
      dir,
      address: this.address,
      name: `rank-${ctx.rank}`,
      nthreads: ctx.threads,
      memoryLimit: workerMemoryLimit(s, sharing),
      host,
      interface: s.interface,
    });
    this.#watch(this.#worker);
    if (ctx.rank !== 0) return;
    const ready = await Promise.race([
      waitForWorkers({
        ...common,
        address: this.address,
        workers: ctx.ranks,
        threads: ctx.cores,
        timeout: s.readyTimeout,
      }),
      this.#died,
    ]);
    ctx.log(
      `[rank 0] Dask cluster ready in ${
        ((performance.now() - t0) / 1000).toFixed(2)
      } s (not timed): ` +
        `scheduler ${this.address}, ${ready.workers} workers, ${ready.threads} threads`,
    );
  }

  async run(rep: Repetition): Promise<ProgramRun> {
    const { ctx } = this;
    let result = NOT_RUN;
    if (ctx.rank === 0) {
      const env: Record<string, string> = {
        ...this.env,
        ...rep.env,
        DASK_SCHEDULER_ADDRESS: this.address,
      };
      if (this.s.ops) env.SCALEBENCH_OPS = this.s.ops.join("\n");
      const argv = clientArgv(rep.argv, this.s.python);
      result = await Promise.race([
        ctx.launch(argv, { env, cwd: rep.cwd, label: "[dask client]" }),
        this.#died,
      ]);
    }
    // the workers serve until the client is done; a worker that dies meanwhile fails the batch
    await Promise.race([ctx.barrier(), this.#died]);
    return result;
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#worker?.stop();
    await this.#scheduler?.process.stop();
  }
}

/** The Dask engine. */
export const daskEngine: Engine = defineEngine({
  name: "dask",
  summary:
    "A Dask cluster per point (a scheduler on rank 0, a worker on every rank); rank 0 runs the client",
  records: "writers",
  async configure(ctx) {
    const s = daskSettings(ctx.config, ctx.provider);
    if (!ctx.dryRun && ctx.provider !== "kubernetes") {
      // in pods, Python and Dask are the image's (scalebench image --dask)
      await checkDaskPython(s.python, { what: "--python (SCALEBENCH_PYTHON)" });
      const program = clientArgv(ctx.argv, s.python)[0];
      if (program && !(await ctx.findCommand(program))) {
        throw new ValidationError(
          `Command ${quote(program, 200)} was not found (--exec; not a file, nor on PATH)`,
        );
      }
    }
    return { ...s } as unknown as Record<string, Json>;
  },
  async start(ctx) {
    const session = new DaskSession(ctx, ctx.settings as unknown as DaskSettings);
    try {
      await session.start();
    } catch (err) {
      await session.close();
      throw err;
    }
    return { run: (rep) => session.run(rep), close: () => session.close() };
  },
});
