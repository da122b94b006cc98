/**
 * The providers: the built-in registry (a typed map from name to provider) and plugins loaded by
 * path, URL or npm: specifier ({@linkcode loadProvider}). Unknown names are rejected with the
 * list of known ones. Providers must not load heavy dependencies at import time.
 *
 * @example Load a provider by name or from a plugin file
 * ```ts
 * import { loadProvider } from "./mod.ts";
 *
 * const { provider, ref } = await loadProvider("local");
 * console.log(provider.name, ref); // local local
 * ```
 *
 * @module
 */
import { errorMessage, quote, ValidationError } from "../core/errors.ts";
import type { Provider } from "../core/provider.ts";
import { providerFromModule } from "../core/provider_api.ts";
import { localProvider } from "./local.ts";
import { kubernetesProvider } from "./kubernetes/mod.ts";
import { slurmProvider } from "./slurm/mod.ts";
import { sshProvider } from "./ssh/mod.ts";

/** Every built-in provider, by name. Add one line per provider. */
export const PROVIDERS: Record<string, Provider> = {
  local: localProvider,
  slurm: slurmProvider,
  kubernetes: kubernetesProvider,
  ssh: sshProvider,
};

/** Names of the built-in providers. */
export function providerNames(): string[] {
  return Object.keys(PROVIDERS);
}

/** The built-in provider called `name`; unknown → ValidationError naming the flag and the known ones. */
export function getProvider(name: string, options: { flag?: string } = {}): Provider {
  if (Object.hasOwn(PROVIDERS, name)) return PROVIDERS[name];
  throw new ValidationError(
    `Unknown provider ${quote(name)}${options.flag ? ` (${options.flag})` : ""} (known: ${
      providerNames().join(", ")
    }; or a plugin: ./file.ts, a URL or an npm: specifier)`,
  );
}

/** Whether a provider argument names a plugin rather than a built-in. */
export function isPluginSpecifier(arg: string): boolean {
  return /^(file:|https?:|npm:)/.test(arg) || /[\\/]|\.(ts|js|mts|mjs|tsx)$/.test(arg);
}

/** A plugin argument as an absolute specifier: paths become file:// URLs (relative to `cwd`). */
export function pluginRef(arg: string, cwd = Deno.cwd()): string {
  if (/^(file:|https?:|npm:)/.test(arg)) return arg;
  return new URL(arg, `file://${cwd.replace(/\/?$/, "/")}`).href;
}

/**
 * A provider by name (built-in) or plugin specifier (`./my_provider.ts`, `file://`, `https://`,
 * `npm:`): the module's default export is a provider, or a function that receives the provider
 * API (core/provider_api.ts) and returns one. `ref` is what the manifest records, so that
 * `--resume` loads the same provider.
 */
export async function loadProvider(
  arg: string,
  options: { flag?: string } = {},
): Promise<{ provider: Provider; ref: string }> {
  if (!isPluginSpecifier(arg)) return { provider: getProvider(arg, options), ref: arg };
  const ref = pluginRef(arg);
  const shown = quote(
    ref.startsWith("file://") ? decodeURIComponent(new URL(ref).pathname) : ref,
    200,
  );
  if (ref.startsWith("file://")) {
    try {
      if (!(await Deno.stat(new URL(ref))).isFile) throw new Error("not a file");
    } catch {
      throw new ValidationError(
        `Provider plugin ${shown}${
          options.flag ? ` (${options.flag})` : ""
        } is not a readable file`,
      );
    }
  }
  let mod: Record<string, unknown>;
  try {
    mod = await import(ref);
  } catch (err) {
    throw new ValidationError(`Provider plugin ${shown} failed to load: ${errorMessage(err)}`);
  }
  return { provider: await providerFromModule(mod, `Provider plugin ${shown}`), ref };
}
