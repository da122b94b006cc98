/**
 * The run's configuration: the settings of `scalebench run`, declared once with
 * {@linkcode defineSettings} (flag, environment keys, type, default, validation), and the one
 * resolved record {@linkcode RunConfig} they fill. The CLI resolves it from flags, the
 * environment and a `.env` file ({@linkcode resolveConfig}); a library caller gives some fields and
 * {@linkcode completeConfig} fills the rest with the same defaults. The record is stored in the
 * manifest and `--resume` reuses it (core/config_resume.ts). See docs/architecture.md.
 *
 * A new run flag: one entry in {@linkcode RUN_SETTINGS}; its value arrives typed in `RunConfig`.
 *
 * @module
 */
import { quote, ValidationError } from "./errors.ts";
import { parseCores, parseLayout } from "./planner.ts";
import {
  type BoolDecl,
  completeSettings,
  type ConfigSources,
  defineSettings,
  type FloatDecl,
  type IntDecl,
  type ListDecl,
  resolveSettings,
  type SettingDecls,
  type Settings,
  type SettingsOf,
  type StringDecl,
} from "./settings.ts";
import type { RunConfig } from "./types.ts";
import { daskCores, daskLayout, daskParams, daskProvider, unknownKeys } from "./config_dask.ts";
import { providerTls } from "./tls.ts";
import { ENGINE_NAMES } from "./engines.ts";

const positive = (v: number) => (v > 0 ? undefined : "expects a number > 0");
const nonNegative = (v: number) => (v >= 0 ? undefined : "expects a number ≥ 0");

type Nullable<D> = D & { default: null };
type Choices<D, C extends readonly string[]> = D & { choices: C };

/**
 * The declarations of the run settings, spelled out for the public API; a compile-time check
 * below keeps the values they resolve to equal to RunConfig's fields.
 */
export type RunSettingDecls = {
  provider: StringDecl;
  mode: Nullable<Choices<StringDecl, readonly ["strong", "weak"]>>;
  cores: Nullable<StringDecl>;
  layout: StringDecl;
  coresPerNode: Nullable<IntDecl>;
  reps: IntDecl & { default: number };
  warmup: IntDecl & { default: number };
  order: Choices<StringDecl, readonly ["sequential", "interleaved", "random"]>;
  seed: IntDecl & { default: number };
  ops: Nullable<ListDecl>;
  exec: Nullable<StringDecl>;
  engine: Nullable<StringDecl>;
  mpirun: StringDecl & { default: string };
  mpiArgs: Nullable<StringDecl>;
  python: StringDecl & { default: string };
  output: StringDecl & { default: string };
  name: Nullable<StringDecl>;
  timeout: FloatDecl & { default: number };
  pollInterval: FloatDecl & { default: number };
  monitorInterval: FloatDecl & { default: number };
  rendezvousTimeout: FloatDecl & { default: number };
  verbose: BoolDecl;
  tls: BoolDecl;
  certDir: Nullable<StringDecl>;
  keepCerts: BoolDecl;
  expect: Nullable<ListDecl>;
  strict: BoolDecl;
  baseline: Nullable<StringDecl>;
  maxRegression: FloatDecl & { default: number };
  junit: Nullable<StringDecl>;
  summary: Nullable<StringDecl>;
};

