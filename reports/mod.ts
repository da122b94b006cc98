/**
 * Reports: static HTML sites (index, one page per run, comparison pages), Markdown, CSV and
 * JSON exports of scalebench runs, dask-bench CSVs and hyperfine JSON files.
 *
 * @module
 */
import { errorMessage, quote, ValidationError } from "../core/errors.ts";
import { slug } from "./_escape.ts";
import { compareRuns } from "./compare.ts";
import { renderCsv } from "./csv.ts";
import { renderComparePage } from "./html_compare.ts";
import { renderIndexPage } from "./html_index.ts";
import { renderRunPage } from "./html_run.ts";
import { renderJson } from "./json.ts";
import { loadInputs } from "./load.ts";
import { renderMarkdown } from "./md.ts";
import { analyzeRun, type RunAnalysis } from "./model.ts";

export { analyzeRun, type RunAnalysis, type RunSource } from "./model.ts";
export { loadInput, loadInputs } from "./load.ts";
export { compareRuns } from "./compare.ts";
export { type Fits, fitScaling } from "./fits.ts";

/** Output formats of {@linkcode writeReport}. */
export const FORMATS = ["html", "md", "csv", "json"] as const;
/** An output format. */
export type ReportFormat = (typeof FORMATS)[number];

/** Options of {@linkcode writeReport}. */
export interface ReportOptions {
  outDir: string;
  format?: ReportFormat;
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

function uniqueNames(runs: RunAnalysis[]): string[] {
  const used = new Set<string>();
  return runs.map((r) => {
    const base = `run-${slug(r.src.id)}`;
    let name = base, i = 2;
    while (used.has(name)) name = `${base}-${i++}`;
    used.add(name);
    return `${name}.html`;
  });
}

/**
 * Write a report of `inputs` (run directories, dask-bench CSVs, hyperfine JSONs) into
 * `options.outDir`. Returns the files written and the index (index.html, or the single
 * md/csv/json file).
 */
export async function writeReport(
  inputs: string[],
  options: ReportOptions,
): Promise<{ files: string[]; index: string }> {
  const format = parseFormat(options.format ?? "html");
  const sources = await loadInputs(inputs, { onWarning: options.onWarning });
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
  if (format === "csv") return { files, index: await write("report.csv", renderCsv(runs)) };
  if (format === "json") {
    return { files, index: await write("report.json", renderJson(runs, comparisons)) };
  }
  const runHrefs = uniqueNames(runs);
  for (let i = 0; i < runs.length; i++) {
    await write(runHrefs[i], renderRunPage(runs[i], { indexHref: "index.html" }));
  }
  const cmpLinks: { cmp: (typeof comparisons)[number]; href: string }[] = [];
  const usedCmp = new Set<string>();
  for (const cmp of comparisons) {
    let href = `compare-${slug(cmp.workload)}.html`, i = 2;
    while (usedCmp.has(href)) href = `compare-${slug(cmp.workload)}-${i++}.html`;
    usedCmp.add(href);
    const hrefs = cmp.runs.map((r) => runHrefs[runs.indexOf(r)]);
    await write(href, renderComparePage(cmp, { indexHref: "index.html", runHrefs: hrefs }));
    cmpLinks.push({ cmp, href });
  }
  const index = await write(
    "index.html",
    renderIndexPage(runs, { runHrefs, comparisons: cmpLinks }),
  );
  return { files, index };
}
