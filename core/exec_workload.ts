/**
 * Command workloads on the driver: a program as the workload — a module whose definition names a
 * `command` (core/exec_define.ts), or `scalebench run --exec "CMD"` (built-in workload `exec`).
 * Here: the definition a run plans with, and the plan's `exec` (engine configured, argv checked)
 * before anything starts.
 *
 * Operations are not known before the program runs. Declared ones (a module's `ops`, `--ops`)
 * are planned as usual. Otherwise the plan has one task per repetition whose op is
 * {@linkcode ANY_OP} (`*`); the program's first repetition defines them (core/exec_rank.ts), the
 * driver learns them for later batches and the manifest (core/exec_sweep.ts), and `--resume`
 * plans with the learned ones ({@linkcode resumedOps}).
 *
 * @module
 */
import type { EngineCheckContext } from "./engine.ts";
import { loadEngine } from "./engines.ts";
import { commandName, splitCommand } from "./exec_argv.ts";
import { ANY_OP } from "./exec_define.ts";
import { findExecutable } from "./exec_process.ts";
import { quote, ValidationError } from "./errors.ts";
import type { ParamSpecs } from "./params.ts";
import type { ExecPlan, Manifest, Plan, RunConfig } from "./types.ts";
import type { LoadedWorkload, WorkloadDefinition } from "./workload.ts";

export { ANY_OP };

/**
 * The definition a run plans with. `--exec`: the built-in `exec` named after the program, its
 * `--set` parameters as strings, weak mode allowed (the program scales itself from
 * SCALEBENCH_MODE and SCALEBENCH_CORES). Misused flags are ValidationErrors.
 */
export function runDefinition(loaded: LoadedWorkload, config: RunConfig): LoadedWorkload {
  const def = loaded.definition;
  if (!def.command) {
    if (config.exec !== null) {
      throw new ValidationError(
        `--exec runs a program as the workload: leave out workload ${quote(config.workload)}`,
      );
    }
    if (config.engine !== null) {
      throw new ValidationError(
        `--engine applies to programs (--exec or a command workload); workload '${def.name}' has operations`,
      );
    }
    return loaded;
  }
  if (def.command.argv !== null) {
    if (config.exec !== null) {
      throw new ValidationError(
        `Workload '${def.name}' names its own command: leave out --exec, or leave out the workload`,
      );
    }
    return loaded;
  }
  if (config.exec === null) {
    throw new ValidationError(`Workload '${def.name}' runs the program given with --exec COMMAND`);
  }
  const argv = splitCommand(config.exec);
  const params: ParamSpecs = {};
  for (const [k, v] of Object.entries(config.params)) {
    params[k] = { type: "string", default: String(v), help: "given with --set" };
  }
  return {
    ...loaded,
    definition: {
      ...def,
      name: commandName(argv),
      summary: `The program ${argv.join(" ").slice(0, 200)}`,
      params,
      weak: (p) => p,
      command: { ...def.command, argv },
    },
  };
}

/** What {@linkcode planCommand} needs besides the definition and plan. */
export interface PlanCommandOptions {
  config: RunConfig;
  provider: string;
  dryRun: boolean;
  /** PATH to check the program and launcher against (null: not checked here) */
  path: string | null;
}

/** The plan's `exec`: argv (when fixed), the engine configured on the driver, declared ops. */
export async function planCommand(
  def: WorkloadDefinition,
  plan: Plan,
  options: PlanCommandOptions,
): Promise<ExecPlan> {
  const cmd = def.command!;
  const engineName = options.config.engine ?? cmd.engine ?? "process";
  const engine = await loadEngine(engineName);
  const first = plan.points[0];
  const argv = typeof cmd.argv === "function"
    ? cmd.argv(first.params, { ...first })
    : cmd.argv ?? [];
  if (!Array.isArray(argv) || !argv.length || !argv.every((a) => typeof a === "string")) {
    throw new ValidationError(`Workload '${def.name}': command gave no argv (a list of strings)`);
  }
  const ctx: EngineCheckContext = {
    argv,
    config: options.config,
    provider: options.provider,
    dryRun: options.dryRun,
    findCommand: (c) =>
      options.path === null ? Promise.resolve(c) : findExecutable(c, { path: options.path }),
  };
  const settings = await engine.configure(ctx);
  return {
    argv: typeof cmd.argv === "function" ? null : argv,
    engine: engine.name,
    settings,
    ops: plan.operations.includes(ANY_OP) ? null : [...plan.operations],
  };
}

/**
 * The operations a resumed run plans with: the stored run's learned ones (manifest
 * `workload.operations`) when the program defined them, else undefined (plan as configured).
 */
export function resumedOps(
  def: WorkloadDefinition,
  manifest: Manifest | undefined,
): string[] | undefined {
  if (!manifest || !def.command || def.command.ops) return undefined;
  const ops = manifest.workload.operations.filter((o) => o !== ANY_OP);
  return ops.length ? ops : undefined;
}
