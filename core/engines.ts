/**
 * The engines `--engine` can name, each loaded lazily (a rank loads only its own) by a literal
 * dynamic import, so bundles and compiled binaries include them. Add one line per engine.
 *
 * @module
 */
import type { Engine } from "./engine.ts";
import { quote, ValidationError } from "./errors.ts";

/** Engines by name. */
export const ENGINES: Record<string, () => Promise<Engine>> = {
  process: async () => (await import("./engine_process.ts")).processEngine,
  mpi: async () => (await import("./engine_mpi.ts")).mpiEngine,
  dask: async () => (await import("./engine_dask.ts")).daskEngine,
};

/** The engine names, for `--engine`'s choices and help. */
export const ENGINE_NAMES: readonly string[] = Object.keys(ENGINES);

/** Load an engine by name; an unknown one is a ValidationError naming the known ones. */
export async function loadEngine(name: string, options: { flag?: string } = {}): Promise<Engine> {
  const load = ENGINES[name];
  if (!load) {
    throw new ValidationError(
      `Unknown engine ${quote(name)} for ${options.flag ?? "--engine"} (known: ${
        ENGINE_NAMES.join(", ")
      })`,
    );
  }
  return await load();
}
