/**
 * What a rank process is told (the {@linkcode RankSpec}) and what rank 0 tells the driver: records
 * on its stdout, one per line, `@@scalebench {json}`. Providers only move lines; the driver parses
 * and checks them. See docs/architecture.md, "Ranks".
 *
 * @module
 */
import { RecordError, type TaskRecord, toMonitorSample, toTaskRecord } from "./observation.ts";
import type { ExecPlan, Mode, MonitorSample, PlannedPoint, Task } from "./types.ts";

export { RecordError, type TaskRecord };

/** Everything a rank needs, passed as SCALEBENCH_SPEC (JSON) or a file (SCALEBENCH_SPEC_FILE). */
export interface RankSpec {
  run_id: string;
  batch: string;
  /** builtin workload name or absolute file:// URL */
  workload: string;
  mode: Mode;
  point: PlannedPoint;
  tasks: Task[];
  seed: number;
  monitor_interval: number;
  rendezvous: {
    /** Host the other ranks connect to (rank 0's); env SCALEBENCH_RDV_HOST overrides */
    host: string;
    /** 0: rank 0 picks a free port and publishes host:port in `file` */
    port: number;
    /** Address rank 0 binds (default 0.0.0.0 when ranks > 1 on several nodes, else host) */
    bind?: string;
    /** Shared file through which rank 0 publishes `host:port` (Slurm: in logs/) */
    file?: string;
    /** Seconds the ranks wait for each other at start */
    timeout: number;
    /** The run uses TLS (`--tls`): a rank without SCALEBENCH_TLS_DIR refuses to start (exit 2) */
    tls?: boolean;
  };
  /** Scratch directory for the ranks (default: the OS temp dir) */
  scratch_dir?: string;
  /** A command workload's program and engine (the plan's `exec`) */
  exec?: ExecPlan;
}

/** `value` as a rank spec (what a provider handed the rank), or a RecordError saying what is wrong. */
export function toRankSpec(value: unknown): RankSpec {
  const s = value as RankSpec;
  if (!s || typeof s !== "object") fail("the spec is not a JSON object");
  for (const k of ["run_id", "batch", "workload"] as const) {
    if (typeof s[k] !== "string") fail(`the spec's '${k}' is not a string`);
  }
  if (s.mode !== "strong" && s.mode !== "weak") fail("the spec's 'mode' is not strong or weak");
  const p = s.point;
  if (!p || ![p.cores, p.nodes, p.ranks, p.threads].every((n) => Number.isInteger(n) && n > 0)) {
    fail("the spec's 'point' needs whole cores, nodes, ranks and threads");
  }
  if (!p.params || typeof p.params !== "object") fail("the spec's 'point' has no params");
  if (!Array.isArray(s.tasks)) fail("the spec's 'tasks' is not a list");
  for (const t of s.tasks) {
    if (typeof t?.op !== "string" || !Number.isInteger(t.rep) || typeof t.warmup !== "boolean") {
      fail("a task of the spec needs op, rep and warmup");
    }
  }
  const r = s.rendezvous;
  if (!r || typeof r.host !== "string" || !Number.isInteger(r.port) || !(r.timeout > 0)) {
    fail("the spec's 'rendezvous' needs host, port and timeout");
  }
  return s;
}

/** The prefix of a record line on rank 0's stdout. */
export const RECORD_PREFIX = "@@scalebench ";

/** Records rank 0 writes (docs/architecture.md, "Ranks": the rank protocol). */
export type RankRecord =
  /** Every rank joined and loaded the workload: their hosts and pids */
  | { type: "ready"; t: number; hosts: string[]; pids: number[]; tls?: boolean }
  /** One observation's measurements, once every rank has reported its time and check */
  | { type: "obs"; obs: TaskRecord }
  /** A monitor sample of some rank */
  | { type: "mon"; sample: MonitorSample }
  /** The batch failed; `validation`: the workload rejected its input (exit 2) */
  | { type: "fail"; t: number; message: string; validation?: boolean }
  /** Every task ran and every rank reached the final barrier */
  | { type: "done"; t: number };

/** One record as a line (with newline). */
export function encodeRecord(record: RankRecord): string {
  return RECORD_PREFIX + JSON.stringify(record) + "\n";
}

function fail(what: string): never {
  throw new RecordError(what);
}

/** A decoded record, checked against its type's shape (a RecordError says what is wrong). */
export function toRankRecord(value: unknown): RankRecord {
  const r = value as Record<string, unknown>;
  if (!r || typeof r !== "object") fail("not a JSON object");
  const t = typeof r.t === "number" ? r.t : 0;
  switch (r.type) {
    case "ready":
      if (!Array.isArray(r.hosts) || !r.hosts.every((h) => typeof h === "string")) {
        fail("'ready' record needs hosts (strings)");
      }
      return {
        type: "ready",
        t,
        hosts: r.hosts as string[],
        pids: Array.isArray(r.pids) ? r.pids.filter(Number.isInteger) : [],
        tls: r.tls === true,
      };
    case "obs":
      return { type: "obs", obs: toTaskRecord(r.obs) };
    case "mon":
      return { type: "mon", sample: toMonitorSample(r.sample) };
    case "fail":
      if (typeof r.message !== "string") fail("'fail' record needs a message");
      return { type: "fail", t, message: r.message as string, validation: r.validation === true };
    case "done":
      return { type: "done", t };
    default:
      return fail(`unknown record type ${JSON.stringify(r.type)}`);
  }
}

/**
 * The record in a line, or null for a plain log line. A line with the record prefix whose JSON or
 * shape is wrong throws a RecordError: rank 0 and the driver disagree, which is a bug to report.
 */
export function decodeRecord(line: string): RankRecord | null {
  const at = line.indexOf(RECORD_PREFIX);
  if (at < 0) return null;
  let value: unknown;
  try {
    value = JSON.parse(line.slice(at + RECORD_PREFIX.length));
  } catch (err) {
    throw new RecordError(`not JSON (${(err as Error).message})`);
  }
  return toRankRecord(value);
}
