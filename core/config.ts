/**
 * Configuration: every setting declares its flag and environment keys beside it; values resolve
 * once, with precedence flags > environment > `.env` file > defaults, into a fully-filled
 * {@linkcode ResolvedConfig}. A dask-bench `.env` works as it is (its keys are listed here and in
 * the providers' settings). Library code: the CLI reads the environment and files and passes them in.
 *
 * @module
 */
import { quote, ValidationError } from "./errors.ts";
import { parseCores, parseLayout } from "./planner.ts";
import type { Layout, Mode, Order } from "./types.ts";
import type { Settings, SettingSpec } from "../providers/types.ts";

const positive = (
  v: unknown,
) => (typeof v === "number" && v > 0 ? undefined : "expects a number > 0");
const nonNegative = (
  v: unknown,
) => (typeof v === "number" && v >= 0 ? undefined : "expects a number ≥ 0");
const oneOf = (values: string[]) => (v: unknown) =>
  v === null || values.includes(String(v)) ? undefined : `expects one of ${values.join(", ")}`;

/** The settings of `scalebench run`, with their flags and environment keys. */
export const RUN_SETTINGS: readonly SettingSpec[] = [
  {
    key: "provider",
    flag: "-p, --provider <name>",
    env: ["SCALEBENCH_PROVIDER"],
    type: "string",
    default: "local",
    help: "Where ranks run: local, slurm, kubernetes (dask-bench: KUBE)",
  },
  {
    key: "mode",
    flag: "-m, --mode <mode>",
    env: ["SCALEBENCH_MODE"],
    type: "string",
    default: null,
    help: "strong or weak (default: the workload's)",
    validate: oneOf(["strong", "weak"]),
  },
  {
    key: "cores",
    flag: "-c, --cores <list>",
    env: ["SCALEBENCH_CORES"],
    type: "string",
    default: null,
    help: "Core counts: 1,2,4 or 1..48:2 (dask-bench: MAX_N_CORES, STEP_BY)",
  },
  {
    key: "layout",
    flag: "--layout <layout>",
    env: ["SCALEBENCH_LAYOUT"],
    type: "string",
    default: "threads",
    help: "threads (1 rank × N threads), ranks (N × 1) or ranks:T",
  },
  {
    key: "coresPerNode",
    flag: "--cores-per-node <n>",
    env: ["SCALEBENCH_CORES_PER_NODE", "CORES_PER_NODE"],
    type: "int",
    default: null,
    help: "Cores of one node (default: the largest core count)",
    validate: positive,
  },
  {
    key: "reps",
    flag: "-r, --reps <n>",
    env: ["SCALEBENCH_REPS", "OBS_PER_ITER"],
    type: "int",
    default: 5,
    help: "Repetitions per point and operation",
    validate: positive,
  },
  {
    key: "warmup",
    flag: "--warmup <n>",
    env: ["SCALEBENCH_WARMUP"],
    type: "int",
    default: 0,
    help: "Warm-up repetitions per point (recorded, excluded from statistics)",
    validate: nonNegative,
  },
  {
    key: "order",
    flag: "--order <order>",
    env: ["SCALEBENCH_ORDER"],
    type: "string",
    default: "sequential",
    help: "sequential, interleaved (rep-major) or random",
    validate: oneOf(["sequential", "interleaved", "random"]),
  },
  {
    key: "seed",
    flag: "--seed <n>",
    env: ["SCALEBENCH_SEED"],
    type: "int",
    default: 1,
    help: "Seed of the workload's data and of random orders",
    validate: nonNegative,
  },
  {
    key: "output",
    flag: "-o, --output <dir>",
    env: ["SCALEBENCH_RESULTS_DIR", "RES_DIR"],
    type: "string",
    default: "results",
    help: "Results directory (a run directory is made inside)",
  },
  {
    key: "name",
    flag: "--name <name>",
    env: ["SCALEBENCH_NAME", "RES_FILE_NAME"],
    type: "string",
    default: null,
    help: "Run name: the run directory's name",
    validate: (
      v,
    ) => (v === null || /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(String(v))
      ? undefined
      : "expects letters, digits, '.', '_' and '-' (at most 100)"),
  },
  {
    key: "timeout",
    flag: "--timeout <s>",
    env: ["SCALEBENCH_TIMEOUT", "TIMEOUT"],
    type: "float",
    default: 0,
    help:
      "Fail a point whose ranks have not started, or a repetition that has not ended, after S seconds (0: never)",
    validate: nonNegative,
  },
  {
    key: "pollInterval",
    flag: "--poll-interval <s>",
    env: ["SCALEBENCH_POLL_INTERVAL", "POLL_INTERVAL"],
    type: "float",
    default: 2,
    help: "Seconds between job state polls",
    validate: positive,
  },
  {
    key: "monitorInterval",
    flag: "--monitor-interval <s>",
    env: ["SCALEBENCH_MONITOR_INTERVAL"],
    type: "float",
    default: 1,
    help: "Seconds between RSS/CPU samples of each rank (0: off)",
    validate: nonNegative,
  },
  {
    key: "rendezvousTimeout",
    flag: "--rendezvous-timeout <s>",
    env: ["SCALEBENCH_RDV_TIMEOUT"],
    type: "float",
    default: 120,
    help: "Seconds the ranks of a point wait for each other",
    validate: positive,
  },
  {
    key: "ops",
    flag: "--ops <list>",
    env: ["SCALEBENCH_OPS"],
    type: "list",
    default: null,
    help: "Only these operations (comma-separated)",
  },
  {
    key: "verbose",
    flag: "-v, --verbose",
    env: ["SCALEBENCH_VERBOSE", "VERBOSE"],
    type: "bool",
    default: false,
    help: "Print provider commands and rank logs as they happen",
  },
];

