/**
 * `scalebench report RUN_DIR... [-o OUT_DIR] [--format html|md|csv|json]`: render a report of run
 * directories (and dask-bench CSVs or hyperfine JSONs); prints the index path on stdout and the
 * readers' warnings (e.g. a torn last line) on stderr.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { parseFormat, writeReport } from "../reports/mod.ts";

/** The `report` command. */
export function reportCommand() {
  return new Command("report")
    .description(
      "Render a static report (HTML site, Markdown, CSV or JSON) of runs; several runs of one workload are compared",
    )
    .argument(
      "<run_dir...>",
      "run directories (also dask-bench *_arrays.csv/*_dataframes.csv and hyperfine --export-json files)",
    )
    .option("-o, --out <dir>", "output directory (default: <first run dir>/report)")
    .option("--format <format>", "html, md, csv or json", "html")
    .action(async (inputs, opts) => {
      const format = parseFormat(opts.format);
      const first = inputs[0].replace(/\/+$/, "");
      const dir = first.replace(/\/[^/]*\.(csv|json)$/i, "").replace(/^[^/]*\.(csv|json)$/i, ".");
      const outDir = opts.out ?? `${dir || "."}/report`;
      const { index } = await writeReport(inputs, {
        outDir,
        format,
        onWarning: (m) => console.error(`Warning: ${m}`),
      });
      console.log(index);
    });
}
