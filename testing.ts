/**
 * `scalebench/testing`: what a provider plugin's author needs — the provider contract (types and
 * the API a plugin's default-export function receives) and the provider conformance suite, which
 * proves a provider with one call — and `measure()`, which runs a workload in process at some
 * scale points so that a test asserts how it scales.
 *
 * @example Prove a provider plugin in its test file
 * ```ts ignore
 * import { assertNoRanksLeft, providerConformance } from "scalebench/testing";
 * import { providerApi } from "scalebench/testing";
 * import makeProvider from "./my_provider.ts";
 *
 * providerConformance({
 *   provider: makeProvider(providerApi),
 *   settings: { launcher: "env" },
 *   assertNothingLeft: ({ runDir }) => assertNoRanksLeft(runDir),
 * });
 * ```
 *
 * @example Assert how a workload scales, in a `deno test` file
 * ```ts ignore
 * import { measure } from "scalebench/testing";
 * import sum from "./sum.ts"; // a workload file (its URL works too)
 *
 * Deno.test("sum scales", async () => {
 *   const r = await measure(sum, { cores: [1, 2] });
 *   r.expect("efficiency>=0.8@2"); // pass, or an AssertionError with the value and its CI
 * });
 * ```
 *
 * @module
 */
import { builtinWorkloads } from "./workloads/mod.ts";
import type { WorkloadExport, WorkloadLoader } from "./core/workload.ts";
import {
  measure as measureRun,
  type MeasuredRun,
  type MeasureRunOptions,
} from "./reports/expect_measure.ts";
export {
  assertNoRanksLeft,
  type ConformanceTarget,
  FAULTY,
  providerConformance,
  rankProcesses,
} from "./tests/provider_conformance.ts";
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
export { type ProviderApi, providerApi, providerFromModule } from "./core/provider_api.ts";
export type { LineQueue } from "./core/provider_util.ts";
export {
  defineSettings,
  type SettingDecl,
  type SettingDecls,
  type Settings,
  type SettingsOf,
} from "./core/settings.ts";
export type { RankSpec } from "./core/protocol.ts";
export type { Batch, Plan, PlannedPoint, Task } from "./core/types.ts";
export { type RunOptions, type RunResult, runSweep } from "./core/run.ts";
export { builtinWorkloads } from "./workloads/mod.ts";
export {
  type ExpectOptions,
  MeasuredRun,
  type MeasureOptions,
  type MeasureRunOptions,
} from "./reports/expect_measure.ts";
export type { ExpectationResult, PointJudgement, Verdict } from "./reports/expect.ts";
export type { WorkloadApi, WorkloadDefinition, WorkloadExport } from "./core/workload.ts";
export type { BaselineResult, RegressionRow } from "./reports/expect_baseline.ts";

/**
 * Run a workload in this process at the given core counts and return the analysed run, for
 * `deno test`: `import sum from "./sum.ts"; … const r = await measure(sum, { cores: [1, 2] });
 * r.expect("efficiency>=0.8@2");` (reports/expect_measure.ts; 5 repetitions and one warm-up per
 * point by default). `workload`: a workload file's default export as imported (a definition or
 * the function given the API; its threads load that file), the file's URL or path, or a built-in
 * workload's name.
 */
export function measure(
  workload: string | URL | WorkloadExport,
  options: Omit<MeasureRunOptions, "workloads"> & { workloads?: WorkloadLoader },
): Promise<MeasuredRun> {
  return measureRun(workload, { workloads: builtinWorkloads, ...options });
}
