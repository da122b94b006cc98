/**
 * The provider registry: a typed map from name to provider. Unknown names are rejected with the
 * list of known ones. Providers must not load heavy dependencies at import time.
 *
 * @module
 */
import { quote, ValidationError } from "../core/errors.ts";
import { localProvider } from "./local.ts";
import { kubernetesProvider } from "./kubernetes/mod.ts";
import { slurmProvider } from "./slurm/mod.ts";
import type { Provider } from "./types.ts";

/** Every provider, by name. Add one line per provider. */
export const PROVIDERS = {
  local: localProvider,
  slurm: slurmProvider,
  kubernetes: kubernetesProvider,
} as const satisfies Record<string, Provider>;

/** A known provider name. */
export type ProviderName = keyof typeof PROVIDERS;

/** Names of the known providers. */
export function providerNames(): ProviderName[] {
  return Object.keys(PROVIDERS) as ProviderName[];
}

/** The provider called `name`; unknown → ValidationError naming the flag and the known ones. */
export function getProvider(name: string, options: { flag?: string } = {}): Provider {
  if (Object.hasOwn(PROVIDERS, name)) return PROVIDERS[name as ProviderName] as Provider;
  throw new ValidationError(
    `Unknown provider ${quote(name)}${options.flag ? ` (${options.flag})` : ""} (known: ${
      providerNames().join(", ")
    })`,
  );
}
