/**
 * The shape of a command workload: a definition that names a `command` instead of `operations`
 * (typed parameters reach the program as `SCALEBENCH_PARAM_<KEY>`), and its conversion into a
 * plannable {@linkcode WorkloadDefinition} — declared operations (`ops`), or the single op
 * {@linkcode ANY_OP} while the program's records have not defined them. Loaded by
 * core/workload.ts; the driver's part is core/exec_workload.ts, the ranks' core/exec_rank.ts.
 *
 * @module
 */
import { splitCommand } from "./exec_argv.ts";
import type { ExecRecord } from "./exec_records.ts";
import { ValidationError } from "./errors.ts";
import type { ParamsOf, ParamSpecs } from "./params.ts";
import type { ScalePoint } from "./types.ts";
import type { Operation, WorkloadDefinition } from "./workload.ts";

/** The op of the plan's tasks while the program's operations are unknown. */
export const ANY_OP = "*";

/** What a command workload's hooks see of a launch (on the rank that ran it). */
export interface LaunchInfo<P = Record<string, string | number | boolean>> {
  params: P;
  point: ScalePoint & { size: number };
  rank: number;
  rep: number;
  warmup: boolean;
  /** The program's exit code (null: killed) and how long it ran, seconds */
  code: number | null;
  seconds: number;
}

/** The command part of a definition, after loading (on `WorkloadDefinition.command`). */
export interface CommandSpec {
  /** The program: a command line (split into argv, no shell), argv, or argv per point */
  argv:
    | string[]
    | null
    // deno-lint-ignore no-explicit-any
    | ((params: any, point: ScalePoint & { size: number }) => string[]);
  /** The engine the workload runs with unless `--engine` names another (default `process`) */
  engine: string | null;
  /** Declared operations; null: the program's records define them */
  ops: string[] | null;
  /** Each launch runs in a fresh directory (same path on every node), with these files first */
  // deno-lint-ignore no-explicit-any
  files?(params: any, point: ScalePoint & { size: number }): Record<string, string>;
  /** Records from what the program left in its directory (an adapter), on every rank that ran it */
  // deno-lint-ignore no-explicit-any
  records?(dir: string, info: LaunchInfo<any>): ExecRecord[] | Promise<ExecRecord[]>;
  /** Launch in a fresh directory (true when `files` or `records` is given) */
  freshDir: boolean;
}

/** A command workload as a module writes it: `command` instead of `operations`. */
export interface CommandDefinition<P extends ParamSpecs = ParamSpecs>
  extends
    Omit<WorkloadDefinition<P>, "operations" | "prepare" | "teardown" | "kernels" | "command"> {
  /** `"python3 bench.py --size 100"` (no shell), argv, or argv from the point's parameters */
  command:
    | string
    | string[]
    | ((params: ParamsOf<P>, point: ScalePoint & { size: number }) => string[]);
  /** `process` (every rank runs it, default), `mpi` (one mpirun over the ranks)… */
  engine?: string;
  /** The operations its records name (default: whatever its first repetition records) */
  ops?: string[];
  /** Files written into a fresh directory before each launch (an input deck) */
  files?(params: ParamsOf<P>, point: ScalePoint & { size: number }): Record<string, string>;
  /** An adapter: records from the files the program wrote (for programs that write none) */
  records?(dir: string, info: LaunchInfo<ParamsOf<P>>): ExecRecord[] | Promise<ExecRecord[]>;
}

function notTimedHere(): never {
  throw new Error("A command workload's operations are run by its engine (core/exec_rank.ts)");
}

/** Turn a module's command definition into a plannable one (operations from `ops`, or `*`). */
export function commandDefinition(value: CommandDefinition, where: string): WorkloadDefinition {
  const { command, engine, ops, files, records, ...rest } = value;
  let argv: CommandSpec["argv"];
  if (typeof command === "string") {
    argv = command.trim() ? splitCommand(command, { flag: `${where}: command` }) : null;
  } else if (Array.isArray(command)) {
    if (!command.length || !command.every((a) => typeof a === "string")) {
      throw new ValidationError(`${where}: command must be a non-empty list of strings`);
    }
    argv = [...command];
  } else if (typeof command === "function") argv = command;
  else {throw new ValidationError(
      `${where}: command must be a string, a list of strings or a function`,
    );}
  if (ops !== undefined) {
    if (
      !Array.isArray(ops) || !ops.length ||
      !ops.every((o) => typeof o === "string" && o && o !== ANY_OP)
    ) {
      throw new ValidationError(`${where}: ops must be a non-empty list of operation names`);
    }
  }
  const names = ops ?? [ANY_OP];
  const operations: Record<string, Operation> = {};
  for (const op of names) operations[op] = { run: notTimedHere };
  return {
    ...rest,
    params: rest.params ?? {},
    operations,
    command: {
      argv,
      engine: engine ?? null,
      ops: ops ? [...ops] : null,
      files,
      records,
      freshDir: Boolean(files || records),
    },
  } as WorkloadDefinition;
}
