/**
 * `scalebench report RUN_DIR... [-o OUT_DIR] [--format html|md|csv|json] [--png] [--rebuild]`:
 * render a report of run directories, directories of runs (`results/`: a history site), dask-bench
 * CSVs or hyperfine JSONs; prints the index path on stdout and the readers' warnings (e.g. a torn
 * last line) on stderr. HTML builds are incremental.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { parseFormat, writeReport } from "../reports/mod.ts";

/** The `report` command. */
export function reportCommand() {
  return new Command("report")
    .description(
      "Render a static report (HTML site, Markdown, CSV or JSON) of runs; a directory of runs becomes a site with each workload's history and provider comparison",
    )
    .argument(
      "<run_dir...>",
      "run directories or directories of runs (also dask-bench *_arrays.csv/*_dataframes.csv and hyperfine --export-json files)",
    )
    .option("-o, --out <dir>", "output directory (default: <first run dir>/report)")
    .option("--format <format>", "html, md, csv or json", "html")
    .option("--png", "html: also write a PNG of every figure beside its SVG (no browser needed)")
    .option("--rebuild", "html: render every page again, ignoring what an earlier build cached")
    .action(async (inputs, opts) => {
      const format = parseFormat(opts.format);
      const first = inputs[0].replace(/\/+$/, "");
      const dir = first.replace(/\/[^/]*\.(csv|json)$/i, "").replace(/^[^/]*\.(csv|json)$/i, ".");
      const outDir = opts.out ?? `${dir || "."}/report`;
      const { index } = await writeReport(inputs, {
        outDir,
        format,
        png: opts.png ?? false,
        rebuild: opts.rebuild ?? false,
        onWarning: (m) => console.error(`Warning: ${m}`),
      });
      console.log(index);
    });
}
