/**
 * One benchmark run, from options to a finished run directory: resolve and load the workload,
 * validate its parameters, plan the sweep, create (or resume) the run directory, run the batches
 * through the provider and record how it ended. `dryRun` stops after planning and emitting.
 *
 * @module
 */
import { captureEnvironment, sha256File } from "./environment.ts";
import { quote, ValidationError } from "./errors.ts";
import { planSweep, remainingBatches } from "./planner.ts";
import { observationKey, RunStore } from "./results.ts";
import { executeSweep, type SweepEvent } from "./sweep.ts";
import type { Json, Layout, Manifest, Mode, Order, Plan, RunStatus } from "./types.ts";
import { validateParams } from "./workload.ts";
import { BUILTIN_WORKLOADS, builtinNames, loadWorkload } from "../workloads/mod.ts";
import { getProvider } from "../providers/mod.ts";
import type { Provider, ProviderContext, Settings, SettingSpec } from "../providers/types.ts";

/** Options of {@linkcode runSweep}; everything but `workload` (or `resume`) has a default. */
export interface RunOptions {
  /** Built-in name, a path to a .ts file, or a file:// URL */
  workload?: string;
  provider?: string | Provider;
  providerSettings?: Settings;
  params?: Record<string, string | number | boolean>;
  mode?: Mode | null;
  cores?: number[];
  layout?: Layout;
  coresPerNode?: number | null;
  reps?: number;
  warmup?: number;
  order?: Order;
  seed?: number;
  ops?: string[] | null;
  /** Results directory (default `results`) */
  output?: string;
  name?: string | null;
  /** A run directory to complete */
  resume?: string | null;
  timeout?: number;
  pollInterval?: number;
  monitorInterval?: number;
  rendezvousTimeout?: number;
  verbose?: boolean;
  dryRun?: boolean;
  /** argv that starts a rank process (default: this source checkout's cli/main.ts) */
  rankCommand?: string[];
  signal?: AbortSignal;
  onEvent?(event: SweepEvent): void;
  log?(line: string): void;
  /** The command line, recorded in the manifest */
  command?: string[];
}

/** How a run ended. */
export interface RunResult {
  runId: string;
  runDir: string;
  plan: Plan;
  status: RunStatus | "dry-run";
  /** Observations in the run directory, and how many of them failed */
  observations: number;
  failed: number;
  /** Observations recorded by this call */
  recorded: number;
  validationError: string | null;
  /** With dryRun: what the provider would submit per batch */
  jobs?: { batch: string; cores: number; submit: Json }[];
}

/** argv that starts a rank from this source checkout. */
export function sourceRankCommand(): string[] {
  const root = new URL("../", import.meta.url);
  return [
    Deno.execPath(),
    "run",
    "-A",
    "--quiet",
    "--config",
    new URL("deno.json", root).pathname,
    new URL("cli/main.ts", root).pathname,
    "rank",
  ];
}

