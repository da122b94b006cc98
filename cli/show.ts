/**
 * `scalebench show RUN_DIR`: the run's header and a terminal table per operation (statistics of
 * the measured repetitions per point, speedup and efficiency against the smallest point).
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import Table from "cli-table3";
import { readRun } from "../core/results.ts";
import { summarize } from "../core/stats.ts";
import type { Observation } from "../core/types.ts";

function fmt(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  return Math.abs(x) >= 1000 ? x.toFixed(0) : x.toPrecision(digits);
}

function bytes(n: number | null | undefined): string {
  if (!n) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) n /= 1024, i++;
  return `${n.toFixed(n >= 100 ? 0 : 1)} ${units[i]}`;
}

/** The table of one operation's observations, by point. */
export function operationTable(obs: Observation[], options: { mode: string }): string {
  const byCores = new Map<number, Observation[]>();
  for (const o of obs) if (!o.warmup) byCores.set(o.cores, [...(byCores.get(o.cores) ?? []), o]);
  const head = [
    "cores",
    "nodes",
    "ranks×thr",
    "n",
    "median s",
    "mean s",
    "min s",
    "max s",
    "std s",
    "95% CI",
    "speedup",
    "eff.",
    "rate",
    "peak RSS",
    "failed",
  ];
  const table = new Table({
    head,
    style: { head: [], border: [] },
    colAligns: head.map(() => "right" as const),
  });
  let base: { cores: number; median: number } | null = null;
  for (const [cores, list] of [...byCores].sort((a, b) => a[0] - b[0])) {
    const ok = list.filter((o) => o.ok && o.seconds !== null);
    const s = ok.length ? summarize(ok.map((o) => o.seconds!)) : null;
    if (s && !base) base = { cores, median: s.median };
    const speedup = s && base ? base.median / s.median : null;
    const eff = speedup !== null && base
      ? (options.mode === "weak" ? speedup : speedup / (cores / base.cores))
      : null;
    const rates = ok.map((o) => o.rate).filter((r): r is number => r !== null);
    const rate = rates.length ? summarize(rates).median : null;
    const o0 = list[0];
    table.push([
      String(cores),
      String(o0.nodes),
      `${o0.ranks}×${o0.threads}`,
      String(ok.length),
      s ? `${fmt(s.median)}${s.noisy ? " !" : ""}` : "–",
      fmt(s?.mean),
      fmt(s?.min),
      fmt(s?.max),
      fmt(s?.std, 2),
      s?.ci95 ? `${fmt(s.ci95[0], 3)}–${fmt(s.ci95[1], 3)}` : "–",
      options.mode === "weak" ? "–" : fmt(speedup, 3),
      fmt(eff, 3),
      rate !== null ? `${fmt(rate)} ${o0.unit ?? ""}`.trim() : "–",
      bytes(Math.max(0, ...ok.map((o) => o.peak_rss_bytes ?? 0))),
      String(list.length - ok.length),
    ]);
  }
  return table.toString();
}

/** The `show` command. */
export function showCommand() {
  return new Command("show")
    .description("Show a run: its settings and a table of timings per operation")
    .argument("<run_dir>", "a run directory")
    .action(async (dir) => {
      const run = await readRun(dir, { onWarning: (m) => console.error(m), monitor: false });
      const m = run.manifest;
      const env = m.environment;
      console.log(`Run ${m.run_id} — ${m.status}`);
      console.log(
        `Workload ${m.workload.name} ${
          JSON.stringify(m.workload.params)
        }, ${m.mode} scaling, provider ${m.provider.name}`,
      );
      console.log(
        `Started ${m.started_at}${
          m.ended_at ? `, ended ${m.ended_at}` : ""
        }; ${m.plan.reps} reps + ${m.plan.warmup} warm-up, layout ${m.plan.layout}`,
      );
      console.log(
        `Host ${env.host}: ${env.cpu_model ?? "unknown CPU"}, ${env.cores} cores, ${
          bytes(env.memory_bytes)
        }, Deno ${env.deno}`,
      );
      if (run.observations.length === 0) console.log("\nNo observations recorded yet");
      for (const op of m.workload.operations) {
        const obs = run.observations.filter((o) => o.op === op);
        if (!obs.length) continue;
        console.log(`\n${op}`);
        console.log(operationTable(obs, { mode: m.mode }));
      }
      const failures = run.observations.filter((o) => !o.ok);
      if (failures.length) {
        console.log(`\nFailed observations (${failures.length}):`);
        for (const f of failures.slice(0, 20)) {
          console.log(
            `  ${f.op} cores=${f.cores} rep=${f.rep}${f.warmup ? " (warm-up)" : ""}: ${
              (f.error ?? "").split("\n")[0]
            }`,
          );
        }
        if (failures.length > 20) console.log(`  … and ${failures.length - 20} more`);
      }
      console.log("\n! = noisy (coefficient of variation > 10 %)");
    });
}
