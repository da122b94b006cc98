/**
 * What a provider plugin receives when its module's default export is a function: the provider
 * API, so that a plugin file imports nothing from scalebench at run time and works with a source
 * checkout, the bundle and the compiled binary alike (like user workloads, core/workload.ts).
 *
 * ```ts ignore
 * // my_provider.ts
 * import type { ProviderApi } from "scalebench/testing";
 * export default (api: ProviderApi) => api.defineProvider({ name: "mine", ... });
 * ```
 *
 * @module
 */
import { quote, ValidationError } from "./errors.ts";
import { defineProvider, isProvider, type Provider } from "./provider.ts";
import { lineQueue, makeRankSpec, pumpToFile, rankEnvironment, tailFile } from "./provider_util.ts";
import { ranksPerNode } from "./planner.ts";
import { decodeRecord, RECORD_PREFIX } from "./protocol.ts";
import { defineSettings } from "./settings.ts";

/** The API object a plugin's default-export function is called with. */
export const providerApi = {
  defineProvider,
  defineSettings,
  makeRankSpec,
  rankEnvironment,
  lineQueue,
  pumpToFile,
  tailFile,
  /** How many ranks each node of a point gets (the plan's rule: as even as possible, first nodes one more) */
  ranksPerNode,
  decodeRecord,
  RECORD_PREFIX,
  ValidationError,
  quote,
} as const;
/** The type of {@linkcode providerApi}. */
export type ProviderApi = typeof providerApi;

/**
 * The provider in a plugin module: its default export, a provider or a function that receives
 * the API and returns one (possibly async). Anything else is a ValidationError naming `where`.
 */
export async function providerFromModule(
  mod: Record<string, unknown>,
  where: string,
): Promise<Provider> {
  let value = mod.default;
  if (typeof value === "function") {
    value = await (value as (api: ProviderApi) => unknown)(providerApi);
  }
  if (!isProvider(value)) {
    throw new ValidationError(
      `${where} has no default export that is a provider (an object with name, settings and open(), or a function returning one)`,
    );
  }
  if (!/^[A-Za-z0-9][\w.-]*$/.test(value.name)) {
    throw new ValidationError(
      `${where}: provider name ${quote(value.name)} must be letters, digits, '.', '_' or '-'`,
    );
  }
  return value;
}