/** The settings of `scalebench run`, with their flags and environment keys. */
export const RUN_SETTINGS: RunSettingDecls = defineSettings({
  provider: {
    flag: "-p, --provider <name>",
    env: ["SCALEBENCH_PROVIDER"],
    type: "string",
    default: "local",
    help:
      "Where ranks run: local, slurm, kubernetes, ssh, or a plugin (./file.ts, a URL or an npm: specifier) (dask-bench: KUBE)",
  },
  mode: {
    flag: "-m, --mode <mode>",
    env: ["SCALEBENCH_MODE"],
    type: "string",
    choices: ["strong", "weak"],
    default: null,
    help: "strong or weak (default: the workload's)",
  },
  cores: {
    flag: "-c, --cores <list>",
    env: ["SCALEBENCH_CORES"],
    type: "string",
    default: null,
    help:
      "Core counts: 1,2,4 or 1..48:2 (default: 1, 2, 4… up to this machine's; dask-bench: MAX_N_CORES, STEP_BY)",
  },
  layout: {
    flag: "--layout <layout>",
    env: ["SCALEBENCH_LAYOUT"],
    type: "string",
    default: "threads",
    help: "threads (1 rank × N threads), ranks (N × 1) or ranks:T",
  },
  coresPerNode: {
    flag: "--cores-per-node <n>",
    env: ["SCALEBENCH_CORES_PER_NODE", "CORES_PER_NODE"],
    type: "int",
    default: null,
    help: "Cores of one node (default: the largest core count)",
    validate: positive,
  },
  reps: {
    flag: "-r, --reps <n>",
    env: ["SCALEBENCH_REPS", "OBS_PER_ITER"],
    type: "int",
    default: 5,
    help: "Repetitions per point and operation",
    validate: positive,
  },
  warmup: {
    flag: "--warmup <n>",
    env: ["SCALEBENCH_WARMUP"],
    type: "int",
    default: 0,
    help: "Warm-up repetitions per point (recorded, excluded from statistics)",
    validate: nonNegative,
  },
  order: {
    flag: "--order <order>",
    env: ["SCALEBENCH_ORDER"],
    type: "string",
    choices: ["sequential", "interleaved", "random"],
    default: "sequential",
    help: "sequential, interleaved (rep-major) or random",
  },
  seed: {
    flag: "--seed <n>",
    env: ["SCALEBENCH_SEED"],
    type: "int",
    default: 1,
    help: "Seed of the workload's data and of random orders",
    validate: nonNegative,
  },
  ops: {
    flag: "--ops <list>",
    env: ["SCALEBENCH_OPS"],
    type: "list",
    default: null,
    help:
      "Only this operation (repeatable; names may hold spaces; comma-separated in SCALEBENCH_OPS)",
  },
  exec: {
    flag: "--exec <command>",
    env: ["SCALEBENCH_EXEC"],
    type: "string",
    default: null,
    help:
      "Run this program as the workload (split into argv, no shell; --set key=value reaches it as SCALEBENCH_PARAM_KEY)",
  },
  engine: {
    flag: "--engine <name>",
    env: ["SCALEBENCH_ENGINE"],
    type: "string",
    choices: ENGINE_NAMES,
    default: null,
    help:
      "How a program runs over the ranks: process (each rank runs it; default), mpi (one mpirun over them)…",
  },
  mpirun: {
    flag: "--mpirun <command>",
    env: ["SCALEBENCH_MPIRUN"],
    type: "string",
    default: "mpirun",
    help: "With --engine mpi: Open MPI's launcher (a command line, no shell)",
  },
  mpiArgs: {
    flag: "--mpi-args <args>",
    env: ["SCALEBENCH_MPI_ARGS"],
    type: "string",
    default: null,
    help: "With --engine mpi: more mpirun arguments, e.g. '--mca btl self,tcp'",
  },
  python: {
    flag: "--python <path>",
    env: ["SCALEBENCH_PYTHON"],
    type: "string",
    default: "python3",
    help:
      "With --engine dask: the Python of the scheduler, the workers and a python client (with Dask's distributed)",
  },
  output: {
    flag: "-o, --output <dir>",
    env: ["SCALEBENCH_RESULTS_DIR", "RES_DIR"],
    type: "string",
    default: "results",
    help: "Results directory (a run directory is made inside)",
  },
  name: {
    flag: "--name <name>",
    env: ["SCALEBENCH_NAME", "RES_FILE_NAME"],
    type: "string",
    default: null,
    help: "Run name: the run directory's name",
    validate: (v) =>
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(v)
        ? undefined
        : "expects letters, digits, '.', '_' and '-' (at most 100)",
  },
  timeout: {
    flag: "--timeout <s>",
    env: ["SCALEBENCH_TIMEOUT", "TIMEOUT"],
    type: "float",
    default: 0,
    help:
      "Fail a point whose ranks have not started, or a repetition that has not ended, after S seconds (0: never)",
    validate: nonNegative,
  },
  pollInterval: {
    flag: "--poll-interval <s>",
    env: ["SCALEBENCH_POLL_INTERVAL", "POLL_INTERVAL"],
    type: "float",
    default: 2,
    help: "Seconds between job state polls",
    validate: positive,
  },
  monitorInterval: {
    flag: "--monitor-interval <s>",
    env: ["SCALEBENCH_MONITOR_INTERVAL"],
    type: "float",
    default: 1,
    help: "Seconds between RSS/CPU samples of each rank (0: off)",
    validate: nonNegative,
  },
  rendezvousTimeout: {
    flag: "--rendezvous-timeout <s>",
    env: ["SCALEBENCH_RDV_TIMEOUT"],
    type: "float",
    default: 120,
    help: "Seconds the ranks of a point wait for each other",
    validate: positive,
  },
  verbose: {
    flag: "-v, --verbose",
    env: ["SCALEBENCH_VERBOSE", "VERBOSE"],
    type: "bool",
    default: false,
    help: "Print provider commands and rank logs as they happen",
  },
  tls: {
    flag: "--tls",
    env: ["SCALEBENCH_TLS", "USE_SSL"],
    type: "bool",
    default: false,
    help:
      "Encrypt the rendezvous: a per-run CA and certificate, every rank verifies rank 0 (dask-bench: USE_SSL)",
  },
  certDir: {
    flag: "--cert-dir <dir>",
    env: ["SCALEBENCH_CERT_DIR", "CERT_DIR"],
    type: "string",
    default: null,
    help:
      "With --tls: the run's TLS files go to DIR/scalebench-<run id>, shared with the nodes (default: <run>/tls; dask-bench: CERT_DIR)",
  },
  keepCerts: {
    flag: "--keep-certs",
    env: ["SCALEBENCH_KEEP_CERTS"],
    type: "bool",
    default: false,
    help: "With --tls: leave the run's CA, certificate and key when the run ends",
  },
  // checks of the finished run (core/expect*.ts): how it is judged, not what it measures
  expect: {
    flag: "--expect <expectation>",
    env: ["SCALEBENCH_EXPECT"],
    type: "list",
    default: null,
    help:
      "A scaling expectation judged with the run's confidence intervals (repeatable): efficiency>=0.8@16, rate>=500@1..8, amdahl.s<=0.1, op:NAME speedup>=3@4",
  },
  strict: {
    flag: "--strict",
    env: ["SCALEBENCH_STRICT"],
    type: "bool",
    default: false,
    help: "An inconclusive expectation (its interval straddles the bound) fails the run",
  },
  baseline: {
    flag: "--baseline <run_dir>",
    env: ["SCALEBENCH_BASELINE"],
    type: "string",
    default: null,
    help:
      "Compare every operation and scale point with this run (same workload, mode and parameters)",
  },
  maxRegression: {
    flag: "--max-regression <pct>",
    env: ["SCALEBENCH_MAX_REGRESSION"],
    type: "float",
    default: 10,
    help:
      "With --baseline: fail when a point is slower than this many percent with 95 % confidence",
    validate: nonNegative,
  },
  junit: {
    flag: "--junit <file>",
    env: ["SCALEBENCH_JUNIT"],
    type: "string",
    default: null,
    help: "Write a JUnit XML file: one testcase per check, expectation and regression",
  },
  summary: {
    flag: "--summary <file>",
    env: ["SCALEBENCH_SUMMARY"],
    type: "string",
    default: null,
    help: "Append a Markdown table of the checks to FILE (e.g. $GITHUB_STEP_SUMMARY)",
  },
});

