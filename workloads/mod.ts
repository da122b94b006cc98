/**
 * Built-in workloads, by name. Each is loaded lazily (so a rank process only loads its own), by a
 * literal dynamic import so that bundles and compiled binaries include them.
 *
 * @module
 */
import { quote, ValidationError } from "../core/errors.ts";
import {
  definitionFromModule,
  type LoadedWorkload,
  loadWorkloadFile,
  type WorkloadLoader,
} from "../core/workload.ts";
import { workerEntry } from "../core/_worker_entry.ts";

/** A built-in workload's loader and the URL of its source file. */
export interface BuiltinWorkload {
  load(): Promise<Record<string, unknown>>;
  source: string;
}

/** Built-in workloads. Add one line per workload. */
export const BUILTIN_WORKLOADS: Record<string, BuiltinWorkload> = {
  amdahl: { load: () => import("./amdahl.ts"), source: import.meta.resolve("./amdahl.ts") },
  arrays: { load: () => import("./arrays/mod.ts"), source: import.meta.resolve("./arrays/mod.ts") },
  "dirty-image": {
    load: () => import("./dirty_image/mod.ts"),
    source: import.meta.resolve("./dirty_image/mod.ts"),
  },
  dataframes: {
    load: () => import("./dataframes/mod.ts"),
    source: import.meta.resolve("./dataframes/mod.ts"),
  },
  "dask-arrays": {
    load: () => import("./dask_arrays/mod.ts"),
    source: import.meta.resolve("./dask_arrays/mod.ts"),
  },
  "dask-dataframes": {
    load: () => import("./dask_dataframes/mod.ts"),
    source: import.meta.resolve("./dask_dataframes/mod.ts"),
  },
  exec: { load: () => import("./exec.ts"), source: import.meta.resolve("./exec.ts") },
  hpcc: { load: () => import("./hpcc/mod.ts"), source: import.meta.resolve("./hpcc/mod.ts") },
};

/** Names of the built-in workloads. */
export function builtinNames(): string[] {
  return Object.keys(BUILTIN_WORKLOADS);
}

/**
 * Load a workload by reference: a built-in name or an absolute `file://` URL.
 * Unknown names are a ValidationError listing the known ones.
 */
export async function loadWorkload(ref: string): Promise<LoadedWorkload> {
  const builtin = BUILTIN_WORKLOADS[ref];
  if (builtin) {
    const definition = await definitionFromModule(
      await builtin.load(),
      `Built-in workload '${ref}'`,
    );
    return { ref, definition, sourceUrl: builtin.source };
  }
  if (/^(file|https?):\/\//.test(ref)) return await loadWorkloadFile(ref);
  throw new ValidationError(
    `Unknown workload ${quote(ref)} (known: ${
      builtinNames().join(", ")
    }; or give a path to a .ts file)`,
  );
}

/** The built-in workloads (and users' files by URL), as the loader the driver and ranks are given. */
export const builtinWorkloads: WorkloadLoader = {
  load: loadWorkload,
  names: builtinNames,
  threadEntry: () => workerEntry("./_thread_entry.ts", { base: import.meta.url, role: "thread" }),
};
