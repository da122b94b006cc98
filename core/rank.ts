/**
 * The rank runtime: what one rank process does for one batch. It joins the rendezvous (rank 0
 * hosts it), loads the workload and its threads, prepares (untimed), then for every task waits at
 * a barrier, times the operation, runs its check (untimed) and gathers every rank's time, check
 * and peak memory; rank 0 writes one record per observation on its stdout. Any rank's failure
 * aborts every rank, and rank 0 reports it.
 *
 * @module
 */
import { errorMessage, ValidationError } from "./errors.ts";
import { runCommandBatch } from "./exec_rank.ts";
import { Monitor } from "./monitor.ts";
import { ThreadPool } from "./parallel.ts";
import { encodeRecord, type RankRecord, type RankSpec, type TaskRecord } from "./protocol.ts";
import {
  type Collectives,
  publishAddress,
  RendezvousClient,
  RendezvousHub,
  type TreeOptions,
} from "./rendezvous.ts";
import type { Json, MonitorSample } from "./types.ts";
import { type RankTls, rendezvousTls } from "./tls.ts";
import type { CheckResult, RankContext, WorkloadDefinition, WorkloadLoader } from "./workload.ts";
import { repLabel } from "./labels.ts";

/** How to run one rank. */
export interface RankOptions {
  spec: RankSpec;
  rank: number;
  token: string;
  /** Overrides `spec.rendezvous.host` (cluster DNS or a node list decided at launch) */
  rendezvousHost?: string;
  /** Overrides `spec.rendezvous.bind` (rank 0) */
  rendezvousBind?: string;
  /** When the collectives go over a tree (default: core/rendezvous_tree.ts's threshold, fan-out) */
  rendezvousTree?: TreeOptions;
  /** TLS for the rendezvous (cli/rank.ts reads it from SCALEBENCH_TLS_DIR with readRankTls) */
  tls?: RankTls;
  /** This rank's host name */
  hostname?: string;
  /** Where rank 0's record lines go (default: stdout) */
  write?(line: string): void;
  /** Log lines (default: stderr) */
  log?(line: string): void;
  /** Collectives already connected (in-process runs); skips the TCP rendezvous */
  collectives?: Collectives;
  /** Where the workload comes from (injected: cli/rank.ts passes workloads/mod.ts's loader) */
  workloads: WorkloadLoader;
  /** The rank process's environment, a command workload's program starts from (default: inherit) */
  environment?: Record<string, string>;
}

const encoder = new TextEncoder();

/** Rank 0's stdout is closed: whoever read the records (the driver) is gone. */
class ReaderGone extends Error {}

function writeStdout(line: string): void {
  const bytes = encoder.encode(line);
  let off = 0;
  try {
    while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
  } catch (err) {
    if (err instanceof Deno.errors.BrokenPipe) throw new ReaderGone("Rank 0's output was closed");
    throw err;
  }
}

/** Normalise a check's result. */
export function checkOutcome(result: CheckResult): { ok: boolean; error: string | null } {
  if (result === undefined || result === true) return { ok: true, error: null };
  if (result === false) return { ok: false, error: "Check failed" };
  return { ok: Boolean(result.ok), error: result.ok ? null : (result.message ?? "Check failed") };
}

async function connect(
  options: RankOptions,
  log: (l: string) => void,
  emit: (r: RankRecord) => void,
) {
  const { spec, rank, token } = options;
  const size = spec.point.ranks;
  const rdv = spec.rendezvous;
  const host = options.rendezvousHost || rdv.host || options.hostname || Deno.hostname();
  const tls = rendezvousTls(options.tls, { rank, required: rdv.tls === true });
  if (rank === 0) {
    const local = host === "127.0.0.1" || host === "localhost";
    const start = (bind: string) =>
      RendezvousHub.start({
        size,
        token,
        bind,
        port: rdv.port,
        onLog: log,
        onMonitor: (sample) => emit({ type: "mon", sample }),
        tls: tls.server,
        tree: options.rendezvousTree,
      });
    const bind = options.rendezvousBind || rdv.bind || (local ? "127.0.0.1" : null);
    let hub: RendezvousHub;
    try {
      // every address, IPv6 and IPv4 (an IPv6 single-stack cluster reaches rank 0 only so)
      hub = start(bind ?? "::");
    } catch (err) {
      // a machine without IPv6: IPv4 only
      if (bind || err instanceof Deno.errors.AddrInUse) throw err;
      hub = start("0.0.0.0");
    }
    if (rdv.file) await publishAddress(rdv.file, host, hub.port);
    await hub.waitForRanks(rdv.timeout);
    return hub;
  }
  return await RendezvousClient.join({
    rank,
    size,
    token,
    host,
    port: rdv.port,
    file: rdv.file,
    timeout: rdv.timeout,
    self: { host: options.hostname ?? Deno.hostname(), pid: Deno.pid },
    tls: tls.client,
    tree: options.rendezvousTree,
  });
}