/** The run settings' record as declared (cores and layout still text). */
export type RunSettings = SettingsOf<typeof RUN_SETTINGS>;

export type { RunConfig };
// RunConfig (core/types.ts) has exactly the run settings' fields, with these types:
type Extra = "workload" | "params" | "providerSettings" | "cores" | "layout";
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _sameFields: Same<Omit<RunConfig, Extra>, Omit<RunSettings, "cores" | "layout">> = true;

/** The default core list: 1, 2, 4… up to this machine's logical CPUs, and that count. */
export function defaultCores(): number[] {
  const n = navigator.hardwareConcurrency || 1;
  const out = [];
  for (let c = 1; c <= n; c *= 2) out.push(c);
  if (out[out.length - 1] !== n) out.push(n);
  return out;
}

/** Text settings as typed run values: cores and layout parsed (a message names `origin`). */
function runConfig(
  values: RunSettings,
  rest: {
    workload: string;
    params: RunConfig["params"];
    providerSettings: Settings;
    origins?: Record<string, string>;
  },
): RunConfig {
  const flag = (key: string, fallback: string) =>
    rest.origins?.[key] && rest.origins[key] !== "default"
      ? rest.origins[key].replace(/^Flag /, "")
      : fallback;
  return {
    ...values,
    workload: rest.workload,
    params: rest.params,
    providerSettings: rest.providerSettings,
    cores: values.cores === null
      ? defaultCores()
      : parseCores(values.cores, { flag: flag("cores", "--cores") }),
    layout: parseLayout(values.layout, { flag: flag("layout", "--layout") }),
  };
}

