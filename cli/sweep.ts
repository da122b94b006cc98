/**
 * {@linkcode runSweep} by names, for library callers (mod.ts): the provider by name or plugin
 * specifier (providers/mod.ts), the built-in workloads' loader, and a resumed run's own provider.
 * core/run.ts's runSweep takes these injected.
 *
 * @module
 */
import { configFromManifest } from "../core/config_resume.ts";
import type { Provider } from "../core/provider.ts";
import { readManifest } from "../core/results.ts";
import { type RunOptions, type RunResult, runSweep as run } from "../core/run.ts";
import type { WorkloadLoader } from "../core/workload.ts";
import { loadProvider } from "../providers/mod.ts";
import { builtinWorkloads } from "../workloads/mod.ts";

/** {@linkcode RunOptions} with the provider by name and the loader optional. */
export interface NamedRunOptions extends Omit<RunOptions, "provider" | "workloads"> {
  /** A built-in name, a plugin (`./file.ts`, URL, `npm:`), or a provider object (default: local) */
  provider?: string | Provider;
  /** Default: the built-in workloads (and users' files) */
  workloads?: WorkloadLoader;
}

/** Run a sweep with names resolved: `runSweep({ workload: "amdahl", provider: "slurm", … })`. */
export async function runSweep(options: NamedRunOptions): Promise<RunResult> {
  let provider: Provider, ref = options.providerRef;
  if (typeof options.provider === "object") provider = options.provider;
  else {
    const stored = !options.provider && options.resume
      ? configFromManifest(await readManifest(options.resume)).provider
      : undefined;
    const loaded = await loadProvider(options.provider ?? stored ?? "local", {
      flag: "provider",
    });
    [provider, ref] = [loaded.provider, ref ?? loaded.ref];
  }
  return await run({
    ...options,
    provider,
    providerRef: ref,
    workloads: options.workloads ?? builtinWorkloads,
  });
}
