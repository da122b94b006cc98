/**
 * Measure a workload in this process at several scale points, for `deno test` (the sweep part of
 * `measure()` in `scalebench/testing`; reports/expect_measure.ts analyses it): the plan of a real
 * sweep, then each point run by the in-process rank runtime (core/testing.ts: ranks as concurrent
 * tasks, threads as real Web Workers), its records completed into observations.
 *
 * @module
 */
import { quote, ValidationError } from "./errors.ts";
import { parseLayout, planSweep } from "./planner.ts";
import { resolveWorkloadRef } from "./run.ts";
import { completeObservation } from "./sweep.ts";
import { runInProcess } from "./testing.ts";
import type { Mode, Observation, Plan } from "./types.ts";
import {
  validateParams,
  type WorkloadDefinition,
  type WorkloadExport,
  type WorkloadLoader,
  workloadModule,
} from "./workload.ts";

/** Options of {@linkcode measureInProcess}. */
export interface MeasureOptions {
  /** Core counts, e.g. `[1, 2]` */
  cores: number[];
  /** Measured repetitions per point and operation (default 5: a 95 % interval of a speedup needs 4) */
  reps?: number;
  /** Warm-up repetitions per point, left out of the statistics (default 1) */
  warmup?: number;
  /** Workload parameters (validated like `--set`) */
  params?: Record<string, string | number | boolean>;
  /** default: the workload's */
  mode?: Mode;
  /** `threads` (default: one rank of n Web Workers), `ranks` or `ranks:T` */
  layout?: string;
  /** Only these operations */
  ops?: string[];
  /** Seed of the workload's data (default 1) */
  seed?: number;
  /** The ranks' log lines (default: dropped) */
  log?(line: string): void;
}

/** A workload measured in process. */
export interface Measured {
  ref: string;
  definition: WorkloadDefinition;
  plan: Plan;
  observations: Observation[];
}

/**
 * Run workload `workload` at every core count in this process: a workload file's default export
 * as imported (`import sum from "./sum.ts"`: a definition or the function given the API; found by
 * its file's URL, which thread workers load — core/workload.ts `workloadModule`), a built-in name,
 * a path, or a `file:`/`https:` URL (e.g. `new URL("./sum.ts", import.meta.url)`).
 */
export async function measureInProcess(
  workload: string | URL | WorkloadExport,
  options: MeasureOptions & { workloads: WorkloadLoader },
): Promise<Measured> {
  const { workloads } = options;
  if (!Array.isArray(options.cores) || !options.cores.length) {
    throw new ValidationError("measure() needs core counts: { cores: [1, 2] }");
  }
  for (const c of options.cores) {
    if (!Number.isInteger(c) || c < 1) {
      throw new ValidationError(`measure() core count ${quote(c)} is not a whole number ≥ 1`);
    }
  }
  const ref = typeof workload === "string" || workload instanceof URL
    ? await resolveWorkloadRef(workload instanceof URL ? workload.href : workload, workloads)
    : await workloadModule(workload, "measure()");
  const definition = (await workloads.load(ref)).definition;
  if (definition.command) {
    throw new ValidationError(
      `measure() runs workloads with operations in process; ${
        quote(definition.name)
      } is a program: use scalebench run`,
    );
  }
  const params = validateParams(definition, options.params ?? {});
  const reps = options.reps ?? 5, warmup = options.warmup ?? 1, seed = options.seed ?? 1;
  const cores = [...new Set(options.cores)].sort((a, b) => a - b);
  const plan = planSweep(definition, {
    workloadRef: ref,
    provider: "in-process",
    mode: options.mode,
    cores,
    layout: parseLayout(options.layout ?? "threads", { flag: "layout" }),
    coresPerNode: cores[cores.length - 1],
    reps,
    warmup,
    order: "sequential",
    seed,
    params,
    operations: options.ops,
  });
  const observations: Observation[] = [];
  for (const point of plan.points) {
    const records = await runInProcess(ref, {
      workloads,
      ranks: point.ranks,
      threads: point.threads,
      params,
      mode: plan.mode,
      ops: plan.operations,
      reps,
      warmup,
      seed,
      log: options.log,
    });
    const batch = plan.batches.find((b) => b.point.index === point.index)!;
    for (const r of records) observations.push(completeObservation(r, batch, plan));
  }
  return { ref, definition, plan, observations };
}
