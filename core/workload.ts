/**
 * The workload API: {@linkcode defineWorkload}, the rank context an operation receives, and the
 * loader for built-in and user workload modules (absolute `file://` URLs).
 *
 * A user's workload file may import nothing from scalebench at run time: its default export is
 * either a definition or a function that receives the {@linkcode WorkloadApi} and returns one,
 * so the same file works from a source checkout, a bundle or a compiled binary.
 *
 * @module
 */
import { errorMessage, quote, ValidationError } from "./errors.ts";
import {
  bool,
  enumOf,
  float,
  int,
  type ParamsOf,
  type ParamSpecs,
  resolveParams,
  string,
} from "./params.ts";
import type { Json, Mode, ParamValues, ScalePoint } from "./types.ts";
import { type CommandDefinition, commandDefinition, type CommandSpec } from "./exec_define.ts";

/** Which thread of which rank a kernel runs on. */
export interface ThreadInfo {
  thread: number;
  threads: number;
  rank: number;
  ranks: number;
}

/** A function run on every thread of a rank by `ctx.parallel`; its args may hold SharedArrayBuffers. */
// deno-lint-ignore no-explicit-any
export type Kernel = (args: any, info: ThreadInfo) => unknown;

/** Everything an operation sees on one rank. Collective calls must be made in the same order on every rank. */
export interface RankContext<P = ParamValues> {
  rank: number;
  ranks: number;
  threads: number;
  cores: number;
  nodes: number;
  mode: Mode;
  params: P;
  /** Problem size at this point (the workload's `size` rule). */
  size: number;
  /** Seed of the run: derive all randomness from it so results are reproducible. */
  seed: number;
  /** A directory this rank may write scratch files to. */
  scratchDir: string;
  /** The task being run (null during prepare and teardown). */
  task: { op: string; rep: number; warmup: boolean } | null;
  /** Run `kernel` on every thread of this rank; resolves to each thread's result. */
  parallel<R = unknown>(kernel: string, args?: unknown): Promise<R[]>;
  /** Wait until every rank arrives. */
  barrier(): Promise<void>;
  /** Every rank's `value`, in rank order. */
  allgather<T extends Json>(value: T): Promise<T[]>;
  /** Every rank's bytes, in rank order. */
  allgatherBytes(data: Uint8Array): Promise<Uint8Array[]>;
  /** Send `blocks[i]` to rank i; resolves to the block each rank sent to this one. */
  alltoall(blocks: Uint8Array[]): Promise<Uint8Array[]>;
  /** Element-wise reduction of a vector over ranks. */
  allreduce(values: ArrayLike<number>, op?: "sum" | "min" | "max"): Promise<Float64Array>;
  /** A line on this rank's stderr log. */
  log(...args: unknown[]): void;
}

/** Outcome of a check: `undefined`/`true` pass, `false` fails, or an object with a message. */
export type CheckResult = void | boolean | { ok: boolean; message?: string };

/** Work amount of an operation, turned into a rate: `unit` per second. */
export interface Metric<P> {
  /** Unit of the amount, e.g. `MB` (the rate's unit becomes `MB/s`). */
  unit: string;
  amount(params: P, point: ScalePoint & { size: number }): number;
}

/** One timed operation. */
// deno-lint-ignore no-explicit-any
export interface Operation<P = ParamValues, S = any, R = any> {
  summary?: string;
  /** Timed, on every rank, after a barrier. */
  run(ctx: RankContext<P>, state: S): R | Promise<R>;
  /** Untimed, on every rank; the observation is ok only if every rank's check passes. */
  check?(ctx: RankContext<P>, state: S, result: R): CheckResult | Promise<CheckResult>;
  metric?: Metric<P>;
}

