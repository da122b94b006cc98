/**
 * Settings of the Slurm provider, declared once (core/settings.ts): each with its flag and
 * environment keys — scalebench's own `SCALEBENCH_SLURM_*` first, then dask-bench's `.env` keys.
 *
 * @module
 */
import { defineSettings, type SettingsOf } from "../../core/settings.ts";

const word = (what: string) => (v: string) =>
  /^[A-Za-z0-9][\w.,:@+-]*$/.test(v)
    ? undefined
    : `expects a Slurm ${what} (letters, digits, . _ - , : @ +)`;

/** Slurm time limits: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS, or UNLIMITED. */
export function validTimeLimit(v: string): string | undefined {
  const ok =
    /^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d{1,2}|\d+-\d{1,2}:\d{1,2}|\d+-\d{1,2}:\d{1,2}:\d{1,2}|UNLIMITED|INFINITE)$/
      .test(String(v));
  return ok ? undefined : "expects a Slurm time limit such as 36:00:00, 90 or 1-12:00:00";
}

/** An extra sbatch directive: `--key=value` or `--flag`, with no shell or directive metacharacters. */
export function validDirective(v: string[]): string | undefined {
  for (const d of v) {
    if (!/^--[a-z][a-z0-9-]*(=[\w.,:@%/+=-]+)?$/.test(d)) {
      return `expects sbatch options like --gres=gpu:1 or --hint=nomultithread (got '${d}')`;
    }
  }
  return undefined;
}

/** The Slurm provider's settings. */
export const SLURM_SETTINGS = defineSettings({
  account: {
    flag: "--account <name>",
    env: ["SCALEBENCH_SLURM_ACCOUNT", "ACCOUNT"],
    type: "string",
    default: null,
    help: "Slurm account to charge",
    validate: word("account"),
  },
  partition: {
    flag: "--partition <name>",
    env: ["SCALEBENCH_SLURM_PARTITION", "PARTITION"],
    type: "string",
    default: null,
    help: "Slurm partition",
    validate: word("partition"),
  },
  qos: {
    flag: "--qos <name>",
    env: ["SCALEBENCH_SLURM_QOS"],
    type: "string",
    default: null,
    help: "Slurm quality of service",
    validate: word("QOS"),
  },
  timeLimit: {
    flag: "--time-limit <hh:mm:ss>",
    env: ["SCALEBENCH_SLURM_TIME_LIMIT", "TIME_LIMIT"],
    type: "string",
    default: null,
    help: "Time limit of each job",
    validate: validTimeLimit,
  },
  memPerNode: {
    flag: "--mem-per-node <n>",
    env: ["SCALEBENCH_MEM_PER_NODE", "MEM_PER_NODE"],
    type: "int",
    default: null,
    help: "Memory per node: GB on Slurm, Gi on Kubernetes",
    validate: (v) => (v > 0 ? undefined : "expects a number > 0"),
  },
  exclusive: {
    flag: "--no-exclusive",
    env: ["SCALEBENCH_SLURM_EXCLUSIVE"],
    type: "bool",
    default: true,
    help: "Share nodes with other jobs (default: exclusive nodes, like dask-bench)",
  },
  constraint: {
    flag: "--constraint <features>",
    env: ["SCALEBENCH_SLURM_CONSTRAINT"],
    type: "string",
    default: null,
    help: "Node features (sbatch --constraint)",
    validate: (v) =>
      /^[\w.,:@&|!*\[\]()-]+$/.test(v)
        ? undefined
        : "expects sbatch constraint syntax such as 'skylake&ib'",
  },
  sbatchArgs: {
    flag: "--sbatch-arg <option>",
    env: ["SCALEBENCH_SLURM_SBATCH_ARGS"],
    type: "list",
    default: [],
    help: "Extra #SBATCH directive, e.g. --gres=gpu:1 (repeatable)",
    validate: validDirective,
  },
  outDir: {
    flag: "--slurm-out-dir <dir>",
    env: ["SCALEBENCH_SLURM_OUT_DIR", "OUT_DIR"],
    type: "string",
    default: null,
    help: "Where job output files go (default: the run's logs/)",
  },
  envToSource: {
    flag: "--env-to-source <file>",
    env: ["SCALEBENCH_SLURM_ENV_TO_SOURCE", "ENV_TO_SOURCE"],
    type: "string",
    default: null,
    help: "A shell file sourced at the start of every job",
  },
  netInterface: {
    flag: "--net-interface <name>",
    env: ["SCALEBENCH_NET_INTERFACE", "NET_INTERFACE"],
    type: "string",
    default: null,
    help: "Rendezvous on this network interface's address (e.g. ib0)",
    validate: (v) => (/^[\w.:-]+$/.test(v) ? undefined : "expects an interface name such as ib0"),
  },
  oneAllocation: {
    flag: "--one-allocation",
    env: ["SCALEBENCH_SLURM_ONE_ALLOCATION"],
    type: "bool",
    default: false,
    help:
      "Run the whole sweep in one job sized for its largest point, every point an srun step in it (the queue is waited once)",
  },
  withinAllocation: {
    flag: "--within-allocation",
    env: ["SCALEBENCH_SLURM_WITHIN_ALLOCATION"],
    type: "bool",
    default: false,
    help: "Run points as srun steps inside this salloc/sbatch allocation",
  },
  allocation: {
    flag: "--allocation <job_id>",
    env: ["SCALEBENCH_SLURM_ALLOCATION", "SLURM_JOB_ID"],
    type: "string",
    default: null,
    help: "Job id of the allocation for --within-allocation (default: $SLURM_JOB_ID)",
    validate: (v) => (/^\d+$/.test(v) ? undefined : "expects a Slurm job id"),
  },
  unschedulableGrace: {
    flag: "--unschedulable-grace <s>",
    env: ["SCALEBENCH_SLURM_UNSCHEDULABLE_GRACE"],
    type: "float",
    default: 10,
    help:
      "Fail a point after S seconds pending for a reason that means it can never start (ReqNodeNotAvail, PartitionNodeLimit, BadConstraints…)",
    validate: (v) => (v >= 0 ? undefined : "expects a number ≥ 0"),
  },
});

/** The Slurm provider's resolved settings. */
export type SlurmSettings = SettingsOf<typeof SLURM_SETTINGS>;
