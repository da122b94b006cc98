/**
 * `measure()` of `scalebench/testing`: run a workload in process at some scale points
 * (core/expect_measure.ts) and return the analysed run, on which a test asserts scaling
 * expectations and the absence of regressions:
 *
 * ```ts ignore
 * import { measure } from "scalebench/testing";
 * import sum from "./sum.ts"; // or its URL: new URL("./sum.ts", import.meta.url)
 * Deno.test("sum scales", async () => {
 *   const r = await measure(sum, { cores: [1, 2] });
 *   r.expect("efficiency>=0.8@2"); // AssertionError with the numbers when it fails
 * });
 * ```
 *
 * @module
 */
import { AssertionError } from "node:assert";
import { checkExpectation, parseExpectation, type PlannedExpectation } from "../core/expect.ts";
import {
  assertComparable,
  type Comparable,
  environmentDifferences,
  readBaselineManifest,
  type RunIdentity,
} from "../core/expect_baseline.ts";
import { type Measured, measureInProcess, type MeasureOptions } from "../core/expect_measure.ts";
import { scopeOf } from "../core/expect_run.ts";
import { captureEnvironment } from "../core/environment.ts";
import { planRecord } from "../core/planner.ts";
import { quote } from "../core/errors.ts";
import { coresLabel } from "../core/labels.ts";
import type { EnvironmentInfo } from "../core/types.ts";
import type { WorkloadExport, WorkloadLoader } from "../core/workload.ts";
import { type ExpectationResult, judgeExpectations } from "./expect.ts";
import { type BaselineResult, compareWithBaseline } from "./expect_baseline.ts";
import { analyzeRunDir } from "./expect_run.ts";
import { analyzeRun, type PointStats, type RunAnalysis, type RunSource } from "./model.ts";

export type { MeasureOptions };

/** Options of {@linkcode MeasuredRun.expect}. */
export interface ExpectOptions {
  /** An inconclusive expectation (its interval straddles the bound) fails too */
  strict?: boolean;
}

/** A workload measured in process, analysed (reports/model.ts), ready for assertions. */
export class MeasuredRun {
  /** Where the workload came from: a built-in name or a file:// URL */
  readonly ref: string;
  /** Every observation, warm-ups included */
  readonly observations: Measured["observations"];
  /** Statistics, intervals and fits per operation and point */
  readonly analysis: RunAnalysis;
  readonly #measured: Measured;
  readonly environment: EnvironmentInfo;

  constructor(measured: Measured, analysis: RunAnalysis, environment: EnvironmentInfo) {
    this.#measured = measured;
    this.ref = measured.ref;
    this.observations = measured.observations;
    this.analysis = analysis;
    this.environment = environment;
  }

  /** The workload's name. */
  get workload(): string {
    return this.#measured.definition.name;
  }

  /** The statistics of `op` at `cores` (first operation when `op` is omitted). */
  point(cores: number, op?: string): PointStats | undefined {
    const o = op === undefined ? this.analysis.ops[0] : this.analysis.ops.find((x) => x.op === op);
    return o?.points.find((p) => p.cores === cores);
  }

