/**
 * Read the report's inputs: scalebench run directories (through `readRun`), dask-bench CSV files
 * and hyperfine JSON files.
 *
 * @module
 */
import { errorMessage, quote, ValidationError } from "../core/errors.ts";
import { readRun } from "../core/results.ts";
import { importDaskCsv } from "./import_dask.ts";
import { importHyperfine } from "./import_hyperfine.ts";
import { type RunSource, sourceFromRun } from "./model.ts";
import { readChecks } from "./expect_run.ts";

/** Read one input; warnings (torn lines…) go to `onWarning` and into the run's `warnings`. */
export async function loadInput(
  path: string,
  options: { onWarning?: (msg: string) => void } = {},
): Promise<RunSource[]> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new ValidationError(`Input ${quote(path, 200)} does not exist (RUN_DIR)`);
    }
    throw new ValidationError(`Cannot read input ${quote(path, 200)}: ${errorMessage(err)}`);
  }
  if (info.isDirectory) {
    const run = await readRun(path, { onWarning: options.onWarning });
    const src = sourceFromRun(run);
    src.checks = await readChecks(path, { onWarning: options.onWarning });
    return [src];
  }
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    throw new ValidationError(`Cannot read input ${quote(path, 200)}: ${errorMessage(err)}`);
  }
  if (/\.csv$/i.test(path)) return importDaskCsv(text, { path });
  if (/\.json$/i.test(path)) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new ValidationError(`${quote(path, 200)} is not valid JSON: ${errorMessage(err)}`);
    }
    return [importHyperfine(data, { path })];
  }
  throw new ValidationError(
    `Input ${
      quote(path, 200)
    } is neither a run directory, a dask-bench .csv nor a hyperfine .json file`,
  );
}

/** Read every input, in order. */
export async function loadInputs(
  inputs: readonly string[],
  options: { onWarning?: (msg: string) => void } = {},
): Promise<RunSource[]> {
  if (!inputs.length) throw new ValidationError("No input given: pass one or more RUN_DIR");
  const out: RunSource[] = [];
  for (const path of inputs) out.push(...await loadInput(path, options));
  return out;
}
