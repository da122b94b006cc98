/**
 * Reports: static HTML sites (index, one page per run, per workload a history page and a
 * provider comparison, every figure also as SVG/PNG), Markdown, CSV and JSON exports (each with
 * a schema of its columns) of scalebench runs, dask-bench CSVs and hyperfine JSON files.
 *
 * @module
 */
import { errorMessage, quote, ValidationError } from "../core/errors.ts";
import { compareRuns } from "./compare.ts";
import { csvSchema, renderCsv } from "./csv.ts";
import { jsonSchema, renderJson } from "./json.ts";
import { loadInputs } from "./load.ts";
import { renderMarkdown } from "./md.ts";
import { analyzeRun } from "./model.ts";
import { expandInputs, writeSite } from "./site.ts";

export { analyzeRun, type RunAnalysis, type RunSource } from "./model.ts";
export { loadInput, loadInputs } from "./load.ts";
export { compareRuns } from "./compare.ts";
export { type Fits, fitScaling } from "./fits.ts";
export { expandInputs, type SiteOptions, type SiteResult, writeSite } from "./site.ts";

/** Output formats of {@linkcode writeReport}. */
export const FORMATS = ["html", "md", "csv", "json"] as const;
/** An output format. */
export type ReportFormat = (typeof FORMATS)[number];

/** Options of {@linkcode writeReport}. */
export interface ReportOptions {
  outDir: string;
  format?: ReportFormat;
  /** HTML: also write a PNG of every figure (beside its SVG) */
  png?: boolean;
  /** HTML: ignore the cache of an earlier build and render every page */
  rebuild?: boolean;
  onWarning?: (m: string) => void;
}

/** Check a `--format` value. */
export function parseFormat(value: string): ReportFormat {
  if ((FORMATS as readonly string[]).includes(value)) return value as ReportFormat;
  throw new ValidationError(
    `Unknown format ${quote(value)} for --format (known: ${FORMATS.join(", ")})`,
  );
}

function join(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/**
 * Write a report of `inputs` (run directories, dask-bench CSVs, hyperfine JSONs) into
 * `options.outDir`. Returns the files written and the index (index.html, or the single
 * md/csv/json file).
 */
export async function writeReport(
  inputs: string[],
  options: ReportOptions,
): Promise<{ files: string[]; index: string; figures?: string[]; rendered?: string[] }> {
  const format = parseFormat(options.format ?? "html");
  if (format === "html") {
    return await writeSite(inputs, {
      outDir: options.outDir,
      png: options.png,
      rebuild: options.rebuild,
      onWarning: options.onWarning,
    });
  }
  const sources = await loadInputs(await expandInputs(inputs), { onWarning: options.onWarning });
  const runs = sources.map((s) => analyzeRun(s));
  const comparisons = compareRuns(runs);
  try {
    await Deno.mkdir(options.outDir, { recursive: true });
  } catch (err) {
    throw new ValidationError(
      `Cannot write the report to ${quote(options.outDir, 200)} (-o): ${errorMessage(err)}`,
    );
  }
  const files: string[] = [];
  const write = async (name: string, text: string) => {
    const path = join(options.outDir, name);
    try {
      await Deno.writeTextFile(path, text);
    } catch (err) {
      throw new ValidationError(`Cannot write ${quote(path, 200)} (-o): ${errorMessage(err)}`);
    }
    files.push(path);
    return path;
  };
  if (format === "md") {
    const index = await write("report.md", renderMarkdown(runs, comparisons));
    return { files, index };
  }
  if (format === "csv") {
    const index = await write("report.csv", renderCsv(runs));
    await write("report.csv-metadata.json", csvSchema());
    return { files, index };
  }
  const index = await write("report.json", renderJson(runs, comparisons));
  await write("report.schema.json", jsonSchema());
  return { files, index };
}
