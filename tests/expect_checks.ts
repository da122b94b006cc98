/**
 * A run's checks record with every kind of outcome, from synthetic runs (tests/expect_synthetic.ts):
 * a failed check, passed, failed, inconclusive and skipped expectations, and a baseline comparison
 * with a regression, an untested point and an environment difference. Names carry XML's and
 * Markdown's special characters.
 *
 * @module
 */
import { parseExpectation } from "../core/expect.ts";
import { judgeExpectations } from "../reports/expect.ts";
import { compareWithBaseline } from "../reports/expect_baseline.ts";
import { type RunChecks, runChecks } from "../reports/expect_run.ts";
import { lognormal } from "./calibration.ts";
import { amdahl, seeded, syntheticRun } from "./expect_synthetic.ts";

/** The record; `strict` counts the inconclusive expectation as failed. */
export function sampleChecks(options: { strict?: boolean } = {}): RunChecks {
  const random = seeded(21);
  const ops = { "a<b> & 'c'|d": amdahl(1, 0.5), sort: amdahl(0.5, 0.2) };
  const noise = lognormal(0.02);
  const base = syntheticRun({ ops, cores: [1, 2], reps: 5, noise, random, id: "base-1" });
  const run = syntheticRun({
    ops: { ...ops, sort: amdahl(0.65, 0.2) },
    cores: [1, 2, 4],
    reps: 5,
    noise,
    random,
    id: "run-2",
    failing: ["sort@4#0"],
  });
  const p2 = run.ops[0].points.find((p) => p.cores === 2)!;
  const mid = Number(((p2.intervals.efficiency!.lo + p2.intervals.efficiency!.hi) / 2).toFixed(4));
  const expectations = judgeExpectations(run, [
    { ...parseExpectation("op:a<b> & 'c'|d efficiency>=0.5@2"), skipped: null },
    { ...parseExpectation("op:sort efficiency>=0.95@2"), skipped: null },
    { ...parseExpectation(`op:a<b> & 'c'|d efficiency>=${mid}@2`), skipped: null },
    {
      ...parseExpectation("speedup>=8@16", "workload 'synthetic'"),
      skipped: "is about 16 cores, which this run does not measure (planned: 1, 2, 4)",
    },
    { ...parseExpectation("op:sort amdahl.s<=0.5"), skipped: null },
  ], { strict: options.strict });
  const baseline = compareWithBaseline(base, run, {
    dir: "results/base-1",
    environment: [{ field: "host", base: "node-a", run: "node-b" }],
  });
  return runChecks(run, { expectations, baseline, strict: options.strict ?? false });
}
