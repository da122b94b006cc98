/**
 * dask-bench compatibility: a dask-bench `.env` works as it is. Most of its keys are environment
 * keys of settings (OBS_PER_ITER → reps, ACCOUNT → the Slurm account…); the few with a rule of
 * their own are here: `KUBE` picks the provider, `MAX_N_CORES`/`STEP_BY` the core list, its
 * one-process-per-core layout, and `PROBLEM_SIZE_*` workload parameters. See docs/architecture.md.
 *
 * @module
 */
import { quote } from "./errors.ts";
import { parseCores } from "./planner.ts";
import {
  type ConfigSources,
  findSetting,
  type SettingDecl,
  type SettingDecls,
} from "./settings.ts";

/** dask-bench `.env` keys that map to workload parameters. */
export const PARAM_KEYS: Record<string, { workload: string; param: string }> = {
  PROBLEM_SIZE_ARRAY: { workload: "arrays", param: "size" },
  PROBLEM_SIZE_DATAFRAMES: { workload: "dataframes", param: "rows" },
};

/** Every dask-bench key: known even where scalebench gives it no meaning. */
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

/** A dask-bench key's value (the environment's, else the `.env` file's) and its origin. */
function value(src: ConfigSources, key: string): { value: string; where: string } | null {
  const decl: SettingDecl = { type: "string", flag: key, env: [key], help: "", default: null };
  const found = findSetting([key, decl], { ...src, flags: {} });
  return found ? { value: String(found.raw).trim(), where: found.origin } : null;
}

/** `KUBE`: kubernetes when true, else slurm; null when unset. */
export function daskProvider(src: ConfigSources): { provider: string; origin: string } | null {
  const kube = value(src, "KUBE");
  if (!kube) return null;
  return {
    provider: /^(true|1|yes|on)$/i.test(kube.value) ? "kubernetes" : "slurm",
    origin: kube.where,
  };
}

/** `MAX_N_CORES` and `STEP_BY`: dask-bench's sweep 1, then STEP_BY, 2×STEP_BY… up to the max. */
export function daskCores(src: ConfigSources): { cores: number[]; origin: string } | null {
  const max = value(src, "MAX_N_CORES");
  if (!max) return null;
  const step = value(src, "STEP_BY")?.value ?? "1";
  const where = src.env.MAX_N_CORES ? "environment" : quote(src.dotenvPath ?? ".env");
  const origin = `MAX_N_CORES/STEP_BY in ${where}`;
  return { cores: parseCores(`1..${max.value}:${step}`, { flag: origin }), origin };
}

/** dask-bench ran one worker process per core: with its `.env`, the `ranks` layout. */
export function daskLayout(src: ConfigSources): { layout: "ranks"; origin: string } | null {
  const key = ["MAX_N_CORES", "CORES_PER_NODE"].find((k) => value(src, k));
  return key ? { layout: "ranks", origin: `dask-bench's ${key} (one process per core)` } : null;
}

/** Workload parameters from `PROBLEM_SIZE_*`, for `workload` (a built-in name). */
export function daskParams(src: ConfigSources, workload: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, target] of Object.entries(PARAM_KEYS)) {
    const v = value(src, key);
    // the same sizes for the TypeScript workload and its Dask twin (dask-arrays, dask-dataframes)
    const mine = target.workload === workload || `dask-${target.workload}` === workload;
    if (mine && v) params[target.param] = v.value;
  }
  return params;
}

/** Keys that mean something only with TLS on (`--tls`, `USE_SSL=True`). */
const TLS_ONLY_KEYS = new Set(["CERT_DIR", "SCALEBENCH_CERT_DIR", "SCALEBENCH_KEEP_CERTS"]);

/**
 * The one warning line (or none) for `.env` keys that do nothing in this run: keys no setting and
 * no dask-bench rule knows, keys of dask-bench or of other providers that mean nothing with the
 * chosen one (a stock dask-bench `.env` has KUBE_NAMESPACE on Slurm, ACCOUNT on Kubernetes,
 * SCHEDULER_* everywhere), and CERT_DIR without TLS.
 */
export function unknownKeys(
  src: ConfigSources,
  options: { used: SettingDecls[]; all: SettingDecls[]; provider: string; tls: boolean },
): string[] {
  const envKeys = (decls: SettingDecls[]) =>
    decls.flatMap((d) => Object.values(d).flatMap((s) => s.env ?? []));
  const used = new Set<string>([
    "KUBE",
    "MAX_N_CORES",
    "STEP_BY",
    ...Object.keys(PARAM_KEYS),
    ...envKeys(options.used),
  ]);
  const known = new Set<string>([...DASK_BENCH_KEYS, ...used, ...envKeys(options.all)]);
  const keys = Object.keys(src.dotenv);
  const groups = [
    [keys.filter((k) => !known.has(k)), "unknown"],
    [
      keys.filter((k) => known.has(k) && !used.has(k) && !TLS_ONLY_KEYS.has(k)),
      `no meaning with provider ${quote(options.provider)}`,
    ],
    [
      keys.filter((k) => TLS_ONLY_KEYS.has(k) && (!options.tls || !used.has(k))),
      "only with USE_SSL=True or --tls",
    ],
  ] as const;
  const parts = groups.filter(([ks]) => ks.length).map(([ks, why]) => `${ks.join(", ")} (${why})`);
  if (!parts.length) return [];
  return [
    `Ignoring keys in ${quote(src.dotenvPath ?? ".env", 200)} that do nothing here: ${
      parts.join("; ")
    }`,
  ];
}
