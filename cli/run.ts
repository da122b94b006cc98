/**
 * `scalebench run`: resolve the configuration, run (or plan) the sweep, show progress, print the
 * outcome and exit 0 (all good), 1 (an observation or check failed), 2 (bad input) or 130
 * (interrupted).
 *
 * @module
 */
import { Command, Option } from "@commander-js/extra-typings";
import { resolveConfig, type ResolvedConfig } from "../core/config.ts";
import { configFromManifest, RESUME_MAY_CHANGE } from "../core/config_resume.ts";
import { ValidationError } from "../core/errors.ts";
import { parseSetFlags } from "../core/params.ts";
import type { Provider } from "../core/provider.ts";
import type { SettingDecls } from "../core/settings.ts";
import { readManifest } from "../core/results.ts";
import { type RunOptions, type RunResult, runSweep, sourceRankCommand } from "../core/run.ts";
import type { SweepEvent } from "../core/sweep.ts";
import type { RunConfig } from "../core/types.ts";
import { getProvider, isPluginSpecifier, loadProvider } from "../providers/mod.ts";
import { builtinWorkloads } from "../workloads/mod.ts";
import { ExitError } from "./exit.ts";
import {
  cliRankCommand,
  flagValues,
  knownProviders,
  processEnv,
  providerSettings,
  readDotenv,
  settingOptions,
} from "./config.ts";
import { progressReporter } from "./progress.ts";
import { checkReportDir } from "./_input_checks.ts";

/** A provider plugin named on the command line, loaded before the options are built. */
export interface Plugin {
  /** As the user gave it (`./my_provider.ts`) */
  arg: string;
  /** Absolute specifier (file:// URL, https:, npm:), recorded in the manifest */
  ref: string;
  provider: Provider;
}

function flagArgument(args: string[], names: string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") break;
    for (const n of names) {
      if (a === n) found = args[i + 1];
      else if (a.startsWith(`${n}=`)) found = a.slice(n.length + 1);
    }
  }
  return found;
}

async function storedProvider(runDir: string): Promise<string> {
  return configFromManifest(await readManifest(runDir)).provider;
}

/**
 * The provider plugin a `run` command line names — `-p ./my_provider.ts`, the provider of the run
 * given to `--resume`, SCALEBENCH_PROVIDER in the environment or in the `.env` file — loaded so that
 * its settings become flags.
 */
export async function pluginOfCommandLine(args: string[]): Promise<Plugin | undefined> {
  if (args[0] !== "run") return undefined;
  let arg = flagArgument(args, ["-p", "--provider"]);
  const resume = flagArgument(args, ["--resume"]);
  if (arg === undefined && resume) arg = await storedProvider(resume);
  arg ??= processEnv().SCALEBENCH_PROVIDER;
  arg ??= (await readDotenv(flagArgument(args, ["--env-file"]))).values.SCALEBENCH_PROVIDER;
  if (!arg || !isPluginSpecifier(arg)) return undefined;
  const { provider, ref } = await loadProvider(arg, { flag: "--provider" });
  return { arg, ref, provider };
}

/**
 * The options to run with. A new run takes the whole resolved configuration. A resume takes the
 * stored one (core/config_resume.ts): only what the user gave on the command line is passed, to be
 * checked against it — and the settings a resume may change, and secrets, from any source.
 */
function runOptions(
  resolved: ResolvedConfig,
  options: { resume: string | null; set: Record<string, string>; provider: Provider },
): Partial<RunConfig> {
  const { config, origins } = resolved;
  if (!options.resume) return config;
  const given: Record<string, unknown> = {};
  const fromFlag = (k: string) => origins[k]?.startsWith("Flag ");
  for (const [k, v] of Object.entries(config)) {
    if (k === "params" || k === "providerSettings" || k === "workload") continue;
    const may = (RESUME_MAY_CHANGE as string[]).includes(k) && origins[k] !== "default";
    if (fromFlag(k) || may) given[k] = v;
  }
  const decls = options.provider.settings as SettingDecls;
  const settings: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config.providerSettings)) {
    const origin = origins[`${config.provider}.${k}`] ?? "default";
    // flags are checked against the run; secrets (never stored) come from wherever they are set
    if (origin.startsWith("Flag ") || (decls[k]?.secret && origin !== "default")) {
      settings[k] = v;
    }
  }
  return {
    ...given,
    params: Object.keys(options.set).length ? options.set : undefined,
    providerSettings: settings as RunConfig["providerSettings"],
  };
}

