/**
 * Records a program writes, in any language: JSON lines appended to `$SCALEBENCH_RECORDS`,
 * `{"op": "name", "seconds": 1.23, "amount": 512, "unit": "MB", "ok": true, "error": null}`
 * (only `op` and `seconds` required). {@linkcode combineRepetition} turns one repetition's
 * records from every writer (rank, MPI rank, client) and what every rank ran into observations:
 * an op's seconds are the slowest writer's (the makespan rule of every workload), amounts add
 * up, and a failed process, an `ok: false` record, a malformed line or a writer that recorded
 * fewer ops than the others fails the observation with the reason.
 *
 * @module
 */
import type { ProgramRun } from "./engine.ts";
import type { TaskRecord } from "./observation.ts";
import { jsonLines } from "./results.ts";

/** One record line. */
export interface ExecRecord {
  op: string;
  seconds: number;
  amount?: number | null;
  unit?: string | null;
  ok?: boolean;
  error?: string | null;
}

/** The op of an observation timed around the program when it wrote no records. */
export const EXEC_OP = "exec";

/** A writer's records file, parsed: its records, or why it is unusable. */
export interface ParsedRecords {
  records: ExecRecord[];
  /** The first malformed line, described (the writer's records then count for nothing) */
  error: string | null;
}

function describe(value: unknown): string | null {
  const r = value as Record<string, unknown>;
  if (!r || typeof r !== "object" || Array.isArray(r)) return "is not a JSON object";
  if (typeof r.op !== "string" || !r.op.trim() || r.op.length > 200 || r.op === "*") {
    return 'needs "op": a name of 1 to 200 characters';
  }
  if (typeof r.seconds !== "number" || !Number.isFinite(r.seconds) || r.seconds < 0) {
    return 'needs "seconds": a number ≥ 0';
  }
  if (
    r.amount !== undefined && r.amount !== null &&
    (typeof r.amount !== "number" || !Number.isFinite(r.amount) || r.amount < 0)
  ) return 'has an "amount" that is not a number ≥ 0';
  if (r.unit !== undefined && r.unit !== null && typeof r.unit !== "string") {
    return 'has a "unit" that is not a string';
  }
  if (r.ok !== undefined && typeof r.ok !== "boolean") return 'has an "ok" that is not true/false';
  if (r.error !== undefined && r.error !== null && typeof r.error !== "string") {
    return 'has an "error" that is not a string';
  }
  return null;
}

/** Parse a records file's text; blank lines are skipped, the first bad line makes `error`. */
export function parseRecords(text: string): ParsedRecords {
  const records: ExecRecord[] = [];
  for (const { n, line, value } of jsonLines(text)) {
    const bad = value === undefined ? "is not JSON" : describe(value);
    if (bad) return { records, error: `records line ${n} ${bad}: ${line.slice(0, 120)}` };
    const r = value as ExecRecord;
    records.push({
      op: r.op.trim(),
      seconds: r.seconds,
      amount: r.amount ?? null,
      unit: r.unit ?? null,
      ok: r.ok ?? true,
      error: r.error ?? null,
    });
  }
  return { records, error: null };
}

/** What one rank contributes to a repetition. */
export interface RankOutcome {
  rank: number;
  run: ProgramRun;
  /** Records files found on this rank's node: writer id → text */
  files: { writer: number; text: string }[];
}

/** Options of {@linkcode combineRepetition}. */
export interface CombineOptions {
  rep: number;
  warmup: boolean;
  /** Whose records count: every rank's, or whoever wrote some (core/engine.ts) */
  records: "every-rank" | "writers";
  ranks: number;
  /** The operations this repetition must record; null: not known yet (its records define them) */
  ops: string[] | null;
}

/** A combined repetition. */
export interface CombinedRepetition {
  /** The observations, in op order */
  observations: TaskRecord[];
  /** The operations (given, or defined now: null while still unknown) */
  ops: string[] | null;
  /** Ops recorded but not among the known ones (dropped) */
  dropped: string[];
}

interface OpEntry {
  seconds: number;
  amount: number | null;
  unit: string | null;
  error: string | null;
}

function sumRecords(list: ExecRecord[]): OpEntry {
  const failed = list.filter((r) => r.ok === false);
  const amounts = list.filter((r) => typeof r.amount === "number");
  return {
    seconds: list.reduce((s, r) => s + r.seconds, 0),
    amount: amounts.length ? amounts.reduce((s, r) => s + (r.amount as number), 0) : null,
    unit: list.find((r) => r.unit)?.unit ?? null,
    error: failed.length ? (failed.map((r) => r.error || "ok: false").join("; ")) : null,
  };
}

