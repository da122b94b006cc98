/**
 * The rank runtime of command workloads (core/rank.ts hands a batch over when the workload has a
 * `command`). Every rank: gathers the hosts, starts the engine's session, then for each
 * repetition makes the repetition's directory on its node, waits at the barrier, runs what the
 * engine runs there, reads the records files it finds (and a workload's adapter's records), and
 * allgathers them; rank 0 combines them into observations (core/exec_records.ts) and writes them.
 * The operations the first repetition records define the batch's when none were declared.
 *
 * @module
 */
import type { EngineContext, ProgramRun, Repetition } from "./engine.ts";
import { loadEngine } from "./engines.ts";
import { paramVariable } from "./exec_argv.ts";
import { ANY_OP, type CommandSpec } from "./exec_define.ts";
import { combineRepetition, type RankOutcome } from "./exec_records.ts";
import { rankStopping, runProcess } from "./exec_process.ts";
import { TreeMonitor } from "./exec_monitor.ts";
import type { RankRecord, RankSpec } from "./protocol.ts";
import { type Collectives, RendezvousHub } from "./rendezvous.ts";
import type { Json, Task } from "./types.ts";

/** What {@linkcode runCommandBatch} needs from the rank runtime. */
export interface CommandRankOptions {
  spec: RankSpec;
  rank: number;
  command: CommandSpec;
  coll: Collectives;
  /** Rank 0's records (other ranks: ignored) */
  emit(record: RankRecord): void;
  log(line: string): void;
  /** What the rank is doing, for its error messages */
  where(what: string): void;
  /** This rank's host name */
  hostname: string;
  /** The rank process's environment (null: in-process, inherit) */
  environment: Record<string, string> | null;
}

/** Variables of the rank process a program must not see (the rendezvous' secrets, the spec). */
const PRIVATE = /^SCALEBENCH_(TOKEN|SPEC|TLS|RDV|WATCH_STDIN|RANK$)/;

/** The environment a program starts from: the rank's, without scalebench's private variables. */
export function baseEnvironment(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !PRIVATE.test(k)));
}

/** Tasks grouped by repetition (in order): one launch each. */
export function repetitions(tasks: Task[]): { rep: number; warmup: boolean; tasks: Task[] }[] {
  const out: { rep: number; warmup: boolean; tasks: Task[] }[] = [];
  for (const t of tasks) {
    const last = out[out.length - 1];
    if (last && last.rep === t.rep && last.warmup === t.warmup) last.tasks.push(t);
    else out.push({ rep: t.rep, warmup: t.warmup, tasks: [t] });
  }
  return out;
}

const MAX_RECORDS_TEXT = 4 << 20;

