/**
 * How people read an observation: one wording for the progress lines, `scalebench show`, the
 * reports and error messages. Repetitions are counted from 1 for people ("rep 1" is the first
 * measured repetition, "warm-up 1" the first warm-up); `observations.jsonl` keeps the schema's
 * 0-based `rep`.
 *
 * @example
 * ```ts
 * import { failureLine, repLabel } from "./labels.ts";
 * repLabel({ rep: 0, warmup: false }); // "rep 1"
 * failureLine({ op: "burn", cores: 2, rep: 0, warmup: false, error: "got 41, wanted 42" });
 * // "burn · 2 cores · rep 1: got 41, wanted 42"
 * ```
 *
 * @module
 */

/** A repetition for people: `rep N` or `warm-up N`, counted from 1. */
export function repLabel(o: { rep: number; warmup: boolean }): string {
  return `${o.warmup ? "warm-up" : "rep"} ${o.rep + 1}`;
}

/** `1 core`, `2 cores`. */
export function coresLabel(cores: number): string {
  return `${cores} core${cores === 1 ? "" : "s"}`;
}

/** The first line of an error message (the rest is in `show`'s details and the report). */
export function firstLine(error: string | null | undefined): string {
  const line = (error ?? "").split("\n").find((l) => l.trim()) ?? "";
  return line.trim() || "failed without a message";
}

/** One failed observation on one line: `op · N cores · rep N: message`. */
export function failureLine(
  o: { op: string; cores: number; rep: number; warmup: boolean; error: string | null },
): string {
  return `${o.op} · ${coresLabel(o.cores)} · ${repLabel(o)}: ${firstLine(o.error)}`;
}
