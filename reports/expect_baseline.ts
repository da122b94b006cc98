/**
 * A run against its baseline, per (operation, scale point): the ratio of median times new/base
 * with its two-sided confidence interval and verdict (faster / slower / indistinguishable; false
 * positive rate 1 − level when nothing changed, core/stats_compare.ts `compareSamples`), and the
 * regression test — slower than 1 + maxRegression with the one-sided bound's confidence
 * (`regressionTest`: at most 1 − level false alarms when the true slowdown is at most
 * maxRegression; 3 and 3 repetitions suffice). Only a regression fails.
 *
 * @module
 */
import type { EnvironmentDifference } from "../core/expect_baseline.ts";
import { compareSamples, type ComparisonVerdict, regressionTest } from "../core/stats_compare.ts";
import { type Interval, pct } from "../core/stats_interval.ts";
import { coresLabel } from "../core/labels.ts";
import { fmtInterval, fmtSig } from "./_format.ts";
import type { PointStats, RunAnalysis } from "./model.ts";

/** One sample of a comparison. */
export interface SampleSide {
  n: number;
  median: number;
  ci: Interval | null;
}

/** One operation at one scale point, this run against the baseline. */
export interface RegressionRow {
  op: string;
  cores: number;
  base: SampleSide;
  run: SampleSide;
  /** median(run) / median(base): above 1 is slower */
  ratio: number;
  /** Two-sided confidence interval of the ratio; null when the repetitions allow none */
  ci: Interval | null;
  verdict: ComparisonVerdict;
  /** Probability of "faster" or "slower" when nothing changed */
  falsePositiveRate: number | null;
  /** One-sided lower confidence bound of the ratio (the regression test's) */
  bound: Interval | null;
  /** Slower than 1 + maxRegression with the bound's confidence */
  regressed: boolean;
  /** Largest false-alarm probability when the true slowdown is at most maxRegression */
  falseAlarmRate: number | null;
  /** fail: a regression; untested: too few repetitions to show one */
  status: "pass" | "fail" | "untested";
  message: string;
}

/** A run compared with its baseline. */
export interface BaselineResult {
  /** The baseline run directory, as given */
  dir: string;
  runId: string;
  /** Allowed slowdown as a fraction (0.1: 10 %) */
  maxRegression: number;
  /** Confidence level of the tests */
  level: number;
  /** Where the two runs' environments differ (host, CPU, Deno, scalebench, workload source…) */
  environment: EnvironmentDifference[];
  rows: RegressionRow[];
  /** Points measured in only one of the two runs (not compared) */
  unmatched: { op: string; cores: number; only: "baseline" | "run" }[];
  /** Rows with a regression */
  regressions: number;
}

/** Options of {@linkcode compareWithBaseline}. */
export interface BaselineOptions {
  /** The baseline's directory, for the record */
  dir: string;
  /** Allowed slowdown as a fraction (default 0.1) */
  maxRegression?: number;
  /** Confidence level (default 0.95) */
  level?: number;
  /** Environment differences (core/expect_baseline.ts `environmentDifferences`) */
  environment?: EnvironmentDifference[];
}

function side(p: PointStats): SampleSide {
  return { n: p.seconds.length, median: p.summary!.median, ci: p.intervals.seconds };
}

function compareRow(
  op: string,
  pair: { base: PointStats; run: PointStats },
  options: { maxRegression: number; level: number },
): RegressionRow {
  const cmp = compareSamples(pair.base.seconds, pair.run.seconds, { level: options.level });
  const reg = regressionTest(pair.base.seconds, pair.run.seconds, options);
  const tested = reg.falseAlarmRate !== null;
  const status = reg.regressed ? "fail" : tested ? "pass" : "untested";
  const ratio = `new/base ${fmtInterval(cmp.ratio, cmp.ci)}${
    cmp.ci ? ` (${pct(cmp.ci.level)} CI)` : ""
  }`;
  const verdict = cmp.verdict === "untested" ? "too few repetitions to test" : cmp.verdict;
  return {
    op,
    cores: pair.base.cores,
    base: side(pair.base),
    run: side(pair.run),
    ratio: cmp.ratio,
    ci: cmp.ci,
    verdict: cmp.verdict,
    falsePositiveRate: cmp.falsePositiveRate,
    bound: reg.bound,
    regressed: reg.regressed,
    falseAlarmRate: reg.falseAlarmRate,
    status,
    message: `${op} at ${coresLabel(pair.base.cores)}: ${fmtSig(pair.base.summary!.median)} s → ${
      fmtSig(pair.run.summary!.median)
    } s, ${ratio}, ${verdict}; ${reg.reason}`,
  };
}

/**
 * Compare `run` with `base` at every (operation, core count) both measured with at least one
 * successful repetition.
 */
export function compareWithBaseline(
  base: RunAnalysis,
  run: RunAnalysis,
  options: BaselineOptions,
): BaselineResult {
  const maxRegression = options.maxRegression ?? 0.1, level = options.level ?? 0.95;
  const rows: RegressionRow[] = [];
  const unmatched: BaselineResult["unmatched"] = [];
  const ok = (p: PointStats | undefined) => !!p?.summary && p.summary.median > 0 && !p.imported;
  for (const ob of base.ops) {
    const or = run.ops.find((o) => o.op === ob.op);
    for (const pb of ob.points.filter(ok)) {
      const pr = or?.points.find((p) => p.cores === pb.cores);
      if (ok(pr)) {
        rows.push(compareRow(ob.op, { base: pb, run: pr! }, { maxRegression, level }));
      } else unmatched.push({ op: ob.op, cores: pb.cores, only: "baseline" });
    }
  }
  for (const or of run.ops) {
    const ob = base.ops.find((o) => o.op === or.op);
    for (const pr of or.points.filter(ok)) {
      if (!ok(ob?.points.find((p) => p.cores === pr.cores))) {
        unmatched.push({ op: or.op, cores: pr.cores, only: "run" });
      }
    }
  }
  return {
    dir: options.dir,
    runId: base.src.id,
    maxRegression,
    level,
    environment: options.environment ?? [],
    rows,
    unmatched,
    regressions: rows.filter((r) => r.regressed).length,
  };
}
