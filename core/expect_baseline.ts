/**
 * A baseline run for regression checks (`--baseline RUN_DIR`, `scalebench compare BASE NEW`):
 * refused when it measured something else (another workload, mode or parameters), and the
 * differences of environment between two runs (host, CPU, Deno, scalebench, the workload's
 * source), which the comparison records.
 *
 * @module
 */
import { errorMessage, quote, ValidationError } from "./errors.ts";
import { readManifest } from "./results.ts";
import type { EnvironmentInfo, Manifest, Mode, ParamValues } from "./types.ts";

/** What two runs must share to be compared. */
export interface Comparable {
  workload: string;
  mode: Mode;
  params: ParamValues;
}

/** The comparable identity of a recorded run. */
export function comparableOf(m: Manifest): Comparable {
  return { workload: m.workload.name, mode: m.mode, params: m.workload.params };
}

function show(v: unknown): string {
  return v === undefined ? "(unset)" : quote(v);
}

/**
 * Refuse to compare runs that measured different things: another workload, another mode, or
 * different parameters (a ValidationError naming `what`, e.g. `Baseline 'b' (--baseline)`).
 */
export function assertComparable(
  base: Comparable,
  run: Comparable,
  what: string,
): void {
  if (base.workload !== run.workload) {
    throw new ValidationError(
      `${what} is a run of workload ${quote(base.workload)}, not ${
        quote(run.workload)
      }: compare runs of the same workload`,
    );
  }
  if (base.mode !== run.mode) {
    throw new ValidationError(
      `${what} is ${base.mode} scaling, this run ${run.mode}: compare runs of the same mode`,
    );
  }
  const keys = [...new Set([...Object.keys(base.params), ...Object.keys(run.params)])].sort();
  const differ = keys.filter((k) => base.params[k] !== run.params[k]);
  if (differ.length) {
    throw new ValidationError(
      `${what} was made with other parameters (${
        differ.map((k) => `${k}=${show(base.params[k])} there, ${show(run.params[k])} here`)
          .join("; ")
      }): compare runs with the same parameters`,
    );
  }
}

/** Read a baseline run's manifest; a missing or broken run is a ValidationError naming `flag`. */
export async function readBaselineManifest(dir: string, flag = "--baseline"): Promise<Manifest> {
  try {
    return await readManifest(dir);
  } catch (err) {
    if (err instanceof ValidationError) {
      throw new ValidationError(`Baseline ${quote(dir, 200)} (${flag}): ${errorMessage(err)}`);
    }
    throw err;
  }
}

/** What environmentDifferences compares (a manifest has it). */
export interface RunIdentity {
  environment: EnvironmentInfo | null;
  provider?: { name: string } | null;
  workload?: { sha256: string | null } | null;
}

/** One difference between the environments of two runs. */
export interface EnvironmentDifference {
  /**
   * `host`, `cpu_model`, `cores`, `memory_bytes`, `os`, `deno`, `scalebench`, `git` (commit, 12
   * digits), `provider`, `workload_sha256` (the workload source's, 12 digits)
   */
  field: string;
  base: string | number | null;
  run: string | number | null;
}

/**
 * Where the two runs' environments differ: host, CPU, cores, memory, OS, Deno, scalebench, git
 * commit, provider and the workload's source (sha256). Empty when nothing differs.
 */
export function environmentDifferences(
  base: RunIdentity,
  run: RunIdentity,
): EnvironmentDifference[] {
  const a: Partial<EnvironmentInfo> = base.environment ?? {};
  const b: Partial<EnvironmentInfo> = run.environment ?? {};
  const git = (g: EnvironmentInfo["git"]) =>
    g ? `${g.commit.slice(0, 12)}${g.dirty ? " (dirty)" : ""}` : null;
  const fields: [string, string | number | null, string | number | null][] = [
    ["host", a.host ?? null, b.host ?? null],
    ["cpu_model", a.cpu_model ?? null, b.cpu_model ?? null],
    ["cores", a.cores ?? null, b.cores ?? null],
    ["memory_bytes", a.memory_bytes ?? null, b.memory_bytes ?? null],
    ["os", a.os ?? null, b.os ?? null],
    ["deno", a.deno ?? null, b.deno ?? null],
    ["scalebench", a.scalebench ?? null, b.scalebench ?? null],
    ["git", git(a.git), git(b.git)],
    ["provider", base.provider?.name ?? null, run.provider?.name ?? null],
    [
      "workload_sha256",
      base.workload?.sha256?.slice(0, 12) ?? null,
      run.workload?.sha256?.slice(0, 12) ?? null,
    ],
  ];
  return fields.filter(([, x, y]) => x !== y).map(([field, x, y]) => ({ field, base: x, run: y }));
}
