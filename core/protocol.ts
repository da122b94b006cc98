/**
 * What a rank process is told (the {@linkcode RankSpec}) and what rank 0 tells the driver: records
 * on its stdout, one per line, `@@scalebench {json}`. Providers only move lines; the driver parses.
 *
 * @module
 */
import type { Json, Mode, MonitorSample, PlannedPoint, Task } from "./types.ts";

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
  };
  /** Scratch directory for the ranks (default: the OS temp dir) */
  scratch_dir?: string;
}

/** The prefix of a record line on rank 0's stdout. */
export const RECORD_PREFIX = "@@scalebench ";

/** Per-task result that rank 0 emits; the driver completes it into an Observation. */
export interface TaskRecord {
  op: string;
  rep: number;
  warmup: boolean;
  seconds: number | null;
  rank_seconds: number[];
  ok: boolean;
  error: string | null;
  unit: string | null;
  rate: number | null;
  peak_rss_bytes: number | null;
  rank_peak_rss_bytes: number[];
  t_start: number | null;
  t_end: number | null;
  extra?: Record<string, Json>;
}

/** Records rank 0 writes. */
export type RankRecord =
  | { type: "ready"; t: number; hosts: string[]; pids: number[] }
  | { type: "phase"; t: number; phase: string }
  | { type: "obs"; obs: TaskRecord }
  | { type: "mon"; sample: MonitorSample }
  | {
    type: "fail";
    t: number;
    message: string; /** the workload rejected its input */
    validation?: boolean;
  }
  | { type: "done"; t: number };

/** One record as a line (with newline). */
export function encodeRecord(record: RankRecord): string {
  return RECORD_PREFIX + JSON.stringify(record) + "\n";
}

/** The record in a line, or null for a plain log line. Malformed records are log lines too. */
export function decodeRecord(line: string): RankRecord | null {
  const at = line.indexOf(RECORD_PREFIX);
  if (at < 0) return null;
  try {
    const rec = JSON.parse(line.slice(at + RECORD_PREFIX.length));
    return rec && typeof rec === "object" && typeof rec.type === "string"
      ? rec as RankRecord
      : null;
  } catch {
    return null;
  }
}