/** The `run` command; `plugin`: a provider plugin the command line names (its settings are flags). */
export function runCommand(plugin?: Plugin) {
  const providers = knownProviders(plugin);
  const { options, keysByAttribute } = settingOptions(providers);
  const cmd = new Command("run")
    .description(
      "Run a sweep of a workload (a built-in name or a .ts file) and record every observation",
    )
    .argument("[workload]", "built-in workload name, or path to a workload .ts file")
    .option(
      "--set <key=value>",
      "Workload parameter (repeatable)",
      (v: string, p: string[] = []) => [...p, v],
    )
    .option("--env-file <file>", "Read settings from this .env file (default: ./.env when present)")
    .option("--resume <run_dir>", "Complete an interrupted run: run only the missing observations")
    .option("--dry-run", "Print the plan (and job scripts/manifests) and start nothing")
    .option("--json", "Print one JSON object at the end")
    .addOption(
      new Option(
        "--report [dir]",
        "Write the HTML report when the run ends (default: <run_dir>/report)",
      ),
    );
  for (const o of options) cmd.addOption(o as never);
  return cmd.action(async (workload, opts, command) => {
    const o = opts as Record<string, unknown>;
    const resume = (o.resume as string | undefined) ?? null;
    const flags = flagValues(o, (a) => command.getOptionValueSource(a as never), keysByAttribute);
    // a resumed run's settings are its provider's: resolve those unless another is named
    if (resume && flags.provider === undefined) flags.provider = await storedProvider(resume);
    if (typeof o.report === "string") await checkReportDir(o.report);
    const dotenv = await readDotenv(o.envFile as string | undefined);
    const set = parseSetFlags((o.set as string[]) ?? []);
    const resolved = resolveConfig(
      { flags, env: processEnv(), dotenv: dotenv.values, dotenvPath: dotenv.path },
      { workload: workload ?? "", set, providerSettings: providerSettings(providers) },
    );
    for (const w of resolved.warnings) console.error(w);
    if (!workload && !resume && !resolved.config.exec) {
      throw new ValidationError(
        "Name a workload (scalebench list workloads), give --exec COMMAND, or give --resume RUN_DIR",
      );
    }
    const named = resolved.config.provider;
    const provider = providers[named] ?? getProvider(named, { flag: "--provider" });
    const providerRef = plugin && provider === plugin.provider ? plugin.ref : named;
    const controller = new AbortController();
    const onSignal = () => {
      if (controller.signal.aborted) Deno.exit(130);
      console.error("Interrupted: stopping the running point (Ctrl-C again to quit at once)");
      controller.abort();
    };
    const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
    for (const s of signals) Deno.addSignalListener(s, onSignal);
    const progress = o.json || o.dryRun ? null : progressReporter();
    let result: RunResult;
    try {
      const { provider: _, ...given } = runOptions(resolved, { resume, set, provider });
      const run: RunOptions = {
        ...given,
        workload,
        provider,
        providerRef,
        workloads: builtinWorkloads,
        resume,
        dryRun: Boolean(o.dryRun),
        rankCommand: cliRankCommand(sourceRankCommand),
        signal: controller.signal,
        onEvent: (e: SweepEvent) => progress?.event(e),
        log: (line) => progress ? progress.log(line) : console.error(line),
        command: ["scalebench", ...Deno.args],
        searchPath: processEnv().PATH ?? null,
      };
      result = await runSweep(run);
    } finally {
      progress?.stop();
      for (const s of signals) Deno.removeSignalListener(s, onSignal);
    }
    if (o.dryRun) return printDryRun(result, Boolean(o.json));
    // expectations, baseline, --junit, --summary (reports/expect_run.ts): judged once all is recorded
    const { checkLines, finishRunChecks } = await import("../reports/expect_run.ts");
    const checks = result.validationError || result.status === "interrupted"
      ? null
      : await finishRunChecks(result.runDir, result.checks);
    let report: string | null = null;
    if (o.report && !result.validationError) {
      const { writeReport } = await import("../reports/mod.ts");
      const out = typeof o.report === "string" ? o.report : `${result.runDir}/report`;
      report = (await writeReport([result.runDir], {
        outDir: out,
        onWarning: (m: string) => console.error(m),
      })).index;
    }
    if (o.json) {
      console.log(JSON.stringify({
        run_dir: result.runDir,
        run_id: result.runId,
        status: result.status,
        observations: result.observations,
        failed: result.failed,
        recorded: result.recorded,
        report,
        checks,
      }));
    } else {
      printSummary(result);
      for (const line of checks ? checkLines(checks) : []) console.log(line);
      if (report) console.log(`Report: ${report}`);
    }
    if (result.validationError) {
      console.error(result.validationError);
      throw new ExitError(2);
    }
    if (result.status === "interrupted") throw new ExitError(130);
    if (result.failed > 0 || (checks && !checks.ok)) throw new ExitError(1);
  });
}

function printDryRun(result: RunResult, json: boolean): void {
  const p = result.plan;
  if (json) {
    const { batches: _b, ...rest } = p;
    console.log(JSON.stringify(
      {
        ...rest,
        points: p.points.map(({ cores, nodes, ranks, threads, size, params }) => ({
          cores,
          nodes,
          ranks,
          threads,
          size,
          params,
        })),
        batches: p.batches.map((b) => ({ id: b.id, cores: b.point.cores, tasks: b.tasks.length })),
        jobs: result.jobs,
      },
      null,
      2,
    ));
    return;
  }
  console.log(
    `Plan: ${p.workload} (${p.mode} scaling) on ${p.provider}, ${p.reps} reps + ${p.warmup} warm-up, order ${p.order}`,
  );
  console.log(
    `Operations: ${
      p.operations.includes("*")
        ? "whatever the program records (its first repetition defines them)"
        : p.operations.join(", ")
    }`,
  );
  if (p.exec) {
    console.log(
      `Program: ${
        p.exec.argv?.join(" ") ?? "(per point, from the workload)"
      }; engine ${p.exec.engine}`,
    );
  }
  for (const pt of p.points) {
    console.log(
      `  ${
        String(pt.cores).padStart(5)
      } cores = ${pt.ranks} ranks × ${pt.threads} threads on ${pt.nodes} node(s), size ${pt.size}`,
    );
  }
  for (const j of result.jobs ?? []) {
    const s = j.submit as Record<string, unknown>;
    const text = typeof s === "string"
      ? s
      : typeof s?.script === "string"
      ? s.script
      : typeof s?.yaml === "string"
      ? s.yaml
      : null;
    if (text) console.log(`\n# ---- ${j.batch} ----\n${text}`);
  }
}

function printSummary(result: RunResult): void {
  const verdict = result.status === "complete"
    ? "all ok"
    : result.status === "interrupted"
    ? "interrupted (complete it with --resume)"
    : `${result.failed} failed`;
  console.log(`Run ${result.runId}: ${result.observations} observations, ${verdict}`);
  console.log(`Results: ${result.runDir}`);
}
