/**
 * Settings of the Slurm provider: each with its flag and environment keys — scalebench's own
 * `SCALEBENCH_SLURM_*` first, then dask-bench's `.env` keys.
 *
 * @module
 */
import type { SettingSpec } from "../types.ts";

const word = (what: string) => (v: unknown) =>
  v === null || /^[A-Za-z0-9][\w.,:@+-]*$/.test(String(v))
    ? undefined
    : `expects a Slurm ${what} (letters, digits, . _ - , : @ +)`;

/** Slurm time limits: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS, or UNLIMITED. */
export function validTimeLimit(v: unknown): string | undefined {
  if (v === null) return undefined;
  const ok =
    /^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d{1,2}|\d+-\d{1,2}:\d{1,2}|\d+-\d{1,2}:\d{1,2}:\d{1,2}|UNLIMITED|INFINITE)$/
      .test(String(v));
  return ok ? undefined : "expects a Slurm time limit such as 36:00:00, 90 or 1-12:00:00";
}

/** An extra sbatch directive: `--key=value` or `--flag`, with no shell or directive metacharacters. */
export function validDirective(v: unknown): string | undefined {
  for (const d of (v as string[] | null) ?? []) {
    if (!/^--[a-z][a-z0-9-]*(=[\w.,:@%/+=-]+)?$/.test(d)) {
      return `expects sbatch options like --gres=gpu:1 or --hint=nomultithread (got '${d}')`;
    }
  }
  return undefined;
}

/** The Slurm provider's settings. */
export const SLURM_SETTINGS: readonly SettingSpec[] = [
  {
    key: "account",
    flag: "--account <name>",
    env: ["SCALEBENCH_SLURM_ACCOUNT", "ACCOUNT"],
    type: "string",
    default: null,
    help: "Slurm account to charge",
    validate: word("account"),
  },
  {
    key: "partition",
    flag: "--partition <name>",
    env: ["SCALEBENCH_SLURM_PARTITION", "PARTITION"],
    type: "string",
    default: null,
    help: "Slurm partition",
    validate: word("partition"),
  },
  {
    key: "qos",
    flag: "--qos <name>",
    env: ["SCALEBENCH_SLURM_QOS"],
    type: "string",
    default: null,
    help: "Slurm quality of service",
    validate: word("QOS"),
  },
  {
    key: "timeLimit",
    flag: "--time-limit <hh:mm:ss>",
    env: ["SCALEBENCH_SLURM_TIME_LIMIT", "TIME_LIMIT"],
    type: "string",
    default: null,
    help: "Time limit of each job",
    validate: validTimeLimit,
  },
  {
    key: "memPerNode",
    flag: "--mem-per-node <n>",
    env: ["SCALEBENCH_MEM_PER_NODE", "MEM_PER_NODE"],
    type: "int",
    default: null,
    help: "Memory per node: GB on Slurm, Gi on Kubernetes",
    validate: (v) => (v === null || (v as number) > 0 ? undefined : "expects a number > 0"),
  },
  {
    key: "exclusive",
    flag: "--no-exclusive",
    env: ["SCALEBENCH_SLURM_EXCLUSIVE"],
    type: "bool",
    default: true,
    help: "Share nodes with other jobs (default: exclusive nodes, like dask-bench)",
  },
  {
    key: "constraint",
    flag: "--constraint <features>",
    env: ["SCALEBENCH_SLURM_CONSTRAINT"],
    type: "string",
    default: null,
    help: "Node features (sbatch --constraint)",
    validate: (
      v,
    ) => (v === null || /^[\w.,:@&|!*\[\]()-]+$/.test(String(v))
      ? undefined
      : "expects sbatch constraint syntax such as 'skylake&ib'"),
  },
  {
    key: "sbatchArgs",
    flag: "--sbatch-arg <option>",
    env: ["SCALEBENCH_SLURM_SBATCH_ARGS"],
    type: "list",
    default: [],
    help: "Extra #SBATCH directive, e.g. --gres=gpu:1 (repeatable)",
    validate: validDirective,
  },
  {
    key: "outDir",
    flag: "--slurm-out-dir <dir>",
    env: ["SCALEBENCH_SLURM_OUT_DIR", "OUT_DIR"],
    type: "string",
    default: null,
    help: "Where job output files go (default: the run's logs/)",
  },
  {
    key: "envToSource",
    flag: "--env-to-source <file>",
    env: ["SCALEBENCH_SLURM_ENV_TO_SOURCE", "ENV_TO_SOURCE"],
    type: "string",
    default: null,
    help: "A shell file sourced at the start of every job",
  },
  {
    key: "netInterface",
    flag: "--net-interface <name>",
    env: ["SCALEBENCH_NET_INTERFACE", "NET_INTERFACE"],
    type: "string",
    default: null,
    help: "Rendezvous on this network interface's address (e.g. ib0)",
    validate: (
      v,
    ) => (v === null || /^[\w.:-]+$/.test(String(v))
      ? undefined
      : "expects an interface name such as ib0"),
  },
  {
    key: "withinAllocation",
    flag: "--within-allocation",
    env: ["SCALEBENCH_SLURM_WITHIN_ALLOCATION"],
    type: "bool",
    default: false,
    help: "Run points as srun steps inside this salloc/sbatch allocation",
  },
  {
    key: "allocation",
    flag: "--allocation <job_id>",
    env: ["SCALEBENCH_SLURM_ALLOCATION", "SLURM_JOB_ID"],
    type: "string",
    default: null,
    help: "Job id of the allocation for --within-allocation (default: $SLURM_JOB_ID)",
    validate: (v) => (v === null || /^\d+$/.test(String(v)) ? undefined : "expects a Slurm job id"),
  },
];
