/**
 * `scalebench run`: resolve the configuration, run (or plan) the sweep, show progress, print the
 * outcome and exit 0 (all good), 1 (an observation or check failed), 2 (bad input) or 130
 * (interrupted).
 *
 * @module
 */
import { Command, Option } from "@commander-js/extra-typings";
import { resolveConfig } from "../core/config.ts";
import { ValidationError } from "../core/errors.ts";
import { parseSetFlags } from "../core/params.ts";
import { type RunResult, runSweep, sourceRankCommand } from "../core/run.ts";
import type { SweepEvent } from "../core/sweep.ts";
import { ExitError } from "./app.ts";
import {
  cliRankCommand,
  defaultCores,
  flagValues,
  processEnv,
  providerSettings,
  readDotenv,
  settingOptions,
} from "./config.ts";
import { progressReporter } from "./progress.ts";

/** The `run` command. */
export function runCommand() {
  const { options, keysByAttribute } = settingOptions();
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
    if (!workload && !o.resume) {
      throw new ValidationError(
        "Name a workload (scalebench list workloads) or give --resume RUN_DIR",
      );
    }
    const flags = flagValues(o, (a) => command.getOptionValueSource(a as never), keysByAttribute);
    const dotenv = await readDotenv(o.envFile as string | undefined);
    const config = resolveConfig(
      { flags, env: processEnv(), dotenv: dotenv.values, dotenvPath: dotenv.path },
      {
        workload: workload ?? "",
        set: parseSetFlags((o.set as string[]) ?? []),
        providerSettings: providerSettings(),
        defaultCores: defaultCores(),
      },
    );
    for (const w of config.warnings) console.error(w);
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
      result = await runSweep({
        workload,
        provider: config.provider,
        providerSettings: config.providerSettings,
        params: config.params,
        mode: config.mode,
        cores: config.cores,
        layout: config.layout,
        coresPerNode: config.coresPerNode,
        reps: config.reps,
        warmup: config.warmup,
        order: config.order,
        seed: config.seed,
        ops: config.ops,
        output: config.output,
        name: config.name,
        resume: (o.resume as string | undefined) ?? null,
        timeout: config.timeout,
        pollInterval: config.pollInterval,
        monitorInterval: config.monitorInterval,
        rendezvousTimeout: config.rendezvousTimeout,
        verbose: config.verbose,
        dryRun: Boolean(o.dryRun),
        rankCommand: cliRankCommand(sourceRankCommand),
        signal: controller.signal,
        onEvent: (e: SweepEvent) => progress?.event(e),
        log: (line) => progress ? progress.log(line) : console.error(line),
        command: ["scalebench", "run", ...Deno.args.slice(1)],
      });
    } finally {
      progress?.stop();
      for (const s of signals) Deno.removeSignalListener(s, onSignal);
    }
    if (o.dryRun) return printDryRun(result, Boolean(o.json));
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
      }));
    } else {
      printSummary(result);
      if (report) console.log(`Report: ${report}`);
    }
    if (result.validationError) {
      console.error(result.validationError);
      throw new ExitError(2);
    }
    if (result.status === "interrupted") throw new ExitError(130);
    if (result.failed > 0) throw new ExitError(1);
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
  console.log(`Operations: ${p.operations.join(", ")}`);
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