/** dask-bench `.env` keys that map to workload parameters. */
export const PARAM_KEYS: Record<string, { workload: string; param: string }> = {
  PROBLEM_SIZE_ARRAY: { workload: "arrays", param: "size" },
  PROBLEM_SIZE_DATAFRAMES: { workload: "dataframes", param: "rows" },
};

/** Every dask-bench key (DESIGN.md): known even where scalebench gives it no meaning. */
export const DASK_BENCH_KEYS = [
  "KUBE",
  "KUBE_NAMESPACE",
  "CONTAINER_IMAGE",
  "SCHEDULER_HOST",
  "KUBECLUSTER_NAME",
  "SCHEDULER_CORES",
  "SCHEDULER_MEM",
  "OUT_DIR",
  "RES_DIR",
  "USE_SSL",
  "CERT_DIR",
  "SECRET_CERT_NAME",
  "RES_FILE_NAME",
  "MAX_N_CORES",
  "CORES_PER_NODE",
  "STEP_BY",
  "OBS_PER_ITER",
  "MEM_PER_NODE",
  "VERBOSE",
  "NET_INTERFACE",
  "ACCOUNT",
  "PARTITION",
  "TIME_LIMIT",
  "ENV_TO_SOURCE",
  "TIMEOUT",
  "POLL_INTERVAL",
  "PROBLEM_SIZE_ARRAY",
  "PROBLEM_SIZE_DATAFRAMES",
] as const;

/** Where values come from. */
export interface ConfigSources {
  /** Flag values by setting key (only flags the user gave) */
  flags: Record<string, string | string[] | boolean | undefined>;
  /** The process environment */
  env: Record<string, string>;
  /** The `.env` file's keys, and its path for messages */
  dotenv: Record<string, string>;
  dotenvPath: string | null;
}

/** A value and where it came from. */
interface Found {
  raw: string | string[] | boolean;
  origin: string;
}

