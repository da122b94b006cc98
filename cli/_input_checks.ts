/**
 * Checks of the command line's inputs that must fail before anything runs, with a message that
 * names what to fix: an unclosed quote in a `.env` file, a `--report` directory that is a file.
 *
 * @module
 */
import { quote, ValidationError } from "../core/errors.ts";

const QUOTES = ["'", '"', "`"];

/**
 * A `.env` value that opens a quote and never closes it: `node:util`'s parseEnv keeps the quote in
 * the value (`'1,2`), which would then be reported as a bad value far from its cause.
 * `values` is what parseEnv made of `text`.
 */
export function checkDotenvQuotes(
  text: string,
  values: Record<string, string>,
  path: string,
): void {
  for (const [key, value] of Object.entries(values)) {
    const q = value[0];
    if (!QUOTES.includes(q)) continue;
    const lines = text.split(/\r?\n/);
    const name = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const at = lines.findIndex((l) => new RegExp(`^\\s*(export\\s+)?${name}\\s*=`).test(l));
    throw new ValidationError(
      `Env file ${quote(path, 200)}${at >= 0 ? ` line ${at + 1}` : ""}: the value of ${key} ` +
        `opens a quote (${q}) that is never closed`,
    );
  }
}

/** `--report DIR` must be a directory or not exist yet (checked before the sweep starts). */
export async function checkReportDir(dir: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch {
    return; // made when the report is written
  }
  if (!info.isDirectory) {
    throw new ValidationError(
      `Flag --report expects a directory (got ${quote(dir, 200)}, which is a file)`,
    );
  }
}
