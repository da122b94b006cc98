/**
 * scalebench measures how programs scale: it runs a workload — TypeScript, or any program — at
 * several scale points (cores, ranks, threads, nodes) through a provider (local processes, Slurm,
 * Kubernetes, hosts over ssh, a plugin), records every observation with memory and CPU monitoring,
 * checks each answer like a test, and renders static reports with timing tables, speedup and
 * efficiency plots and scaling-law fits.
 *
 * @example Run a strong-scaling sweep of the built-in `amdahl` workload on this machine
 * ```ts
 * import { runSweep } from "./mod.ts";
 *
 * const result = await runSweep({
 *   workload: "amdahl",
 *   params: { s: 0.1, work: 200 },
 *   cores: [1, 2],
 *   reps: 3,
 *   output: await Deno.makeTempDir(),
 * });
 * console.log(result.status, result.observations, result.runDir);
 * ```
 *
 * @example A workload module (the default export of a user's file)
 * ```ts
 * import { defineWorkload, int } from "./mod.ts";
 *
 * export default defineWorkload({
 *   name: "sum",
 *   summary: "Sum of n numbers",
 *   params: { n: int({ default: 1_000_000, min: 1 }) },
 *   operations: {
 *     sum: {
 *       run: (ctx) => {
 *         let s = 0;
 *         for (let i = 0; i < ctx.params.n; i++) s += i;
 *         return s;
 *       },
 *       check: (ctx, _state, s: number) => s === (ctx.params.n * (ctx.params.n - 1)) / 2,
 *     },
 *   },
 * });
 * ```
 *
 * @module
 */
export {
  type CheckResult,
  defineWorkload,
  type Kernel,
  type LoadedWorkload,
  type Metric,
  type Operation,
  partition,
  type RankContext,
  type ThreadInfo,
  type WorkloadApi,
  workloadApi,
  type WorkloadDefinition,
  type WorkloadLoader,
} from "./core/workload.ts";
export {
  bool,
  enumOf,
  float,
  int,
  type ParamsOf,
  type ParamSpec,
  type ParamSpecs,
  string,
} from "./core/params.ts";
export { type NamedRunOptions as RunOptions, runSweep } from "./cli/sweep.ts";
export { type RunResult } from "./core/run.ts";
export type { SweepEvent } from "./core/sweep.ts";
export { parseCores, parseLayout, planSweep, scalePoint } from "./core/planner.ts";
export { readRun, type RunData, RunStore } from "./core/results.ts";
export { completeConfig, resolveConfig, type ResolvedConfig, RUN_SETTINGS } from "./core/config.ts";
export {
  type ConfigSources,
  defineSettings,
  type SettingDecl,
  type SettingDecls,
  type Settings,
  type SettingsOf,
} from "./core/settings.ts";
export { ValidationError } from "./core/errors.ts";
export { BUILTIN_WORKLOADS, builtinWorkloads, loadWorkload } from "./workloads/mod.ts";
export { getProvider, loadProvider, PROVIDERS } from "./providers/mod.ts";
export {
  type Collected,
  defineProvider,
  type Emitted,
  type JobHandle,
  type JobState,
  type Provider,
  type ProviderContext,
  type ProviderSession,
} from "./core/provider.ts";
export { type ProviderApi, providerApi } from "./core/provider_api.ts";
export type * from "./core/types.ts";
export { VERSION } from "./core/version.ts";
export { median, quantile, summarize, type Summary } from "./core/stats.ts";
export {
  type BoundOp,
  type Interval,
  type IntervalMethod,
  judgeBound,
  type Judgement,
  medianCI,
} from "./core/stats_interval.ts";
export {
  compareSamples,
  type ComparisonVerdict,
  ratioCI,
  type RegressionResult,
  regressionTest,
  type SampleComparison,
} from "./core/stats_compare.ts";
export {
  type Estimate,
  type Fits,
  fitScaling,
  type ModelVerdict,
  type VerdictStatus,
} from "./reports/fits.ts";
export {
  type Expectation,
  parseExpectation,
  planExpectations,
  type PlannedExpectation,
} from "./core/expect.ts";
export type { ChecksPlan } from "./core/expect_run.ts";
export { type ExpectationResult, judgeExpectations, type Verdict } from "./reports/expect.ts";
export { type BaselineResult, compareWithBaseline } from "./reports/expect_baseline.ts";
export { evaluateRun, type RunChecks } from "./reports/expect_run.ts";