/** A workload: parameters, scaling rules, untimed preparation, timed operations and checks. */
// deno-lint-ignore no-explicit-any
export interface WorkloadDefinition<P extends ParamSpecs = ParamSpecs, S = any> {
  name: string;
  summary: string;
  params: P;
  /** Default mode when `-m` is not given (default `strong`). */
  mode?: Mode;
  /** Weak-scaling rule: the parameters at a point, grown from the base ones. Required for weak mode. */
  weak?(params: ParamsOf<P>, point: ScalePoint): ParamsOf<P>;
  /** Problem size at a point (default 0). */
  size?(params: ParamsOf<P>, point: ScalePoint): number;
  /** Unit of the problem size, e.g. `elements` */
  sizeUnit?: string;
  /** Cross-parameter validation: return a message to reject the parameters. */
  validate?(params: ParamsOf<P>): string | undefined | void;
  /**
   * Checks in the driver before anything runs (e.g. that an input store exists and has the right
   * variables). Throw a ValidationError or return a message to reject the run (exit 2).
   */
  preflight?(params: ParamsOf<P>): string | undefined | void | Promise<string | undefined | void>;
  /** Untimed, once per rank process before the first task. */
  prepare?(ctx: RankContext<ParamsOf<P>>): S | Promise<S>;
  operations: Record<string, Operation<ParamsOf<P>, S>>;
  /** Functions that `ctx.parallel` runs on the rank's threads (Web Workers). */
  kernels?: Record<string, Kernel>;
  /** Untimed, once per rank process after the last task. */
  teardown?(ctx: RankContext<ParamsOf<P>>, state: S): void | Promise<void>;
  /** Set when loaded from a command definition: the program the engine runs (core/exec_workload.ts) */
  command?: CommandSpec;
  /**
   * Scaling expectations judged when a run ends, like `--expect` (core/expect.ts), e.g.
   * `["efficiency>=0.8@16", "amdahl.s<=0.1"]`; one about a point the run does not measure is skipped
   */
  expect?: string[];
}

/** The modules defineWorkload was called from (non-enumerable, so copies lose it). */
const CALLERS = Symbol.for("scalebench.workload.callers");

/**
 * Define a workload (identity at run time; gives the types): operations in TypeScript, or a
 * program (`command` instead of `operations`, core/exec_workload.ts).
 */
export function defineWorkload<P extends ParamSpecs, S>(
  def: WorkloadDefinition<P, S>,
): WorkloadDefinition<P, S>;
export function defineWorkload<P extends ParamSpecs>(
  def: CommandDefinition<P>,
): CommandDefinition<P>;
export function defineWorkload(def: unknown): unknown {
  if (def && typeof def === "object" && Object.isExtensible(def) && !Object.hasOwn(def, CALLERS)) {
    // where it was defined, so that measure() can have thread workers load it by URL
    Object.defineProperty(def, CALLERS, { value: callerModules() });
  }
  return def;
}

/**
 * URLs of the modules on the stack above this one, the closest first, until this module's next
 * frame: the module whose code called defineWorkload (and its callers in other modules, e.g. a
 * helper's), or the function-form export that {@linkcode workloadModule} called.
 */
function callerModules(): string[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  const stack = new Error().stack;
  Error.stackTraceLimit = limit;
  const urls: string[] = [];
  let outside = false;
  for (const line of typeof stack === "string" ? stack.split("\n").slice(1) : []) {
    const url = line.match(/((?:file|https?):\/\/\S+?):\d+:\d+\)?\s*$/)?.[1];
    if (!url) continue; // a native frame, e.g. Array.map
    if (url === import.meta.url) {
      if (outside) break;
      continue;
    }
    outside = true;
    if (!urls.includes(url)) urls.push(url);
  }
  return urls;
}

/** Split `total` items into `parts` contiguous blocks; the `[start, end)` of block `index`. */
export function partition(total: number, parts: number, index: number): [number, number] {
  const base = Math.floor(total / parts);
  const extra = total % parts;
  const start = index * base + Math.min(index, extra);
  return [start, start + base + (index < extra ? 1 : 0)];
}

/** What a user's workload module receives when its default export is a function. */
export const workloadApi = { defineWorkload, int, float, string, bool, enumOf, partition } as const;
/** The type of {@linkcode workloadApi}. */
export type WorkloadApi = typeof workloadApi;

/** A loaded workload and where it came from. */
export interface LoadedWorkload {
  /** builtin name or absolute file:// URL */
  ref: string;
  definition: WorkloadDefinition;
  /** URL of the module's source file, when readable */
  sourceUrl: string | null;
}

/**
 * Where workloads come from, injected into the driver (core/run.ts), the rank runtime
 * (core/rank.ts) and in-process runs (core/testing.ts); the built-ins' is workloads/mod.ts's.
 */
export interface WorkloadLoader {
  /** Load by reference: a built-in name or an absolute URL. Unknown → ValidationError. */
  load(ref: string): Promise<LoadedWorkload>;
  /** Names of the built-in workloads */
  names(): string[];
  /** The Web Worker that runs a rank's threads: a module that serves threads with this loader */
  threadEntry(): { url: URL; options: WorkerOptions };
}