/** Every `records.<writer>.jsonl` in a directory. */
async function readRecordsFiles(dir: string): Promise<{ writer: number; text: string }[]> {
  const out: { writer: number; text: string }[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      const m = /^records\.(\d+)\.jsonl$/.exec(e.name);
      if (!m || !e.isFile) continue;
      let text = await Deno.readTextFile(`${dir}/${e.name}`);
      if (text.length > MAX_RECORDS_TEXT) text = text.slice(0, MAX_RECORDS_TEXT);
      out.push({ writer: Number(m[1]), text });
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return out.sort((a, b) => a.writer - b.writer);
}

function knownOps(spec: RankSpec, tasks: Task[]): string[] | null {
  if (spec.exec?.ops) return spec.exec.ops;
  if (tasks.some((t) => t.op === ANY_OP)) return null;
  const ops: string[] = [];
  for (const t of tasks) if (!ops.includes(t.op)) ops.push(t.op);
  return ops;
}

/** The program's environment for one repetition on one rank. */
export function programEnvironment(
  spec: RankSpec,
  args: {
    rank: number;
    rep: number;
    warmup: boolean;
    hosts: string[];
    hostfile: string;
    dir: string;
  },
): Record<string, string> {
  const p = spec.point;
  const env: Record<string, string> = {
    SCALEBENCH_RANK: String(args.rank),
    SCALEBENCH_RANKS: String(p.ranks),
    SCALEBENCH_THREADS: String(p.threads),
    SCALEBENCH_CORES: String(p.cores),
    SCALEBENCH_NODES: String(p.nodes),
    SCALEBENCH_REP: String(args.rep),
    SCALEBENCH_WARMUP: args.warmup ? "1" : "0",
    SCALEBENCH_MODE: spec.mode,
    SCALEBENCH_SIZE: String(p.size),
    SCALEBENCH_RANK0_HOST: args.hosts[0],
    SCALEBENCH_HOSTFILE: args.hostfile,
    SCALEBENCH_WORK_DIR: args.dir,
    SCALEBENCH_RECORDS_DIR: args.dir,
    SCALEBENCH_RECORDS: `${args.dir}/records.${args.rank}.jsonl`,
    OMP_NUM_THREADS: String(p.threads),
  };
  for (const [k, v] of Object.entries(p.params)) env[paramVariable(k)] = String(v);
  return env;
}

/** Run a command workload's batch on this rank; rank 0 writes the observations. */
export async function runCommandBatch(o: CommandRankOptions): Promise<void> {
  const { spec, rank, coll, command } = o;
  const exec = spec.exec;
  if (!exec) throw new Error("The rank spec of a command workload has no 'exec' (the plan's)");
  const point = spec.point;
  const host = o.environment?.SLURMD_NODENAME || o.hostname;
  // rank 0 names the batch's directory; every rank makes it on its node
  const mine = rank === 0
    ? await Deno.makeTempDir({ dir: spec.scratch_dir, prefix: `scalebench-${spec.batch}-` })
    : null;
  const peers = await coll.allgather({ host, pid: Deno.pid, dir: mine });
  const workDir = peers[0].dir!;
  const hosts = peers.map((p) => p.host);
  o.emit({
    type: "ready",
    t: Date.now() / 1000,
    hosts,
    pids: peers.map((p) => p.pid),
    // as core/rank.ts: the driver refuses a --tls batch whose ranks met in plaintext
    tls: coll instanceof RendezvousHub && coll.encrypted,
  });
  // the rank and what it runs: memory and CPU of the whole process tree
  const monitor = new TreeMonitor(Deno.pid, (s) => {
    const sample = { ...s, rank, cores: point.cores, batch: spec.batch };
    if (rank === 0) o.emit({ type: "mon", sample });
    else coll.monitor(sample);
  });
  monitor.start(spec.monitor_interval);
  await Deno.mkdir(workDir, { recursive: true });
  const hostfile = `${workDir}/hostfile`;
  await Deno.writeTextFile(hostfile, hosts.join("\n") + "\n");
  const base = o.environment ? baseEnvironment(o.environment) : null;
  const launch = (
    argv: string[],
    opts: { env: Record<string, string>; cwd?: string; label?: string },
  ) =>
    runProcess(argv, {
      env: base ? { ...base, ...opts.env } : opts.env,
      clearEnv: base !== null,
      cwd: opts.cwd,
      log: o.log,
      label: opts.label ?? `[rank ${rank}]`,
    });
  o.where("starting the engine");
  const engine = await loadEngine(exec.engine);
  const ctx: EngineContext = {
    runId: spec.run_id,
    batch: spec.batch,
    rank,
    ranks: point.ranks,
    threads: point.threads,
    cores: point.cores,
    nodes: point.nodes,
    mode: spec.mode,
    point,
    hosts,
    settings: exec.settings,
    tlsDir: o.environment?.SCALEBENCH_TLS_DIR || null,
    environment: Object.freeze({ ...(base ?? {}) }),
    workDir,
    barrier: () => coll.barrier(),
    allgather: (v) => coll.allgather(v),
    launch,
    log: o.log,
  };
  const session = await engine.start(ctx);
  try {
    let ops = knownOps(spec, spec.tasks);
    for (const group of repetitions(spec.tasks)) {
      const label = `repetition ${group.rep + 1}${group.warmup ? " (warm-up)" : ""}`;
      o.where(label);
      const dir = `${workDir}/${group.warmup ? "w" : "r"}${group.rep}`;
      await Deno.mkdir(dir, { recursive: true });
      const at = { ...point };
      if (command.files) {
        for (const [name, text] of Object.entries(command.files(point.params, at))) {
          await Deno.writeTextFile(`${dir}/${name}`, text);
        }
      }
      const argv = exec.argv ??
        (typeof command.argv === "function" ? command.argv(point.params, at) : null);
      if (!argv?.length) throw new Error("The command workload gave no argv");
      const rep: Repetition = {
        rep: group.rep,
        warmup: group.warmup,
        argv,
        env: programEnvironment(spec, { rank, ...group, hosts, hostfile, dir }),
        recordsDir: dir,
        cwd: command.freshDir ? dir : undefined,
      };
      monitor.phase("op:exec");
      await coll.barrier();
      const tStart = (performance.timeOrigin + performance.now()) / 1000;
      const run: ProgramRun = await session.run(rep);
      // stopped (Ctrl-C, a cancel): the process exits in a moment, with nothing recorded
      if (rankStopping()) await new Promise<never>(() => {});
      monitor.phase("idle");
      // ranks sharing a directory see each other's records files: read them only once every
      // rank's program has ended, never one still being written
      await coll.barrier();
      const files = await readRecordsFiles(dir);
      if (run.ran && command.records) {
        const extra = await command.records(dir, {
          params: point.params,
          point: at,
          rank,
          rep: group.rep,
          warmup: group.warmup,
          code: run.code,
          seconds: run.seconds,
        });
        const text = extra.map((r) => JSON.stringify(r)).join("\n");
        const own = files.find((f) => f.writer === rank);
        if (own) own.text += `\n${text}`;
        else files.push({ writer: rank, text });
      }
      const outcome: RankOutcome = { rank, run, files };
      const all = await coll.allgather(outcome as unknown as Json) as unknown as RankOutcome[];
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      if (rank !== 0) continue;
      const combined = combineRepetition(all, {
        rep: group.rep,
        warmup: group.warmup,
        records: engine.records,
        ranks: point.ranks,
        ops,
      });
      if (combined.dropped.length) {
        o.log(
          `[rank 0] ${label}: records of operations not planned were dropped: ${
            combined.dropped.join(", ")
          }`,
        );
      }
      ops = combined.ops;
      for (const obs of combined.observations) {
        const task = group.tasks.find((t) => t.op === obs.op) ??
          group.tasks.find((t) => t.op === ANY_OP);
        if (!task?.record) continue;
        obs.t_start = tStart;
        obs.t_end = obs.seconds === null ? null : tStart + obs.seconds;
        o.emit({ type: "obs", obs });
      }
    }
    o.where("the end of the batch");
    await coll.barrier();
  } finally {
    monitor.stop();
    await session.close();
    await Deno.remove(workDir, { recursive: true }).catch(() => {});
  }
}
