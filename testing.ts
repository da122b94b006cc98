/**
 * `scalebench/testing`: what a provider plugin's author needs — the provider contract (types and
 * the API a plugin's default-export function receives) and the provider conformance suite, which
 * proves a provider with one call.
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
 * @module
 */
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