/** The first source that sets a setting: its flag, an environment key, a `.env` key. */
function find(spec: SettingSpec, src: ConfigSources): Found | null {
  const flagValue = src.flags[spec.key];
  if (flagValue !== undefined) {
    return {
      raw: flagValue,
      origin: `Flag ${spec.flag.split(/[ ,]+/).find((f) => f.startsWith("--"))}`,
    };
  }
  for (const key of spec.env) {
    if (src.env[key] !== undefined && src.env[key] !== "") {
      return { raw: src.env[key], origin: `Environment variable ${key}` };
    }
  }
  for (const key of spec.env) {
    if (src.dotenv[key] !== undefined && src.dotenv[key] !== "") {
      return {
        raw: src.dotenv[key],
        origin: `Key ${key} in ${quote(src.dotenvPath ?? ".env", 200)}`,
      };
    }
  }
  return null;
}

/** Turn a raw value into the setting's type, or throw a ValidationError naming its origin. */
export function parseSetting(spec: SettingSpec, found: Found): Settings[string] {
  const { raw, origin } = found;
  const fail = (why: string): never => {
    throw new ValidationError(`${origin} ${why} (got ${quote(raw)})`);
  };
  let value: Settings[string];
  const text = Array.isArray(raw) ? raw.join(",") : String(raw).trim();
  switch (spec.type) {
    case "int":
      if (!/^[+-]?\d+$/.test(text)) fail("expects a whole number");
      value = Number(text);
      break;
    case "float":
      if (text === "" || !Number.isFinite(Number(text))) fail("expects a number");
      value = Number(text);
      break;
    case "bool": {
      if (typeof raw === "boolean") value = raw;
      else if (/^(true|1|yes|on)$/i.test(text)) value = true;
      else if (/^(false|0|no|off)$/i.test(text)) value = false;
      else fail("expects true or false");
      break;
    }
    case "list":
      value = (Array.isArray(raw) ? raw : text.split(",")).map((s) => String(s).trim()).filter(
        Boolean,
      );
      break;
    default:
      value = Array.isArray(raw) ? raw[raw.length - 1] : String(raw);
  }
  const why = spec.validate?.(value!);
  if (why) fail(why);
  return value!;
}

/** Resolve a list of settings from the sources; every key present in the result. */
export function resolveSettings(
  specs: readonly SettingSpec[],
  src: ConfigSources,
): { values: Settings; origins: Record<string, string> } {
  const values: Settings = {};
  const origins: Record<string, string> = {};
  for (const spec of specs) {
    const found = find(spec, src);
    values[spec.key] = found ? parseSetting(spec, found) : spec.default;
    origins[spec.key] = found?.origin ?? "default";
  }
  return { values, origins };
}

/** The configuration of one `scalebench run`, fully resolved. */
export interface ResolvedConfig {
  provider: string;
  mode: Mode | null;
  cores: number[];
  layout: Layout;
  coresPerNode: number | null;
  reps: number;
  warmup: number;
  order: Order;
  seed: number;
  output: string;
  name: string | null;
  timeout: number;
  pollInterval: number;
  monitorInterval: number;
  rendezvousTimeout: number;
  ops: string[] | null;
  verbose: boolean;
  /** Workload parameters as given (`--set`, then dask-bench keys), validated later against the workload */
  params: Record<string, string>;
  /** Settings of the chosen provider */
  providerSettings: Settings;
  /** Where each value came from, by key */
  origins: Record<string, string>;
  /** Lines to show the user (unknown `.env` keys) */
  warnings: string[];
}

/** What else resolveConfig needs. */
export interface ResolveOptions {
  workload: string;
  /** `--set key=value` entries, already split */
  set: Record<string, string>;
  /** Settings of each provider, to resolve the chosen one's and to know every key */
  providerSettings: Record<string, readonly SettingSpec[]>;
  /** Default core list when none is given */
  defaultCores: number[];
}

function truthy(v: string): boolean {
  return /^(true|1|yes|on)$/i.test(v.trim());
}

