/**
 * One benchmark run, from options to a finished run directory (docs/architecture.md, "The run
 * lifecycle"): complete the configuration (or take the stored one with `--resume`), load the
 * workload through the injected loader, validate its parameters, plan the sweep, open the
 * provider's session, create (or reopen) the run directory, run the batches, and — in a
 * `finally` — close the session and record how the run ended. `dryRun` stops after emitting.
 *
 * @module
 */
import { completeConfig } from "./config.ts";
import { configFromManifest, resumeConfig } from "./config_resume.ts";
import { captureEnvironment, sha256File } from "./environment.ts";
import { errorMessage, quote, ValidationError } from "./errors.ts";
import { planRecord, planSweep, remainingBatches } from "./planner.ts";
import type { Provider, ProviderContext, ProviderSession } from "./provider.ts";
import { observationKey, readRun, RunStore } from "./results.ts";
import { redactSettings } from "./settings.ts";
import { executeSweep, type SweepEvent, type SweepOutcome } from "./sweep.ts";
import { checkTlsSettings, type RunTls, runTlsDir, startRunTls, tlsFiles } from "./tls.ts";
import type { Json, Manifest, Plan, RunConfig, RunStatus } from "./types.ts";
import { planCommand, resumedOps, runDefinition } from "./exec_workload.ts";
import { type LoadedWorkload, validateParams, type WorkloadLoader } from "./workload.ts";
import { type ChecksPlan, planChecks } from "./expect_run.ts";

/**
 * Options of {@linkcode runSweep}: the provider and the workload loader (injected), and any
 * fields of the run's configuration — the rest take the run settings' defaults (core/config.ts).
 */
export interface RunOptions extends Partial<Omit<RunConfig, "provider" | "workload">> {
  /** Built-in name, a path to a .ts file, or a URL (not needed with `resume`) */
  workload?: string;
  /** The provider object; `providerRef` is how the manifest names it (default: its name) */
  provider: Provider;
  /** A plugin's absolute URL or npm: specifier, so that `--resume` can load it again */
  providerRef?: string;
  /** Where workloads come from (the built-ins' loader: workloads/mod.ts `builtinWorkloads`) */
  workloads: WorkloadLoader;
  /** A run directory to complete: its stored configuration, with these options checked against it */
  resume?: string | null;
  dryRun?: boolean;
  /** argv that starts a rank process (default: this source checkout's cli/main.ts) */
  rankCommand?: string[];
  signal?: AbortSignal;
  onEvent?(event: SweepEvent): void;
  log?(line: string): void;
  /** The command line, recorded in the manifest */
  command?: string[];
  /** PATH to check a program workload's program and launcher on before anything starts (cli: the process's) */
  searchPath?: string | null;
}