/** A workload argument as a reference: a built-in name, or the absolute file:// URL of a file. */
export async function resolveWorkloadRef(arg: string): Promise<string> {
  if (Object.hasOwn(BUILTIN_WORKLOADS, arg)) return arg;
  if (/^(file|https?):\/\//.test(arg)) return arg;
  if (/[\\/]|\.(ts|js|mts|mjs|tsx)$/.test(arg)) {
    const url = new URL(arg, `file://${Deno.cwd()}/`);
    try {
      const info = await Deno.stat(url);
      if (!info.isFile) throw new ValidationError(`Workload file ${quote(arg, 200)} is not a file`);
    } catch (err) {
      if (err instanceof ValidationError) throw err;
      throw new ValidationError(`Workload file ${quote(arg, 200)} does not exist`);
    }
    return url.href;
  }
  throw new ValidationError(
    `Unknown workload ${quote(arg)} (known: ${
      builtinNames().join(", ")
    }; or give a path to a .ts file)`,
  );
}

function runIdFor(name: string): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, "0");
  const stamp = `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${
    p(d.getMinutes())
  }${p(d.getSeconds())}`;
  const rand = crypto.getRandomValues(new Uint8Array(2));
  return `${name}-${stamp}-${[...rand].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

function randomToken(): string {
  return [...crypto.getRandomValues(new Uint8Array(24))].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/** Settings with every secret replaced, for the manifest. */
export function redactSettings(
  settings: Settings,
  specs: readonly SettingSpec[],
): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(settings)) {
    out[k] = specs.find((s) => s.key === k)?.secret && v !== null ? "<redacted>" : v as Json;
  }
  return out;
}

function withDefaults(specs: readonly SettingSpec[], given: Settings = {}): Settings {
  const out: Settings = {};
  for (const s of specs) out[s.key] = given[s.key] !== undefined ? given[s.key] : s.default;
  return out;
}

/** Run a sweep (or plan it, with `dryRun`). Bad input → ValidationError before anything starts. */
export async function runSweep(options: RunOptions): Promise<RunResult> {
  const log = options.log ?? ((l: string) => console.error(l));
  let resumed: { store: RunStore; done: Set<string>; manifest: Manifest } | null = null;
  if (options.resume) {
    const { store, observations } = await RunStore.open(options.resume);
    resumed = { store, manifest: store.manifest, done: new Set(observations.map(observationKey)) };
  }
  const m = resumed?.manifest;
  const ref = m ? m.workload.ref : await resolveWorkloadRef(options.workload ?? "");
  if (m && options.workload && options.workload !== m.workload.name) {
    const given = await resolveWorkloadRef(options.workload).catch(() => options.workload);
    if (given !== m.workload.ref) {
      throw new ValidationError(
        `Run ${
          quote(options.resume, 200)
        } is a run of workload '${m.workload.name}'; --resume cannot run ${
          quote(options.workload)
        }`,
      );
    }
  }
  const loaded = await loadWorkload(ref);
  const def = loaded.definition;
  let params = validateParams(def, options.params ?? {});
  const sha256 = await sha256File(loaded.sourceUrl);
  if (m) {
    if (options.params && Object.keys(options.params).length) {
      for (const [k, v] of Object.entries(params)) {
        if (m.workload.params[k] !== v) {
          throw new ValidationError(
            `Run ${quote(options.resume, 200)} was made with ${k}=${
              quote(m.workload.params[k])
            }; --resume cannot change it to ${quote(v)}`,
          );
        }
      }
    }
    if (m.workload.sha256 && sha256 && m.workload.sha256 !== sha256) {
      throw new ValidationError(
        `Workload ${quote(m.workload.source ?? ref, 200)} changed since run ${
          quote(options.resume, 200)
        } started (sha256 differs); --resume would mix two versions`,
      );
    }
    params = validateParams(def, m.workload.params);
  }
  const preflight = await def.preflight?.(params as never);
  if (preflight) throw new ValidationError(`Workload '${def.name}': ${preflight}`);

  // a resumed run keeps its provider
  const provider = typeof options.provider === "object"
    ? options.provider
    : getProvider(m?.provider.name ?? options.provider ?? "local", { flag: "--provider" });
  const plan = planSweep(def, {
    workloadRef: ref,
    provider: provider.name,
    mode: m ? m.mode : options.mode,
    cores: m ? m.plan.cores : options.cores ?? [1, 2],
    layout: m ? m.plan.layout : options.layout ?? "threads",
    coresPerNode: m ? m.plan.cores_per_node : options.coresPerNode,
    reps: m ? m.plan.reps : options.reps ?? 5,
    warmup: m ? m.plan.warmup : options.warmup ?? 0,
    order: m ? m.plan.order : options.order ?? "sequential",
    seed: m ? m.plan.seed : options.seed ?? 1,
    params,
    operations: m ? m.workload.operations : options.ops ?? undefined,
  });
  const settings = withDefaults(provider.settings, {
    ...(m
      ? Object.fromEntries(
        Object.entries(m.provider.settings).filter(([, v]) => v !== "<redacted>"),
      ) as Settings
      : {}),
    ...(m ? {} : options.providerSettings),
  });
  const runId = m ? m.run_id : (options.name ?? runIdFor(def.name));
  const runDir = resumed
    ? resumed.store.dir
    : `${(options.output ?? "results").replace(/\/+$/, "")}/${runId}`;
  const ctx: ProviderContext = {
    runId,
    runDir: new URL(runDir, `file://${Deno.cwd()}/`).pathname,
    logsDir: new URL(`${runDir}/logs`, `file://${Deno.cwd()}/`).pathname,
    plan,
    settings,
    rankCommand: options.rankCommand ?? sourceRankCommand(),
    token: randomToken(),
    seed: m ? m.plan.seed : options.seed ?? 1,
    monitorInterval: options.monitorInterval ?? 1,
    rendezvousTimeout: options.rendezvousTimeout ?? 120,
    timeout: options.timeout ?? 0,
    verbose: options.verbose ?? false,
    log,
  };
  const batches = resumed ? remainingBatches(plan.batches, resumed.done) : plan.batches;

  if (options.dryRun) {
    const jobs = [];
    for (const b of batches) {
      jobs.push({
        batch: b.id,
        cores: b.point.cores,
        submit: (await provider.emit(b, ctx)).dryRun,
      });
    }
    return {
      runId,
      runDir,
      plan,
      status: "dry-run",
      observations: 0,
      failed: 0,
      recorded: 0,
      validationError: null,
      jobs,
    };
  }

  await provider.validate?.(ctx);
  const store = resumed?.store ?? await RunStore.create(options.output ?? "results", {
    schema_version: 1,
    run_id: runId,
    name: options.name ?? null,
    workload: {
      name: def.name,
      ref,
      summary: def.summary,
      params,
      operations: plan.operations,
      source: loaded.sourceUrl,
      sha256,
    },
    mode: plan.mode,
    provider: {
      name: provider.name,
      settings: redactSettings(settings, provider.settings),
      jobs: [],
    },
    plan: {
      cores: plan.points.map((p) => p.cores),
      layout: plan.layout,
      cores_per_node: plan.cores_per_node,
      reps: plan.reps,
      warmup: plan.warmup,
      order: plan.order,
      seed: ctx.seed,
      timeout: ctx.timeout,
      points: plan.points,
    },
    environment: captureEnvironment(),
    started_at: new Date().toISOString(),
    ended_at: null,
    status: "running",
    resumes: [],
    command: options.command ?? [],
  });
  if (resumed) {
    await store.updateManifest((man) => {
      man.status = "running";
      man.ended_at = null;
      for (const job of man.provider.jobs) {
        if (job.ended_at === null) {
          job.state = "abandoned";
          job.reason = "The driver stopped before this job ended";
        }
      }
      man.resumes.push({
        at: new Date().toISOString(),
        missing: batches.reduce((n, b) => n + b.tasks.filter((t) => t.record).length, 0),
      });
    });
  }
  try {
    const outcome = await executeSweep({
      provider,
      ctx,
      store,
      definition: def,
      batches,
      pollInterval: options.pollInterval ?? 2,
      signal: options.signal,
      onEvent: options.onEvent,
    });
    await provider.cleanup?.(ctx).catch(() => {});
    const { observations, failed } = await countObservations(store);
    const status: RunStatus = outcome.interrupted
      ? "interrupted"
      : outcome.validationError || failed > 0
      ? "failed"
      : "complete";
    await store.updateManifest((man) => {
      man.status = status;
      man.ended_at = new Date().toISOString();
    });
    return {
      runId,
      runDir: store.dir,
      plan,
      status,
      observations,
      failed,
      recorded: outcome.recorded,
      validationError: outcome.validationError,
    };
  } finally {
    store.close();
  }
}

async function countObservations(
  store: RunStore,
): Promise<{ observations: number; failed: number }> {
  const text = await Deno.readTextFile(`${store.dir}/observations.jsonl`);
  let observations = 0, failed = 0;
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const o = JSON.parse(line);
      observations++;
      if (!o.ok) failed++;
    } catch { /* torn line */ }
  }
  return { observations, failed };
}