/** Resolve `scalebench run`'s configuration. */
export function resolveConfig(src: ConfigSources, options: ResolveOptions): ResolvedConfig {
  const { values, origins } = resolveSettings(RUN_SETTINGS, src);
  // dask-bench's KUBE picks kubernetes or slurm unless the provider was set explicitly
  if (origins.provider === "default") {
    const kube = src.env.KUBE ?? src.dotenv.KUBE;
    if (kube !== undefined && kube !== "") {
      values.provider = truthy(kube) ? "kubernetes" : "slurm";
      origins.provider = src.env.KUBE !== undefined
        ? "Environment variable KUBE"
        : `Key KUBE in ${quote(src.dotenvPath ?? ".env")}`;
    }
  }
  const provider = String(values.provider);
  const known = options.providerSettings[provider];
  if (!known) {
    const where = origins.provider === "default"
      ? "--provider"
      : origins.provider.replace(/^Flag /, "");
    throw new ValidationError(
      `Unknown provider ${quote(provider)} (${where}; known: ${
        Object.keys(options.providerSettings).join(", ")
      })`,
    );
  }
  const providerResolved = resolveSettings(known, src);
  // cores: flag/env, else dask-bench's MAX_N_CORES and STEP_BY
  let cores: number[];
  if (values.cores !== null) {
    cores = parseCores(String(values.cores), { flag: origins.cores.replace(/^Flag /, "") });
  } else {
    const max = src.env.MAX_N_CORES ?? src.dotenv.MAX_N_CORES;
    if (max !== undefined && max !== "") {
      const step = src.env.STEP_BY ?? src.dotenv.STEP_BY ?? "1";
      const where = src.env.MAX_N_CORES !== undefined
        ? "environment"
        : quote(src.dotenvPath ?? ".env");
      cores = parseCores(`1..${max.trim()}:${step.trim()}`, {
        flag: `MAX_N_CORES/STEP_BY in ${where}`,
      });
      origins.cores = `MAX_N_CORES/STEP_BY in ${where}`;
    } else cores = options.defaultCores;
  }
  // dask-bench ran one worker process per core: with its .env and no layout given, do the same
  if (origins.layout === "default") {
    const daskKey = ["MAX_N_CORES", "CORES_PER_NODE"].find((k) =>
      (src.env[k] ?? src.dotenv[k] ?? "") !== ""
    );
    if (daskKey) {
      values.layout = "ranks";
      origins.layout = `dask-bench's ${daskKey} (one process per core)`;
    }
  }
  const layout = parseLayout(String(values.layout), {
    flag: origins.layout === "default" ? "--layout" : origins.layout.replace(/^Flag /, ""),
  });
  const params: Record<string, string> = {};
  for (const [key, target] of Object.entries(PARAM_KEYS)) {
    const v = src.env[key] ?? src.dotenv[key];
    if (target.workload === options.workload && v !== undefined && v !== "") {
      params[target.param] = v.trim();
    }
  }
  Object.assign(params, options.set);
  return {
    provider,
    mode: values.mode as Mode | null,
    cores,
    layout,
    coresPerNode: values.coresPerNode as number | null,
    reps: values.reps as number,
    warmup: values.warmup as number,
    order: values.order as Order,
    seed: values.seed as number,
    output: String(values.output),
    name: values.name as string | null,
    timeout: values.timeout as number,
    pollInterval: values.pollInterval as number,
    monitorInterval: values.monitorInterval as number,
    rendezvousTimeout: values.rendezvousTimeout as number,
    ops: values.ops as string[] | null,
    verbose: values.verbose as boolean,
    params,
    providerSettings: providerResolved.values,
    origins: {
      ...origins,
      ...Object.fromEntries(
        Object.entries(providerResolved.origins).map(([k, v]) => [`${provider}.${k}`, v]),
      ),
    },
    warnings: unknownKeys(src, options.providerSettings),
  };
}

/** Warnings for `.env` keys nobody knows. */
function unknownKeys(
  src: ConfigSources,
  providers: Record<string, readonly SettingSpec[]>,
): string[] {
  const known = new Set<string>([...DASK_BENCH_KEYS, ...Object.keys(PARAM_KEYS)]);
  for (const s of [...RUN_SETTINGS, ...Object.values(providers).flat()]) {
    for (const k of s.env) known.add(k);
  }
  return Object.keys(src.dotenv)
    .filter((k) => !known.has(k))
    .map((k) => `Ignoring unknown key ${quote(k)} in ${quote(src.dotenvPath ?? ".env", 200)}`);
}