/** How a run ended. */
export interface RunResult {
  runId: string;
  runDir: string;
  plan: Plan;
  /** The configuration the run used (secrets included: do not print it) */
  config: RunConfig;
  status: RunStatus | "dry-run";
  /** Observations in the run directory, and how many of them failed */
  observations: number;
  failed: number;
  /** Observations recorded by this call */
  recorded: number;
  validationError: string | null;
  /** What to judge the finished run by (expectations, baseline; core/expect_run.ts) */
  checks: ChecksPlan;
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
export async function resolveWorkloadRef(arg: string, workloads: WorkloadLoader): Promise<string> {
  if (workloads.names().includes(arg)) return arg;
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
      workloads.names().join(", ")
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

const OPTION_KEYS = new Set([
  "provider",
  "providerRef",
  "workloads",
  "workload",
  "resume",
  "dryRun",
  "rankCommand",
  "signal",
  "onEvent",
  "log",
  "command",
  "searchPath",
]);

/** The configuration fields among `options` (those given). */
function givenConfig(options: RunOptions): Partial<RunConfig> {
  return Object.fromEntries(
    Object.entries(options).filter(([k, v]) => !OPTION_KEYS.has(k) && v !== undefined),
  ) as Partial<RunConfig>;
}

interface Prepared {
  config: RunConfig;
  store: RunStore | null;
  done: Set<string>;
}

/** The configuration: completed from the options, or the resumed run's with the options checked. */
async function prepare(options: RunOptions): Promise<Prepared> {
  const providerRef = options.providerRef ?? options.provider.name;
  if (!options.resume) {
    // --exec alone runs the built-in workload `exec` (core/exec_workload.ts)
    const named = options.workload ?? (options.exec ? "exec" : "");
    const workload = await resolveWorkloadRef(named, options.workloads);
    const config = completeConfig(
      { ...givenConfig(options), workload, provider: providerRef },
      options.provider.settings,
    );
    // no --cores-per-node: the provider's node size if it has one (the ssh hosts' slots)
    config.coresPerNode ??= await options.provider.defaultCoresPerNode?.(config.providerSettings) ??
      null;
    return { config, store: null, done: new Set() };
  }
  const { store, observations } = await RunStore.open(options.resume);
  const stored = configFromManifest(store.manifest);
  const run = quote(options.resume, 200);
  if (options.workload && options.workload !== stored.workload) {
    const given = await resolveWorkloadRef(options.workload, options.workloads)
      .catch(() => options.workload);
    if (given !== stored.workload) {
      store.close();
      throw new ValidationError(
        `Run ${run} is a run of workload '${store.manifest.workload.name}'; --resume cannot run ${
          quote(options.workload)
        }`,
      );
    }
  }
  if (providerRef !== stored.provider) {
    store.close();
    throw new ValidationError(
      `--provider ${quote(providerRef)} contradicts run ${run}, which was made with ${
        quote(stored.provider)
      }: resume without it, or start a new run`,
    );
  }
  try {
    const { params, ...rest } = givenConfig(options);
    const config = resumeConfig(stored, rest, {
      runDir: options.resume,
      providerSettings: options.provider.settings,
    });
    // given parameters are compared once validated, in runSweep
    if (params && Object.keys(params).length) config.params = { ...stored.params, ...params };
    return { config, store, done: new Set(observations.map(observationKey)) };
  } catch (err) {
    store.close();
    throw err;
  }
}

/** Run a sweep (or plan it, with `dryRun`). Bad input → ValidationError before anything starts. */
export async function runSweep(options: RunOptions): Promise<RunResult> {
  const log = options.log ?? ((l: string) => console.error(l));
  const { config, store: resumed, done } = await prepare(options);
  try {
    checkTlsSettings(config);
  } catch (err) {
    resumed?.close();
    throw err;
  }
  const m = resumed?.manifest;
  let ctx: ProviderContext, plan: Plan, loaded: LoadedWorkload, checks: ChecksPlan;
  try {
    // a program (--exec, a command workload): the definition it plans with
    loaded = runDefinition(await options.workloads.load(config.workload), config);
    const def = loaded.definition;
    config.params = validateParams(def, config.params);
    if (m) {
      for (const [k, v] of Object.entries(config.params)) {
        if (m.workload.params[k] !== v) {
          throw new ValidationError(
            `Run ${quote(options.resume, 200)} was made with ${k}=${
              quote(m.workload.params[k])
            }; --resume cannot change it to ${quote(v)}`,
          );
        }
      }
      const sha256 = await sha256File(loaded.sourceUrl);
      if (m.workload.sha256 && sha256 && m.workload.sha256 !== sha256) {
        throw new ValidationError(
          `Workload ${quote(m.workload.source ?? config.workload, 200)} changed since run ${
            quote(options.resume, 200)
          } started (sha256 differs); --resume would mix two versions`,
        );
      }
    }
    const preflight = await def.preflight?.(config.params as never);
    if (preflight) throw new ValidationError(`Workload '${def.name}': ${preflight}`);
    plan = planSweep(def, {
      workloadRef: config.workload,
      provider: options.provider.name,
      mode: config.mode,
      cores: config.cores,
      layout: config.layout,
      coresPerNode: config.coresPerNode,
      reps: config.reps,
      warmup: config.warmup,
      order: config.order,
      seed: config.seed,
      params: config.params,
      operations: config.ops ?? resumedOps(def, m),
    });
    if (def.command) {
      plan.exec = await planCommand(def, plan, {
        config,
        provider: options.provider.name,
        dryRun: Boolean(options.dryRun),
        path: options.searchPath ?? null,
      });
    }
    // expectations, baseline and report files: every mistake before anything runs
    checks = await planChecks(config, { plan, definition: def });
    const runId = m ? m.run_id : (config.name ?? runIdFor(def.name));
    const runDir = resumed ? resumed.dir : `${config.output.replace(/\/+$/, "")}/${runId}`;
    const abs = (p: string) => new URL(p, `file://${Deno.cwd()}/`).pathname;
    ctx = {
      runId,
      runDir: abs(runDir),
      logsDir: abs(`${runDir}/logs`),
      plan,
      settings: config.providerSettings,
      rankCommand: options.rankCommand ?? sourceRankCommand(),
      token: randomToken(),
      seed: config.seed,
      monitorInterval: config.monitorInterval,
      rendezvousTimeout: config.rendezvousTimeout,
      timeout: config.timeout,
      verbose: config.verbose,
      dryRun: Boolean(options.dryRun),
      log,
      // --tls: where the files will be (written once the run starts, never in a dry run)
      tls: config.tls ? tlsFiles(runTlsDir(abs(runDir), { runId, certDir: config.certDir })) : null,
    };
  } catch (err) {
    resumed?.close();
    throw err;
  }
  const batches = resumed ? remainingBatches(plan.batches, done) : plan.batches;
  if (options.dryRun) {
    resumed?.close(); // a dry run of a resume plans what is missing and writes nothing
    return { ...await dryRun(options.provider, { ctx, batches, config }), checks };
  }
  return { ...await execute(options, { ctx, config, batches, resumed, loaded }), checks };
}

async function dryRun(
  provider: Provider,
  args: { ctx: ProviderContext; batches: Plan["batches"]; config: RunConfig },
): Promise<Omit<RunResult, "checks">> {
  const { ctx } = args;
  const session = await provider.open(ctx);
  const jobs = [];
  try {
    for (const b of args.batches) {
      jobs.push({ batch: b.id, cores: b.point.cores, submit: (await session.emit(b)).dryRun });
    }
  } finally {
    await session.close();
  }
  return {
    runId: ctx.runId,
    runDir: ctx.runDir,
    plan: ctx.plan,
    config: args.config,
    status: "dry-run",
    observations: 0,
    failed: 0,
    recorded: 0,
    validationError: null,
    jobs,
  };
}

function newManifest(
  options: RunOptions,
  args: { ctx: ProviderContext; config: RunConfig; loaded: LoadedWorkload; sha256: string | null },
): Manifest {
  const { ctx, config, loaded } = args;
  const plan = ctx.plan;
  const settings = redactSettings(config.providerSettings, options.provider.settings);
  return {
    schema_version: 1,
    config: { ...config, providerSettings: settings as RunConfig["providerSettings"] },
    run_id: ctx.runId,
    name: config.name,
    workload: {
      name: loaded.definition.name,
      ref: config.workload,
      summary: loaded.definition.summary,
      params: plan.params,
      operations: plan.operations,
      source: loaded.sourceUrl,
      sha256: args.sha256,
    },
    mode: plan.mode,
    provider: { name: options.provider.name, settings, jobs: [] },
    plan: planRecord(plan, config),
    environment: captureEnvironment(),
    started_at: new Date().toISOString(),
    ended_at: null,
    status: "running",
    resumes: [],
    command: options.command ?? [],
  };
}

/** Open the session, run the batches, and always close the session and end the manifest. */
async function execute(
  options: RunOptions,
  args: {
    ctx: ProviderContext;
    config: RunConfig;
    batches: Plan["batches"];
    resumed: RunStore | null;
    loaded: LoadedWorkload;
  },
): Promise<Omit<RunResult, "checks">> {
  const { ctx, config, batches, resumed } = args;
  // the run directory exists when the session opens (a provider may keep files there)
  const store = resumed ?? await RunStore.create(
    config.output,
    newManifest(options, { ...args, sha256: await sha256File(args.loaded.sourceUrl) }),
  );
  let session: ProviderSession;
  let tls: RunTls | null = null;
  try {
    if (config.tls) tls = await startTls(store, ctx, config);
    session = await options.provider.open(ctx);
  } catch (err) {
    await tls?.close();
    store.close();
    // a new run refused before anything ran leaves no directory behind
    if (!resumed) await Deno.remove(store.dir, { recursive: true }).catch(() => {});
    throw err;
  }
  let outcome: SweepOutcome | null = null;
  let failure: unknown = null;
  try {
    if (resumed) await markResumed(resumed, batches, config);
    outcome = await executeSweep({
      session,
      ctx,
      store,
      definition: args.loaded.definition,
      batches,
      pollInterval: config.pollInterval,
      signal: options.signal,
      onEvent: options.onEvent,
    });
  } catch (err) {
    failure = err;
  } finally {
    // the backstop: whatever happened, nothing of the run stays alive
    try {
      await session.close();
    } catch (err) {
      failure ??= err;
    }
    await tls?.close().catch((err) => failure ??= err);
  }
  try {
    const { observations, failed } = await countObservations(store.dir);
    const status: RunStatus = options.signal?.aborted || outcome?.interrupted
      ? "interrupted"
      : failure || outcome?.validationError || failed > 0
      ? "failed"
      : "complete";
    await store.updateManifest((man) => {
      man.status = status;
      man.ended_at = new Date().toISOString();
      man.error = failure ? errorMessage(failure) : null;
    });
    if (failure) throw failure;
    return {
      runId: ctx.runId,
      runDir: store.dir,
      plan: ctx.plan,
      config,
      status,
      observations,
      failed,
      recorded: outcome!.recorded,
      validationError: outcome!.validationError,
    };
  } finally {
    store.close();
  }
}

/** `--tls`: the run's CA and certificate, written for the ranks and recorded (never the key). */
async function startTls(store: RunStore, ctx: ProviderContext, config: RunConfig): Promise<RunTls> {
  const tls = await startRunTls({
    runId: ctx.runId,
    runDir: ctx.runDir,
    certDir: config.certDir,
    keep: config.keepCerts,
  });
  ctx.tls = tls.files;
  await store.updateManifest((man) => {
    man.tls = tls.record;
  });
  return tls;
}

async function markResumed(
  store: RunStore,
  batches: Plan["batches"],
  config: RunConfig,
): Promise<void> {
  await store.updateManifest((man) => {
    man.status = "running";
    man.ended_at = null;
    man.error = null;
    man.config = {
      ...config,
      providerSettings: man.config?.providerSettings ?? config.providerSettings,
    };
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

async function countObservations(dir: string): Promise<{ observations: number; failed: number }> {
  const run = await readRun(dir, { monitor: false });
  return {
    observations: run.observations.length,
    failed: run.observations.filter((o) => !o.ok).length,
  };
}
