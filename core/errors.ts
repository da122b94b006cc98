/**
 * Errors. A {@linkcode ValidationError} is a user's mistake: the CLI prints its message as one
 * line on stderr and exits 2. Any other error is a bug and keeps its stack.
 *
 * Messages are capitalised, have no final period and quote values: `Unknown workload 'nope'`.
 *
 * @module
 */

/** A user's mistake: a bad flag, key, value or file. The message names what to fix. */
export class ValidationError extends Error {
  override name = "ValidationError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Quote a user value for an error message: `'value'`, shortened and made single-line. */
export function quote(value: unknown, max = 80): string {
  let s = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  s = s.replace(/[\r\n\t]/g, (c) => (c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\t"));
  if (s.length > max) s = s.slice(0, max - 1) + "…";
  return `'${s}'`;
}

/** The message of any thrown value, on one line. */
export function errorMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split("\n").map((l) => l.trim()).filter(Boolean).join(" ");
}
