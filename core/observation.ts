/**
 * The observation record, checked where it crosses a process or file boundary: rank 0's records
 * (core/protocol.ts decodes them) and observations.jsonl lines (core/results.ts reads them). A
 * value that is not a valid record is rejected with what is wrong, never cast.
 *
 * @module
 */
import type { MonitorSample, Observation } from "./types.ts";

/** What rank 0 measures for one task: the observation's fields the rank runtime knows. */
export type TaskRecord =
  & Pick<
    Observation,
    "op" | "rep" | "warmup" | "seconds" | "rank_seconds" | "ok" | "error" | "unit" | "rate"
  >
  & Required<Pick<Observation, "peak_rss_bytes" | "rank_peak_rss_bytes" | "t_start" | "t_end">>;

/** A value that is not a record of the expected shape. */
export class RecordError extends Error {}

type Check = (v: unknown) => boolean;
const num: Check = (v) => typeof v === "number" && Number.isFinite(v);
const int: Check = (v) => Number.isInteger(v) && (v as number) >= 0;
const str: Check = (v) => typeof v === "string";
const bool: Check = (v) => typeof v === "boolean";
const orNull = (c: Check): Check => (v) => v === null || c(v);
const nums: Check = (v) => Array.isArray(v) && v.every(num);

/** What a task record and an observation both hold. */
const MEASURED = {
  op: str,
  rep: int,
  warmup: bool,
  seconds: orNull(num),
  rank_seconds: nums,
  ok: bool,
  error: orNull(str),
  unit: orNull(str),
  rate: orNull(num),
  peak_rss_bytes: orNull(num),
};

const TASK_FIELDS: Record<keyof TaskRecord, Check> = {
  ...MEASURED,
  rank_peak_rss_bytes: nums,
  t_start: orNull(num),
  t_end: orNull(num),
};

const OBSERVATION_FIELDS: Record<string, Check> = {
  workload: str,
  mode: (v) => v === "strong" || v === "weak",
  cores: int,
  nodes: int,
  ranks: int,
  threads: int,
  ...MEASURED,
  size: num,
};
const OPTIONAL_FIELDS: Record<string, Check> = {
  batch: str,
  t_start: orNull(num),
  t_end: orNull(num),
  rank_peak_rss_bytes: nums,
};

function check(value: unknown, fields: Record<string, Check>, optional: Record<string, Check>) {
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new RecordError("not a JSON object");
  }
  const o = value as Record<string, unknown>;
  for (const [k, ok] of Object.entries(fields)) {
    if (!(k in o)) throw new RecordError(`field '${k}' is missing`);
    if (!ok(o[k])) throw new RecordError(`field '${k}' has a bad value ${JSON.stringify(o[k])}`);
  }
  for (const [k, ok] of Object.entries(optional)) {
    if (o[k] !== undefined && !ok(o[k])) {
      throw new RecordError(`field '${k}' has a bad value ${JSON.stringify(o[k])}`);
    }
  }
}

/** `value` as a task record (rank 0's `obs`), or a RecordError saying what is wrong. */
export function toTaskRecord(value: unknown): TaskRecord {
  check(value, TASK_FIELDS, {});
  const o = value as TaskRecord;
  const out = {} as Record<string, unknown>;
  for (const k of Object.keys(TASK_FIELDS)) out[k] = o[k as keyof TaskRecord];
  return out as TaskRecord;
}

/** `value` as an observation (a line of observations.jsonl), or a RecordError. */
export function toObservation(value: unknown): Observation {
  check(value, OBSERVATION_FIELDS, OPTIONAL_FIELDS);
  return value as Observation;
}

/** `value` as a monitor sample (a `mon` record, a line of monitor.jsonl), or a RecordError. */
export function toMonitorSample(value: unknown): MonitorSample {
  check(value, { t: num, rank: int, rss_bytes: num, cpu_percent: orNull(num) }, {
    cores: int,
    batch: str,
    phase: str,
  });
  return value as MonitorSample;
}
