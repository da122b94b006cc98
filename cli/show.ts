/**
 * `scalebench show RUN_DIR`: the run's header and a terminal table per operation (statistics of
 * the measured repetitions per point, speedup and efficiency against the smallest point), fitted
 * to 100 columns (the terminal's width when wider; `--wide` shows every column), then the failed
 * observations in the words of the progress lines and the report.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { failureLine } from "../core/labels.ts";
import { readRun } from "../core/results.ts";
import { summarize } from "../core/stats.ts";
import type { Observation } from "../core/types.ts";
import { type Column, fitTable, outputWidth, wrapLines } from "./_table.ts";

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

/** The columns of an operation's table, most important first to keep (priority 0 always). */
const COLUMNS: Column[] = [
  { head: "cores", priority: 0 },
  { head: "nodes", priority: 6 },
  { head: "ranks×thr", priority: 1 },
  { head: "reps", priority: 5 },
  { head: "median s", priority: 0 },
  { head: "mean s", priority: 9 },
  { head: "min s", priority: 8 },
  { head: "max s", priority: 8 },
  { head: "std s", priority: 9 },
  { head: "median CI (level)", priority: 3 },
  { head: "speedup", priority: 2 },
  { head: "eff.", priority: 2 },
  { head: "rate", priority: 4 },
  { head: "peak RSS", priority: 7 },
  { head: "failed", priority: 1 },
];
const MEDIAN = COLUMNS.findIndex((c) => c.head === "median s");

/** One operation's table and what a reader needs to know about it. */
export interface OperationTable {
  text: string;
  /** Columns left out to fit the width */
  hidden: string[];
  /** A shown median is flagged noisy (`!`) */
  noisy: boolean;
}

/** The table of one operation's observations, by point, fitted to `width` unless `wide`. */
export function operationTable(
  obs: Observation[],
  options: { mode: string; width?: number; wide?: boolean },
): OperationTable {
  const byCores = new Map<number, Observation[]>();
  for (const o of obs) {
    if (o.warmup) continue;
    const list = byCores.get(o.cores);
    if (list) list.push(o);
    else byCores.set(o.cores, [o]);
  }
  let base: { cores: number; median: number } | null = null;
  let noisy = false;
  const rows: string[][] = [];
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
    noisy ||= Boolean(s?.noisy);
    rows.push([
      String(cores),
      String(o0.nodes),
      `${o0.ranks}×${o0.threads}`,
      String(ok.length),
      s ? `${fmt(s.median)}${s.noisy ? " !" : ""}` : "–",
      fmt(s?.mean),
      fmt(s?.min),
      fmt(s?.max),
      fmt(s?.std, 2),
      s?.ci ? `${fmt(s.ci.lo, 3)}–${fmt(s.ci.hi, 3)} (${fmt(s.ci.level * 100, 3)} %)` : "–",
      options.mode === "weak" ? "–" : fmt(speedup, 3),
      fmt(eff, 3),
      rate !== null ? `${fmt(rate)} ${o0.unit ?? ""}`.trim() : "–",
      bytes(Math.max(0, ...ok.map((o) => o.peak_rss_bytes ?? 0))),
      String(list.length - ok.length),
    ]);
  }
  const t = fitTable(COLUMNS, rows, { width: options.width ?? 100, wide: options.wide });
  return { text: t.text, hidden: t.hidden, noisy: noisy && t.shown.includes(MEDIAN) };
}

/** Everything `show` prints for a run, fitted to `width` unless `wide`. */
export async function showRun(
  dir: string,
  options: { width: number; wide?: boolean; onWarning?: (m: string) => void },
): Promise<string> {
  const run = await readRun(dir, { onWarning: options.onWarning, monitor: false });
  const m = run.manifest;
  const env = m.environment;
  const out: string[] = [];
  const say = (line: string) => out.push(options.wide ? line : wrapLines(line, options.width));
  say(`Run ${m.run_id} — ${m.status}`);
  say(
    `Workload ${m.workload.name} ${
      JSON.stringify(m.workload.params)
    }, ${m.mode} scaling, provider ${m.provider.name}`,
  );
  say(
    `Started ${m.started_at}${
      m.ended_at ? `, ended ${m.ended_at}` : ""
    }; ${m.plan.reps} reps + ${m.plan.warmup} warm-up, layout ${m.plan.layout}`,
  );
  say(
    `Host ${env.host}: ${env.cpu_model ?? "unknown CPU"}, ${env.cores} cores, ${
      bytes(env.memory_bytes)
    }, Deno ${env.deno}`,
  );
  if (run.observations.length === 0) out.push("", "No observations recorded yet");
  const hidden = new Set<string>();
  let noisy = false;
  for (const op of m.workload.operations) {
    const obs = run.observations.filter((o) => o.op === op);
    if (!obs.length) continue;
    const t = operationTable(obs, { mode: m.mode, width: options.width, wide: options.wide });
    t.hidden.forEach((h) => hidden.add(h));
    noisy ||= t.noisy;
    out.push("", op, t.text);
  }
  const failures = run.observations.filter((o) => !o.ok);
  if (failures.length) {
    out.push("", `Failed observations (${failures.length}):`);
    for (const f of failures.slice(0, 20)) say(`  ${failureLine(f)}`);
    if (failures.length > 20) out.push(`  … and ${failures.length - 20} more`);
  }
  const notes = [
    noisy ? "! = noisy (coefficient of variation > 10 %)" : "",
    hidden.size
      ? `Not shown to fit ${options.width} columns: ${[...hidden].join(", ")} (--wide)`
      : "",
  ].filter(Boolean);
  if (notes.length) out.push("", ...notes);
  return out.join("\n");
}

/** The `show` command. */
export function showCommand() {
  return new Command("show")
    .description("Show a run: its settings and a table of timings per operation")
    .argument("<run_dir>", "a run directory")
    .option("--wide", "show every column, however wide the table")
    .action(async (dir, o) => {
      console.log(
        await showRun(dir, {
          width: outputWidth(),
          wide: Boolean(o.wide),
          onWarning: (m) => console.error(m),
        }),
      );
    });
}
