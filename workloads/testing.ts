/**
 * {@linkcode runInProcess} with the built-in workloads' loader: run a built-in workload (or a
 * user's file by URL) in this process, for tests and benches.
 *
 * @module
 */
import { type InProcessOptions, runInProcess as run } from "../core/testing.ts";
import type { TaskRecord } from "../core/protocol.ts";
import { builtinWorkloads } from "./mod.ts";

/** Run workload `ref` at one scale point in this process (core/testing.ts), built-ins loadable. */
export function runInProcess(
  ref: string,
  options: Partial<InProcessOptions> = {},
): Promise<TaskRecord[]> {
  return run(ref, { workloads: builtinWorkloads, ...options });
}
