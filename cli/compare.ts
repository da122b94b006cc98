/**
 * `scalebench compare BASE NEW [--max-regression PCT] [--junit FILE] [--summary FILE] [--json]`:
 * every (operation, scale point) of run NEW against run BASE — ratio of medians with its
 * confidence interval, faster / slower / indistinguishable, and the regression test (slower than
 * 1 + PCT % with 95 % confidence). Exit 0 when nothing regressed, 1 when something did, 2 for bad
 * input (runs of another workload, mode or parameters are refused).
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { quote, ValidationError } from "../core/errors.ts";
import { ExitError } from "./exit.ts";

function percent(value: string): number {
  const v = Number(value.trim().replace(/\s*%$/, ""));
  if (value.trim() === "" || !Number.isFinite(v) || v < 0) {
    throw new ValidationError(
      `Flag --max-regression expects a percentage ≥ 0 (got ${quote(value)})`,
    );
  }
  return v;
}

/** The `compare` command. */
export function compareCommand() {
  return new Command("compare")
    .description(
      "Compare run NEW with run BASE per operation and scale point: ratio of medians with its confidence interval, faster/slower, regressions (exit 1)",
    )
    .argument("<base>", "the baseline run directory")
    .argument("<new>", "the run directory to check")
    .option(
      "--max-regression <pct>",
      "Fail when a point is slower than this many percent with 95 % confidence",
      "10",
    )
    .option("--junit <file>", "Write a JUnit XML file: one testcase per compared point")
    .option("--summary <file>", "Append a Markdown table to FILE (e.g. $GITHUB_STEP_SUMMARY)")
    .option("--json", "Print the comparison as one JSON object")
    .action(async (baseDir, newDir, opts) => {
      const maxRegression = percent(opts.maxRegression) / 100;
      const { analyzeRunDir, baselineOf, checkLines, runChecks, writeCiFiles } = await import(
        "../reports/expect_run.ts"
      );
      const run = await analyzeRunDir(newDir).catch((err) => {
        throw err instanceof ValidationError
          ? new ValidationError(`Run ${quote(newDir, 200)} (NEW): ${err.message}`)
          : err;
      });
      const baseline = await baselineOf(run, { baseDir, maxRegression, flag: "BASE" });
      const checks = runChecks(run.analysis, {
        expectations: [],
        baseline,
        strict: false,
        checks: [],
      });
      await writeCiFiles(checks, { junit: opts.junit ?? null, summary: opts.summary ?? null });
      if (opts.json) {
        console.log(JSON.stringify(checks)); // NaN and ±Infinity become null
      } else for (const line of checkLines(checks)) console.log(line);
      if (!checks.ok) throw new ExitError(1);
    });
}