  /**
   * Judge an expectation (`efficiency>=0.8@2`, `amdahl.s<=0.1`, `op:NAME …`; core/expect.ts) with
   * the run's intervals, one result per operation it is about. A mistake in it (an unknown
   * operation, a point not measured) throws a ValidationError.
   */
  judge(text: string, options: ExpectOptions = {}): ExpectationResult[] {
    const e = parseExpectation(text, "measure()");
    checkExpectation(e, scopeOf(this.#measured.plan, this.#measured.definition));
    const planned: PlannedExpectation = { ...e, skipped: null };
    return judgeExpectations(this.analysis, [planned], {
      strict: options.strict,
      strictName: "strict",
    });
  }

  /**
   * Assert an expectation: throws an AssertionError with the numbers when it fails (or, with
   * `strict`, is inconclusive); returns the judged results otherwise.
   */
  expect(text: string, options: ExpectOptions = {}): ExpectationResult[] {
    const results = this.judge(text, options);
    const failed = results.filter((r) => r.failed);
    if (failed.length) {
      throw new AssertionError({
        message: `Expectation ${quote(text.trim(), 120)} of ${this.workload}: ${
          failed.map((r) => r.message).join("; ")
        }`,
      });
    }
    return results;
  }

  /** The environment and provider, for environmentDifferences. */
  identity(): RunIdentity {
    return { environment: this.environment, provider: { name: "in-process" }, workload: null };
  }

  /** What this run must share with a baseline to be compared. */
  comparable(): Comparable {
    return {
      workload: this.workload,
      mode: this.#measured.plan.mode,
      params: this.#measured.plan.params,
    };
  }

  /**
   * Compare with a baseline — another measured run or a recorded run directory — per operation
   * and point (reports/expect_baseline.ts). A baseline of another workload, mode or parameters
   * is refused (ValidationError).
   */
  async compare(
    baseline: MeasuredRun | string,
    options: { maxRegression?: number; level?: number } = {},
  ): Promise<BaselineResult> {
    const level = options.level ?? 0.95;
    if (baseline instanceof MeasuredRun) {
      assertComparable(baseline.comparable(), this.comparable(), "The baseline");
      return compareWithBaseline(baseline.analysis, this.analysis, {
        dir: "(measured in process)",
        maxRegression: options.maxRegression,
        level,
        environment: environmentDifferences(baseline.identity(), this.identity()),
      });
    }
    const manifest = await readBaselineManifest(baseline, "baseline");
    assertComparable(
      { workload: manifest.workload.name, mode: manifest.mode, params: manifest.workload.params },
      this.comparable(),
      `Baseline ${quote(baseline, 200)}`,
    );
    const base = await analyzeRunDir(baseline, { level });
    return compareWithBaseline(base.analysis, this.analysis, {
      dir: baseline,
      maxRegression: options.maxRegression,
      level,
      environment: environmentDifferences(manifest, this.identity()),
    });
  }

  /**
   * Assert that nothing is slower than the baseline by more than `maxRegression` (a fraction,
   * default 0.1) with 95 % confidence; throws an AssertionError listing the regressions.
   */
  async expectNoRegression(
    baseline: MeasuredRun | string,
    options: { maxRegression?: number; level?: number } = {},
  ): Promise<BaselineResult> {
    const result = await this.compare(baseline, options);
    const bad = result.rows.filter((r) => r.regressed);
    if (bad.length) {
      throw new AssertionError({
        message: `${this.workload} regressed against its baseline: ${
          bad.map((r) => r.message).join("; ")
        }`,
      });
    }
    return result;
  }
}

/** Options of {@linkcode measure}. */
export interface MeasureRunOptions extends MeasureOptions {
  /** Where workloads come from (`scalebench/testing`'s measure passes the built-ins' loader) */
  workloads: WorkloadLoader;
  /** Keep going when an observation's check fails (default: an AssertionError) */
  allowFailures?: boolean;
  /** Confidence level of every interval (default 0.95) */
  level?: number;
}

/**
 * Run `workload` — a workload file's default export as imported, a built-in name, a path or a URL
 * (core/expect_measure.ts) — in this process at `options.cores` (reps 5 and one warm-up per point
 * by default) and analyse it. A failed check throws an AssertionError unless `allowFailures`.
 */
export async function measure(
  workload: string | URL | WorkloadExport,
  options: MeasureRunOptions,
): Promise<MeasuredRun> {
  const measured = await measureInProcess(workload, options);
  const failed = measured.observations.filter((o) => !o.ok);
  if (failed.length && !options.allowFailures) {
    throw new AssertionError({
      message: `${failed.length} observation${
        failed.length > 1 ? "s" : ""
      } of ${measured.definition.name} failed: ${
        failed.slice(0, 3).map((o) => `${o.op} at ${coresLabel(o.cores)}: ${o.error ?? "failed"}`)
          .join("; ")
      }`,
    });
  }
  const environment = captureEnvironment();
  const { plan, definition } = measured;
  const src: RunSource = {
    kind: "scalebench",
    path: measured.ref,
    id: `${definition.name}-in-process`,
    label: `${definition.name} (in process)`,
    workload: definition.name,
    summary: definition.summary,
    mode: plan.mode,
    params: plan.params,
    provider: { name: "in-process", settings: {} },
    environment,
    plan: planRecord(plan, { seed: options.seed ?? 1, timeout: 0 }),
    startedAt: null,
    endedAt: null,
    status: failed.length ? "failed" : "complete",
    operations: plan.operations,
    observations: measured.observations,
    monitor: [],
    aggregates: [],
    warnings: [],
  };
  return new MeasuredRun(measured, analyzeRun(src, { level: options.level }), environment);
}