/** Run one rank of a batch. Resolves to the process exit code: 0 done, 1 the batch failed. */
export async function runRank(options: RankOptions): Promise<number> {
  const { spec, rank } = options;
  const write = options.write ?? writeStdout;
  const log = options.log ?? ((l: string) => console.error(l));
  const emit = (r: RankRecord) => rank === 0 && write(encodeRecord(r));
  const point = spec.point;
  let coll: Collectives | null = options.collectives ?? null;
  let pool: ThreadPool | null = null;
  let where = "starting";
  const pending: MonitorSample[] = [];
  // periodic sampling starts once every rank is up: starting its worker would delay the launch
  const monitor = Monitor.start({
    interval: 0,
    onSample: (s) => {
      const sample: MonitorSample = { ...s, rank, cores: point.cores, batch: spec.batch };
      if (rank === 0) emit({ type: "mon", sample });
      else if (coll) coll.monitor(sample);
      else pending.push(sample);
    },
  });
  // the phase travels in the monitor samples (MonitorSample.phase)
  const phase = (name: string) => {
    monitor.sampleNow(); // closes the phase that ends here
    monitor.setPhase(name);
  };
  let scratchDir: string | null = null;
  try {
    coll ??= await connect(options, log, emit);
    for (const s of pending.splice(0)) coll.monitor(s);
    where = "loading the workload";
    const def = (await options.workloads.load(spec.workload)).definition;
    if (def.command) {
      // a program: the run's engine launches it, every repetition (core/exec_rank.ts)
      await runCommandBatch({
        spec,
        rank,
        command: def.command,
        coll,
        emit,
        log,
        where: (w) => (where = w),
        hostname: options.hostname ?? Deno.hostname(),
        environment: options.environment ?? null,
      });
      emit({ type: "done", t: Date.now() / 1000 });
      return 0;
    }
    pool = await ThreadPool.create(spec.workload, {
      threads: point.threads,
      rank,
      ranks: point.ranks,
      kernels: def.kernels ?? {},
      entry: options.workloads.threadEntry(),
    });
    const ctx = makeContext({
      spec,
      rank,
      coll,
      pool,
      log,
      // made on first use, so that workloads without scratch files leave nothing behind
      scratchDir: () =>
        scratchDir ??= spec.scratch_dir ??
          Deno.makeTempDirSync({ prefix: `scalebench-${spec.batch}-r${rank}-` }),
    });
    const peers = await coll.allgather({
      host: options.hostname ?? Deno.hostname(),
      pid: Deno.pid,
    });
    emit({
      type: "ready",
      t: Date.now() / 1000,
      hosts: peers.map((p) => p.host),
      pids: peers.map((p) => p.pid),
      tls: coll instanceof RendezvousHub && coll.encrypted,
    });
    monitor.sampleEvery(spec.monitor_interval);
    where = "prepare";
    phase("prepare");
    const state = await def.prepare?.(ctx);
    for (const task of spec.tasks) {
      where = `operation '${task.op}' (${repLabel(task)})`;
      const record = await runTask(def, { ctx, state, task, monitor, phase, coll });
      if (task.record) emit({ type: "obs", obs: record });
    }
    where = "teardown";
    ctx.task = null;
    phase("teardown");
    await def.teardown?.(ctx, state);
    await coll.barrier();
    emit({ type: "done", t: Date.now() / 1000 });
    return 0;
  } catch (err) {
    if (err instanceof ReaderGone) {
      coll?.fail(err.message);
      return 141;
    }
    // an error of this rank's own, or one that another rank's failure caused here
    const own = !coll?.error;
    const message = own
      ? `${cap(where)} failed on rank ${rank}: ${errorMessage(err)}`
      : errorMessage(err);
    if (own && !(err instanceof ValidationError)) log((err as Error)?.stack ?? String(err));
    coll?.fail(message);
    if (rank === 0) {
      const validation = own && err instanceof ValidationError;
      write(
        encodeRecord({
          type: "fail",
          t: Date.now() / 1000,
          message: validation ? errorMessage(err) : message,
          validation,
        }),
      );
    }
    return 1;
  } finally {
    pool?.close();
    monitor.stop();
    await coll?.close().catch(() => {});
    if (scratchDir && !spec.scratch_dir) {
      await Deno.remove(scratchDir, { recursive: true }).catch(() => {});
    }
  }
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

interface TaskEnv {
  ctx: RankContext;
  state: unknown;
  task: RankSpec["tasks"][number];
  monitor: Monitor;
  phase(name: string): void;
  coll: Collectives;
}

async function runTask(def: WorkloadDefinition, env: TaskEnv): Promise<TaskRecord> {
  const { ctx, task, monitor, coll } = env;
  const op = def.operations[task.op];
  if (!op) throw new ValidationError(`Workload '${def.name}' has no operation '${task.op}'`);
  ctx.task = { op: task.op, rep: task.rep, warmup: task.warmup };
  env.phase(`op:${task.op}`);
  monitor.resetPeak();
  await coll.barrier();
  const tStart = (performance.timeOrigin + performance.now()) / 1000;
  const t0 = performance.now();
  const result = await op.run(ctx as never, env.state);
  const seconds = (performance.now() - t0) / 1000;
  const peak = monitor.peak();
  env.phase("check");
  let outcome: { ok: boolean; error: string | null };
  try {
    outcome = checkOutcome(op.check ? await op.check(ctx as never, env.state, result) : undefined);
  } catch (err) {
    if (coll.error) throw err;
    outcome = { ok: false, error: `Check threw: ${errorMessage(err)}` };
  }
  env.phase("idle");
  const all = await coll.allgather<Json>([seconds, outcome.ok, outcome.error, peak]);
  const rows = all as [number, boolean, string | null, number][];
  const rankSeconds = rows.map((r) => r[0]);
  const makespan = Math.max(...rankSeconds);
  const failed = rows.map((r, i) => (r[1] ? null : `rank ${i}: ${r[2]}`)).filter((x) => x !== null);
  const amount = op.metric?.amount(ctx.params as never, {
    cores: ctx.cores,
    nodes: ctx.nodes,
    ranks: ctx.ranks,
    threads: ctx.threads,
    size: ctx.size,
  });
  const peaks = rows.map((r) => r[3]);
  return {
    op: task.op,
    rep: task.rep,
    warmup: task.warmup,
    seconds: makespan,
    rank_seconds: rankSeconds,
    ok: failed.length === 0,
    error: failed.length === 0 ? null : (ctx.ranks === 1 ? rows[0][2] : failed.join("; ")),
    unit: op.metric ? `${op.metric.unit}/s` : null,
    rate: amount !== undefined && makespan > 0 ? amount / makespan : null,
    peak_rss_bytes: peaks.reduce((a, b) => a + b, 0),
    rank_peak_rss_bytes: peaks,
    t_start: tStart,
    t_end: tStart + makespan,
  };
}

interface ContextParts {
  spec: RankSpec;
  rank: number;
  coll: Collectives;
  pool: ThreadPool;
  scratchDir(): string;
  log(line: string): void;
}

/** The context an operation sees. */
export function makeContext(parts: ContextParts): RankContext {
  const { spec, rank, coll, pool } = parts;
  const p = spec.point;
  const ctx: RankContext = {
    rank,
    ranks: p.ranks,
    threads: p.threads,
    cores: p.cores,
    nodes: p.nodes,
    mode: spec.mode,
    params: p.params,
    size: p.size,
    seed: spec.seed,
    get scratchDir() {
      return parts.scratchDir();
    },
    task: null,
    parallel: (kernel, args) => pool.run(kernel, args),
    barrier: () => coll.barrier(),
    allgather: (v) => coll.allgather(v),
    allgatherBytes: (d) => coll.allgatherBytes(d),
    alltoall: (b) => coll.alltoall(b),
    allreduce: (values, op = "sum") => coll.allreduce(values, op),
    log: (...args) =>
      parts.log(
        `[rank ${rank}] ${
          args.map((a) => (typeof a === "string" ? a : Deno.inspect(a))).join(" ")
        }`,
      ),
  };
  return ctx;
}
