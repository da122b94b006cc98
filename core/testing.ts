/**
 * Run a workload in this process, for tests: several ranks as concurrent tasks joined by in-memory
 * collectives with the rendezvous' semantics, each with real Web Worker threads. Same rank runtime
 * as a real sweep: prepare, barriers, timed operations, checks, gathered records.
 *
 * @module
 */
import { ValidationError } from "./errors.ts";
import { planSweep } from "./planner.ts";
import { decodeRecord, type RankSpec, type TaskRecord } from "./protocol.ts";
import { runRank } from "./rank.ts";
import { createLocalGroup } from "./local_group.ts";
import type { Mode, Task } from "./types.ts";
import { validateParams, type WorkloadLoader } from "./workload.ts";

/** Options of {@linkcode runInProcess}. */
export interface InProcessOptions {
  /** Where the workload comes from (the built-ins': workloads/mod.ts `builtinWorkloads`) */
  workloads: WorkloadLoader;
  ranks?: number;
  threads?: number;
  params?: Record<string, string | number | boolean>;
  mode?: Mode;
  /** Operations to run (default: all) */
  ops?: string[];
  reps?: number;
  warmup?: number;
  seed?: number;
  /** Log lines of the ranks (default: dropped) */
  log?(line: string): void;
}

/**
 * Run workload `ref` (built-in name or file:// URL) at one scale point of `ranks × threads`;
 * resolves to rank 0's records in order. A failed batch rejects with rank 0's message.
 */
export async function runInProcess(
  ref: string,
  options: InProcessOptions,
): Promise<TaskRecord[]> {
  const ranks = options.ranks ?? 1, threads = options.threads ?? 1;
  const def = (await options.workloads.load(ref)).definition;
  const params = validateParams(def, options.params ?? {});
  const plan = planSweep(def, {
    workloadRef: ref,
    provider: "in-process",
    mode: options.mode,
    cores: [ranks * threads],
    layout: `ranks:${threads}`,
    coresPerNode: ranks * threads,
    reps: options.reps ?? 1,
    warmup: options.warmup ?? 0,
    order: "sequential",
    seed: options.seed ?? 1,
    params,
    operations: options.ops,
  });
  const batch = plan.batches[0];
  const spec: RankSpec = {
    run_id: "in-process",
    batch: batch.id,
    workload: ref,
    mode: plan.mode,
    point: batch.point,
    tasks: batch.tasks as Task[],
    seed: options.seed ?? 1,
    monitor_interval: 0,
    rendezvous: { host: "", port: 0, timeout: 30 },
  };
  const group = createLocalGroup(ranks);
  const lines: string[] = [];
  const codes = await Promise.all(group.map((coll, rank) =>
    runRank({
      spec,
      rank,
      token: "in-process",
      collectives: coll,
      write: (l) => lines.push(l),
      log: options.log ?? (() => {}),
      hostname: `rank${rank}`,
      workloads: options.workloads,
    })
  ));
  const records = lines.map(decodeRecord);
  const fail = records.find((r) => r?.type === "fail");
  if (fail?.type === "fail") {
    throw fail.validation ? new ValidationError(fail.message) : new Error(fail.message);
  }
  if (codes.some((c) => c !== 0)) throw new Error(`Ranks exited with ${codes.join(", ")}`);
  return records.flatMap((r) => (r?.type === "obs" ? [r.obs] : []));
}
