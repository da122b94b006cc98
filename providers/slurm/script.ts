/**
 * The batch script of one point (pure). Every value that reaches the script is either validated
 * against a strict pattern (directives, which Slurm parses itself) or single-quoted for the shell,
 * so no shell metacharacter is ever interpreted. Workload parameters never reach the script: they
 * travel in the rank spec file (JSON).
 *
 * @module
 */
import { quote, ValidationError } from "../../core/errors.ts";
import type { Batch } from "../../core/types.ts";
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
    `--comment=scalebench:${options.runId.replace(/[^\w.-]/g, "_")}`,
    `--nodes=${p.nodes}`,
    `--ntasks=${p.ranks}`,
    `--ntasks-per-node=${perNode}`,
    `--cpus-per-task=${p.threads}`,
    `--output=${out}/${batch.id}.job%j.out`,
    `--error=${out}/${batch.id}.job%j.err`,
  ];
  if (settings.account) d.push(`--account=${settings.account}`);
  if (settings.partition) d.push(`--partition=${settings.partition}`);
  if (settings.qos) d.push(`--qos=${settings.qos}`);
  if (settings.timeLimit) d.push(`--time=${settings.timeLimit}`);
  if (settings.memPerNode) d.push(`--mem=${settings.memPerNode}G`);
  if (settings.exclusive) d.push("--exclusive");
  if (settings.constraint) d.push(`--constraint=${settings.constraint}`);
  for (const extra of settings.sbatchArgs) d.push(extra);
  for (const line of d) {
    if (/[\s'"`$\\;]/.test(line.replace(/^--constraint=.*$/, ""))) {
      throw new ValidationError(
        `Slurm directive ${quote(line)} has characters a directive cannot carry`,
      );
    }
  }
  const iface = settings.netInterface;
  const lines = [
    "#!/bin/bash",
    ...d.map((x) => `#SBATCH ${x}`),
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
