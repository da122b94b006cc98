/**
 * The batch script of one point (pure). Every value that reaches the script is either validated
 * against a strict pattern (directives, which Slurm parses itself) or single-quoted for the shell,
 * so no shell metacharacter is ever interpreted. Workload parameters never reach the script: they
 * travel in the rank spec file (JSON).
 *
 * @module
 */
import { quote, ValidationError } from "../../core/errors.ts";
import type { Batch, ScalePoint } from "../../core/types.ts";
import { ranksPerNode } from "../../core/planner.ts";
import type { SlurmSettings } from "./settings.ts";

/** A word for the shell, single-quoted unless it is plainly safe. */
export function shq(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A path that goes into an #SBATCH directive (Slurm parses those, not the shell). */
export function directivePath(path: string, what: string): string {
  if (!/^[\w@%+=:,./-]+$/.test(path)) {
    throw new ValidationError(
      `${what} ${
        quote(path, 200)
      } has characters Slurm directives cannot carry (spaces, quotes, $…): choose a plain path`,
    );
  }
  return path;
}

/** Slurm's job name of a batch: `sb-<run id>-<batch>`, at most 128 characters. */
export function jobName(runId: string, batch: string): string {
  return `sb-${runId}-${batch}`.replace(/[^\w.-]/g, "_").slice(0, 128);
}

/** The directive that marks every job of the run as scalebench's (`scalebench:<run id>`). */
function runComment(runId: string): string {
  return `--comment=scalebench:${runId.replace(/[^\w.-]/g, "_")}`;
}

/** What the script needs besides the batch and settings. */
export interface ScriptOptions {
  runId: string;
  /** Where the rank spec (JSON), the token file and the rank output files are */
  specFile: string;
  tokenFile: string;
  outDir: string;
  rendezvousFile: string;
  rankCommand: string[];
  /** More environment of the ranks (e.g. the run's TLS directory, `--tls`): names and paths only */
  env?: Record<string, string>;
}

/** The directives every job of the run carries: where it goes, its limits, the user's extras. */
function siteDirectives(settings: SlurmSettings): string[] {
  const d: string[] = [];
  if (settings.account) d.push(`--account=${settings.account}`);
  if (settings.partition) d.push(`--partition=${settings.partition}`);
  if (settings.qos) d.push(`--qos=${settings.qos}`);
  if (settings.timeLimit) d.push(`--time=${settings.timeLimit}`);
  if (settings.memPerNode) d.push(`--mem=${settings.memPerNode}G`);
  if (settings.exclusive) d.push("--exclusive");
  if (settings.constraint) d.push(`--constraint=${settings.constraint}`);
  for (const extra of settings.sbatchArgs) d.push(extra);
  return d;
}

/** `#SBATCH` lines, each checked for characters a directive cannot carry. */
function directiveLines(d: string[]): string[] {
  for (const line of d) {
    if (/[\s'"`$\\;]/.test(line.replace(/^--constraint=.*$/, ""))) {
      throw new ValidationError(
        `Slurm directive ${quote(line)} has characters a directive cannot carry`,
      );
    }
  }
  return d.map((x) => `#SBATCH ${x}`);
}

/** The sbatch script of `batch`. */
export function batchScript(
  batch: Batch,
  settings: SlurmSettings,
  options: ScriptOptions,
): string {
  const p = batch.point;
  const perNode = Math.max(...ranksPerNode(p));
  const out = directivePath(options.outDir, "Job output directory");
  const d: string[] = [
    `--job-name=${jobName(options.runId, batch.id)}`,
    runComment(options.runId),
    `--nodes=${p.nodes}`,
    `--ntasks=${p.ranks}`,
    `--ntasks-per-node=${perNode}`,
    `--cpus-per-task=${p.threads}`,
    `--output=${out}/${batch.id}.job%j.out`,
    `--error=${out}/${batch.id}.job%j.err`,
  ];
  d.push(...siteDirectives(settings));
  const iface = settings.netInterface;
  const lines = [
    "#!/bin/bash",
    ...directiveLines(d),
    "",
    `# scalebench run ${options.runId}, batch ${batch.id}: ${p.cores} cores = ${p.ranks} ranks × ${p.threads} threads on ${p.nodes} node(s)`,
    "set -u",
    'echo "scalebench: host $(hostname) date $(date -Is) job ${SLURM_JOB_ID} nodes ${SLURM_JOB_NODELIST}"',
  ];
  if (settings.envToSource) lines.push(`source ${shq(settings.envToSource)}`);
  lines.push(
    `export SCALEBENCH_SPEC_FILE=${shq(options.specFile)}`,
    `export SCALEBENCH_TOKEN_FILE=${shq(options.tokenFile)}`,
    ...Object.entries(options.env ?? {}).map(([k, v]) => {
      if (!/^[A-Z_][A-Z0-9_]*$/.test(k)) throw new Error(`Bad environment variable name '${k}'`);
      return `export ${k}=${shq(v)}`;
    }),
    `rm -f ${shq(options.rendezvousFile)}`,
  );
  // rank 0 (on the first node) publishes its address in the rendezvous file: the first node's
  // name from the node list, or its address on the chosen interface
  lines.push(
    iface
      ? `export SCALEBENCH_RDV_INTERFACE=${shq(iface)}`
      : 'export SCALEBENCH_RDV_HOST="$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)"',
  );
  const srun = [
    "srun",
    "--kill-on-bad-exit=1",
    `--nodes=${p.nodes}`,
    `--ntasks=${p.ranks}`,
    `--ntasks-per-node=${perNode}`,
    `--cpus-per-task=${p.threads}`,
    `--output=${shq(`${out}/${batch.id}.rank%t.out`)}`,
    `--error=${shq(`${out}/${batch.id}.rank%t.err`)}`,
    ...options.rankCommand.map(shq),
  ];
  lines.push(srun.join(" "), "");
  return lines.join("\n");
}

/** The size of a sweep's one allocation: the most nodes, and CPUs per node, of its points. */
export function allocationSize(points: ScalePoint[]): { nodes: number; cpusPerNode: number } {
  return {
    nodes: Math.max(1, ...points.map((p) => p.nodes)),
    cpusPerNode: Math.max(1, ...points.map((p) => Math.max(...ranksPerNode(p)) * p.threads)),
  };
}

/** Seconds the allocation outlives its driver's last sign of life (a driver killed outright). */
export const ALLOCATION_ORPHAN_SECONDS = 120;

/**
 * The script of a sweep's one allocation (`--one-allocation`): sized for its largest point, it
 * holds the nodes while the driver runs every point as an `srun` step in it, and ends by itself
 * once the driver has not touched `aliveFile` for {@linkcode ALLOCATION_ORPHAN_SECONDS} seconds.
 */
export function allocationScript(
  points: ScalePoint[],
  settings: SlurmSettings,
  options: { runId: string; outDir: string; aliveFile: string; orphanSeconds?: number },
): string {
  const { nodes, cpusPerNode } = allocationSize(points);
  const orphan = options.orphanSeconds ?? ALLOCATION_ORPHAN_SECONDS;
  const out = directivePath(options.outDir, "Job output directory");
  const d = [
    `--job-name=${jobName(options.runId, "allocation")}`,
    runComment(options.runId),
    `--nodes=${nodes}`,
    "--ntasks-per-node=1",
    `--cpus-per-task=${cpusPerNode}`,
    `--output=${out}/allocation.job%j.out`,
    `--error=${out}/allocation.job%j.err`,
    ...siteDirectives(settings),
  ];
  return [
    "#!/bin/bash",
    ...directiveLines(d),
    "",
    `# scalebench run ${options.runId}: one allocation for the whole sweep (--one-allocation), ${nodes} node(s) × ${cpusPerNode} CPUs; every point runs in it as an srun step`,
    "set -u",
    'echo "scalebench: allocation on $(hostname) at $(date -Is): job ${SLURM_JOB_ID}, nodes ${SLURM_JOB_NODELIST}"',
    `# the driver touches this file while it runs; ${orphan} s without (it was killed), the allocation ends`,
    `alive=${shq(options.aliveFile)}`,
    `while [ -e "$alive" ] && [ $(( $(date +%s) - $(stat -c %Y "$alive") )) -lt ${orphan} ]; do sleep ${
      Math.min(5, orphan)
    }; done`,
    'echo "scalebench: the driver is gone ($alive untouched): ending the allocation"',
    "",
  ].join("\n");
}

/** What a step's srun needs besides its batch. */
export interface StepOptions {
  /** The allocation's job id (`$SLURM_JOB_ID` in a dry run) */
  allocation: string;
  runId: string;
  outDir: string;
  rankCommand: string[];
  /** A shell file every rank sources first (ENV_TO_SOURCE) */
  envToSource?: string | null;
}

// rank 0's stdout stays srun's, the others' go to their own file ($0 is the batch's file prefix)
const KEEP_RANK0 = '[ "${SLURM_PROCID:-0}" = 0 ] || exec >"$0.rank$SLURM_PROCID.out"; exec "$@"';

/**
 * srun's argv for a step of `batch` inside an allocation. Rank 0's stdout comes back through srun,
 * so the driver reads its records as they are written whatever node it runs on; every other rank's
 * stdout goes to `<batch>.rank<N>.out`, and every rank's stderr to `<batch>.rank<N>.err`. Paths and
 * the rank command are arguments of the wrapper, never part of its text.
 */
export function stepArgv(batch: Batch, options: StepOptions): string[] {
  const p = batch.point;
  const prefix = `${options.outDir}/${batch.id}`;
  const wrapper = options.envToSource
    ? [
      "/bin/bash",
      "-c",
      `source "$1" || exit 1; shift; ${KEEP_RANK0}`,
      prefix,
      options.envToSource,
    ]
    : ["/bin/sh", "-c", KEEP_RANK0, prefix];
  return [
    "srun",
    `--jobid=${options.allocation}`,
    `--job-name=${jobName(options.runId, batch.id)}`,
    "--exact",
    "--kill-on-bad-exit=1",
    "--verbose",
    `--nodes=${p.nodes}`,
    `--ntasks=${p.ranks}`,
    `--ntasks-per-node=${Math.max(...ranksPerNode(p))}`,
    `--cpus-per-task=${p.threads}`,
    `--error=${prefix}.rank%t.err`,
    ...wrapper,
    ...options.rankCommand,
  ];
}
