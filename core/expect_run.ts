/**
 * What a run will be judged by once it ends, checked before anything runs (core/run.ts calls
 * {@linkcode planChecks} right after planning): the workload's own `expect: [...]` and `--expect`
 * (parsed, their operations and scale points checked against the plan), `--baseline` (a run of
 * the same workload, mode and parameters), and the files `--junit` and `--summary` go to.
 * Judging the finished run is reports/expect_run.ts's.
 *
 * @module
 */
import { errorMessage, quote, ValidationError } from "./errors.ts";
import {
  type ExpectationScope,
  type ExpectationSource,
  planExpectations,
  type PlannedExpectation,
} from "./expect.ts";
import { assertComparable, comparableOf, readBaselineManifest } from "./expect_baseline.ts";
import type { Plan, RunConfig } from "./types.ts";
import type { WorkloadDefinition } from "./workload.ts";

/** The run's checks as planned: what to judge when it ends, and where to report. */
export interface ChecksPlan {
  expectations: PlannedExpectation[];
  /** `--baseline`: the run directory to compare with (checked comparable); null: none */
  baseline: string | null;
  /** `--strict`: an inconclusive expectation fails */
  strict: boolean;
  /** `--max-regression` as a fraction (10 % → 0.1) */
  maxRegression: number;
  /** `--junit FILE`, `--summary FILE`; null: not asked */
  junit: string | null;
  summary: string | null;
}

/** The settings of a run that planChecks reads. */
export type ChecksConfig = Pick<
  RunConfig,
  "expect" | "strict" | "baseline" | "maxRegression" | "junit" | "summary"
>;

/** Nothing to check (the defaults). */
export function noChecks(): ChecksPlan {
  return {
    expectations: [],
    baseline: null,
    strict: false,
    maxRegression: 0.1,
    junit: null,
    summary: null,
  };
}

/** What a plan will measure, for checking expectations. */
export function scopeOf(plan: Plan, def: WorkloadDefinition): ExpectationScope {
  const any = plan.operations.includes("*");
  const operations = any ? null : [...plan.operations];
  return {
    operations,
    allOperations: def.command ? null : Object.keys(def.operations),
    cores: plan.points.map((p) => p.cores),
    mode: plan.mode,
    rates: def.command || any ? null : operations!.filter((o) => def.operations[o]?.metric),
  };
}

/** A workload's `expect` list, checked for shape. */
export function workloadExpectations(def: WorkloadDefinition): string[] {
  const list = (def as { expect?: unknown }).expect;
  if (list === undefined) return [];
  if (!Array.isArray(list) || !list.every((x) => typeof x === "string")) {
    throw new ValidationError(`Workload '${def.name}': expect must be a list of strings`);
  }
  return list;
}

async function checkOutputFile(path: string | null, flag: string): Promise<void> {
  if (path === null) return;
  if (!path.trim()) throw new ValidationError(`Flag ${flag} needs a file name`);
  const slash = path.lastIndexOf("/");
  const dir = slash > 0 ? path.slice(0, slash) : slash === 0 ? "/" : ".";
  try {
    const info = await Deno.stat(dir);
    if (!info.isDirectory) throw new Error("not a directory");
  } catch (err) {
    throw new ValidationError(
      `Cannot write ${flag} ${quote(path, 200)}: directory ${quote(dir, 200)} ${
        err instanceof Deno.errors.NotFound ? "does not exist" : errorMessage(err)
      }`,
    );
  }
  try {
    const info = await Deno.stat(path);
    if (info.isDirectory) {
      throw new ValidationError(`Cannot write ${flag} ${quote(path, 200)}: it is a directory`);
    }
  } catch (err) {
    if (err instanceof ValidationError) throw err;
  }
}

/**
 * Check the run's expectations, baseline and report files against its plan before anything runs;
 * a mistake is a ValidationError (exit 2). Returns what to judge when the run ends.
 */
export async function planChecks(
  config: ChecksConfig,
  { plan, definition }: { plan: Plan; definition: WorkloadDefinition },
): Promise<ChecksPlan> {
  const sources: ExpectationSource[] = [
    {
      texts: workloadExpectations(definition),
      source: `workload '${definition.name}'`,
      optional: true,
    },
    { texts: config.expect ?? [], source: "--expect" },
  ];
  const expectations = planExpectations(sources, scopeOf(plan, definition));
  if (config.baseline !== null) {
    const base = await readBaselineManifest(config.baseline);
    assertComparable(
      comparableOf(base),
      { workload: definition.name, mode: plan.mode, params: plan.params },
      `Baseline ${quote(config.baseline, 200)} (--baseline)`,
    );
  }
  await checkOutputFile(config.junit, "--junit");
  await checkOutputFile(config.summary, "--summary");
  return {
    expectations,
    baseline: config.baseline,
    strict: config.strict,
    maxRegression: config.maxRegression / 100,
    junit: config.junit,
    summary: config.summary,
  };
}