function processFailure(o: RankOutcome): string | null {
  const r = o.run;
  if (!r.ran || (r.code === 0 && !r.signal)) return null;
  const how = r.signal ? `was killed by ${r.signal}` : `exited with code ${r.code}`;
  return `rank ${o.rank}: the program ${how}${r.stderrTail ? `\n${r.stderrTail}` : ""}`;
}

/**
 * One repetition's observations from every rank's outcome (rank order). Rank 0 calls it with what
 * it gathered; the result's `ops` become the known ops of the following repetitions.
 */
export function combineRepetition(
  outcomes: RankOutcome[],
  options: CombineOptions,
): CombinedRepetition {
  const procFail = outcomes.map(processFailure).filter((x): x is string => x !== null);
  const ran = outcomes.filter((o) => o.run.ran);
  const rankSeconds = ran.map((o) => o.run.seconds);
  const peaks = outcomes.map((o) => o.run.peakRssBytes ?? 0);
  const peak = ran.some((o) => o.run.peakRssBytes !== null)
    ? peaks.reduce((a, b) => a + b, 0)
    : null;
  // writers: parsed files, deduplicated by id (several ranks may see one shared directory)
  const writers = new Map<number, ParsedRecords>();
  for (const o of outcomes) {
    for (const f of o.files) {
      if (!writers.has(f.writer)) writers.set(f.writer, parseRecords(f.text));
    }
  }
  const ids = [...writers.keys()].sort((a, b) => a - b);
  const parseFail = ids.filter((id) => writers.get(id)!.error)
    .map((id) => `rank ${id}: ${writers.get(id)!.error}`);
  const recorded: string[] = [];
  for (const id of ids) {
    for (const r of writers.get(id)!.records) if (!recorded.includes(r.op)) recorded.push(r.op);
  }
  const base = {
    rep: options.rep,
    warmup: options.warmup,
    t_start: null,
    t_end: null,
    peak_rss_bytes: peak,
    rank_peak_rss_bytes: peaks,
  };
  // an observation timed around what the ranks ran (the program wrote no records for it)
  const timedAround = (reasons: string[]): TaskRecord => {
    const seconds = rankSeconds.length ? Math.max(...rankSeconds) : null;
    if (seconds === null && !reasons.length) reasons = ["No rank ran the program"];
    return {
      ...base,
      op: EXEC_OP,
      seconds,
      rank_seconds: rankSeconds,
      ok: reasons.length === 0,
      error: reasons.length ? reasons.join("\n") : null,
      unit: null,
      rate: null,
    };
  };
  const ops = options.ops ?? recorded;
  if (!ops.length) {
    // nothing recorded (or only garbage), nothing declared: the program as a whole
    const obs = timedAround([...procFail, ...parseFail]);
    return { observations: [obs], ops: obs.ok ? [EXEC_OP] : null, dropped: [] };
  }
  const dropped = recorded.filter((op) => !ops.includes(op));
  // whose records each op needs: every rank's, or every writer's
  const expected = options.records === "every-rank"
    ? Array.from({ length: options.ranks }, (_, i) => i)
    : ids;
  const observations: TaskRecord[] = ops.map((op) => {
    if (op === EXEC_OP && !recorded.includes(EXEC_OP)) {
      return timedAround([...procFail, ...parseFail]);
    }
    const entries: OpEntry[] = [];
    const reasons: string[] = [...procFail, ...parseFail];
    const missing: number[] = [];
    for (const id of expected) {
      const w = writers.get(id);
      const list = w?.records.filter((r) => r.op === op) ?? [];
      if (!list.length) {
        if (!w?.error) missing.push(id);
        continue;
      }
      const e = sumRecords(list);
      entries.push(e);
      if (e.error) reasons.push(`rank ${id}: ${e.error}`);
    }
    if (missing.length && entries.length) {
      reasons.push(
        `${missing.length === 1 ? "rank" : "ranks"} ${missing.join(", ")} recorded no '${op}'`,
      );
    } else if (!entries.length && !reasons.length) {
      reasons.push(`No record of operation '${op}'`);
    }
    const seconds = entries.length ? Math.max(...entries.map((e) => e.seconds)) : null;
    const amounts = entries.filter((e) => e.amount !== null);
    const amount = amounts.length ? amounts.reduce((s, e) => s + e.amount!, 0) : null;
    const unit = entries.find((e) => e.unit)?.unit ?? (amount !== null ? "items" : null);
    return {
      ...base,
      op,
      seconds,
      rank_seconds: entries.map((e) => e.seconds),
      ok: reasons.length === 0,
      error: reasons.length ? reasons.join("\n") : null,
      unit: unit ? `${unit}/s` : null,
      rate: amount !== null && seconds !== null && seconds > 0 ? amount / seconds : null,
    };
  });
  return { observations, ops: options.ops ?? (ops.length ? ops : null), dropped };
}