/** A configuration resolved from outside sources, with where each value came from. */
export interface ResolvedConfig {
  config: RunConfig;
  /** Where each value came from, by key (`provider.key` for provider settings) */
  origins: Record<string, string>;
  /** Lines to show the user (unknown `.env` keys) */
  warnings: string[];
}

/** What else resolveConfig needs. */
export interface ResolveOptions {
  /** The workload as referenced (built-in name or absolute URL) */
  workload: string;
  /** `--set key=value` entries, already split */
  set: Record<string, string>;
  /** Settings of each provider by the name the user may give (plugins too), for every known key */
  providerSettings: Record<string, SettingDecls>;
}

/** Resolve `scalebench run`'s configuration: flags > environment > `.env` > dask-bench rules > defaults. */
export function resolveConfig(src: ConfigSources, options: ResolveOptions): ResolvedConfig {
  const { values, origins } = resolveSettings(RUN_SETTINGS, src);
  const kube = origins.provider === "default" ? daskProvider(src) : null;
  if (kube) [values.provider, origins.provider] = [kube.provider, kube.origin];
  const decls = options.providerSettings[values.provider];
  if (!decls) {
    const where = origins.provider === "default"
      ? "--provider"
      : origins.provider.replace(/^Flag /, "");
    throw new ValidationError(
      `Unknown provider ${quote(values.provider)} (${where}; known: ${
        Object.keys(options.providerSettings).join(", ")
      }; or a plugin: ./file.ts, a URL or an npm: specifier)`,
    );
  }
  const provider = resolveSettings(decls, src);
  const cores = values.cores === null ? daskCores(src) : null;
  const layout = origins.layout === "default" ? daskLayout(src) : null;
  if (layout) [values.layout, origins.layout] = [layout.layout, layout.origin];
  const config = runConfig(values, {
    workload: options.workload,
    params: { ...daskParams(src, options.workload), ...options.set },
    providerSettings: provider.values,
    origins,
  });
  if (cores) [config.cores, origins.cores] = [cores.cores, cores.origin];
  if (!config.tls && providerTls(config.providerSettings)) {
    [config.tls, origins.tls] = [true, provider.origins.useTls];
  }
  // dask-bench's CERT_DIR without USE_SSL does nothing (warned about below)
  if (!config.tls && / CERT_DIR\b/.test(origins.certDir)) config.certDir = null;
  for (const [k, v] of Object.entries(provider.origins)) origins[`${values.provider}.${k}`] = v;
  return {
    config,
    origins,
    warnings: unknownKeys(src, {
      used: [RUN_SETTINGS, decls],
      all: Object.values(options.providerSettings),
      provider: values.provider,
      tls: config.tls,
    }),
  };
}

/**
 * A full configuration from some fields given in code: the declared defaults for the rest, and
 * each given value checked like a flag's (`Option 'reps' expects a number > 0`).
 */
export function completeConfig(
  given: Partial<RunConfig> & { workload: string },
  providerSettings: SettingDecls,
): RunConfig {
  const { workload, params, providerSettings: ps, cores, layout, ...rest } = given;
  const values = completeSettings(RUN_SETTINGS, withoutUndefined(rest), "Option");
  const config = runConfig(values, {
    workload,
    params: params ?? {},
    providerSettings: completeSettings(providerSettings, withoutUndefined(ps ?? {}), "Setting"),
  });
  if (cores !== undefined) config.cores = parseCores(cores.join(","));
  if (layout !== undefined) config.layout = parseLayout(layout);
  if (providerTls(config.providerSettings)) config.tls = true;
  return config;
}

function withoutUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