/** Check the shape of a definition from an untrusted module. */
export function assertDefinition(value: unknown, where: string): WorkloadDefinition {
  const def = value as WorkloadDefinition;
  if (!def || typeof def !== "object") {
    throw new ValidationError(`${where} has no default export made with defineWorkload`);
  }
  if (typeof def.name !== "string" || !/^[A-Za-z0-9][\w.-]*$/.test(def.name)) {
    throw new ValidationError(
      `${where}: workload name ${quote(def.name)} must be letters, digits, '.', '_' or '-'`,
    );
  }
  if ("command" in def && def.command !== undefined && !("operations" in def)) {
    return commandDefinition(def as unknown as CommandDefinition, where);
  }
  if (
    !def.operations || typeof def.operations !== "object" ||
    Object.keys(def.operations).length === 0
  ) {
    throw new ValidationError(`${where}: workload '${def.name}' defines no operations`);
  }
  for (const [op, o] of Object.entries(def.operations)) {
    if (typeof o?.run !== "function") {
      throw new ValidationError(
        `${where}: operation ${quote(op)} of workload '${def.name}' has no run()`,
      );
    }
  }
  if (def.params === undefined) (def as { params: ParamSpecs }).params = {};
  return def;
}

/** Turn a module's default export into a definition (calling it with the API if it is a function). */
export async function definitionFromModule(
  mod: Record<string, unknown>,
  where: string,
): Promise<WorkloadDefinition> {
  let value = mod.default;
  if (typeof value === "function") {
    value = await (value as (api: WorkloadApi) => unknown)(workloadApi);
  }
  return assertDefinition(value, where);
}

/**
 * A workload module's default export: a definition (`defineWorkload({...})`) or a function that
 * receives the {@linkcode WorkloadApi} and returns one.
 */
// deno-lint-ignore no-explicit-any
export type WorkloadExport = WorkloadDefinition<any, any> | ((api: WorkloadApi) => unknown);

/**
 * The URL of the module whose default export is `value` — a workload file's default export as
 * imported — so that other threads can load it (they cannot share the object). Found from where
 * defineWorkload was called (the function form is called with the API to see that); a workload
 * made otherwise, or not a module's default export, is a ValidationError saying what to pass.
 */
export async function workloadModule(value: WorkloadExport, where: string): Promise<string> {
  let def: unknown = value;
  if (typeof value === "function") def = await value(workloadApi);
  const name = (def as { name?: unknown } | null)?.name;
  const what = typeof name === "string" ? `workload ${quote(name)}` : "the workload";
  const instead =
    `pass the workload file's URL instead, e.g. ${where.replace(/\(\)$/, "")}(new URL(` +
    `"./${
      typeof name === "string" ? name.replace(/-/g, "_") : "my_bench"
    }.ts", import.meta.url), …)`;
  const callers = def && typeof def === "object" ? (def as Record<symbol, unknown>)[CALLERS] : null;
  if (!Array.isArray(callers) || !callers.length) {
    throw new ValidationError(
      `${where} cannot tell which file ${what} comes from (a workload file's default export, ` +
        `as imported, made with defineWorkload, or a function given the API): ${instead}`,
    );
  }
  for (const url of callers as string[]) {
    let mod: Record<string, unknown>;
    try {
      mod = await import(url); // on the stack, so already loaded: nothing runs again
    } catch {
      continue;
    }
    if (mod.default === value) return url;
  }
  const file = callers[0].startsWith("file:")
    ? decodeURIComponent(new URL(callers[0]).pathname)
    : callers[0];
  throw new ValidationError(
    `${where}: ${what} is not the default export of ${quote(file, 200)}, where it was defined ` +
      `(threads load a workload as its file's default export): export it as default there, ` +
      `or ${instead}`,
  );
}

/** Load a user's workload module by absolute file:// URL. Import errors are the user's. */
export async function loadWorkloadFile(url: string): Promise<LoadedWorkload> {
  const name = url.startsWith("file://") ? decodeURIComponent(new URL(url).pathname) : url;
  let mod: Record<string, unknown>;
  try {
    mod = await import(url);
  } catch (err) {
    throw new ValidationError(
      `Workload file ${quote(name, 200)} failed to load: ${errorMessage(err)}`,
    );
  }
  const definition = await definitionFromModule(mod, `Workload file ${quote(name, 200)}`);
  return { ref: url, definition, sourceUrl: url };
}

/** Validate parameters: types, ranges, unknown names, then the workload's own rule. */
export function validateParams(
  def: WorkloadDefinition,
  raw: Record<string, string | number | boolean>,
): ParamValues {
  const params = resolveParams(def.params, raw, { workload: def.name });
  const msg = def.validate?.(params as never);
  if (msg) throw new ValidationError(`Workload '${def.name}': ${msg}`);
  return params;
}
