/**
 * Progress of a sweep on stderr: a bar with ETA on a terminal (cli-progress), plain lines
 * otherwise. A failed observation is printed with its message as it happens, in the words `show`
 * and the report use (`burn · 2 cores · rep 1: got 41, wanted 42`); lines fit 100 columns, or the
 * terminal's width.
 *
 * @module
 */
import process from "node:process";
import cliProgress from "cli-progress";
import { coresLabel, failureLine, firstLine } from "../core/labels.ts";
import { median } from "../core/stats.ts";
import type { SweepEvent } from "../core/sweep.ts";

/** Receives sweep events; `log` prints a line without breaking the bar. */
export interface ProgressReporter {
  event(e: SweepEvent): void;
  log(line: string): void;
  stop(): void;
}

/** Failed observations printed per point as they happen; the rest are counted at its end. */
export const FAILURES_SHOWN = 3;

/** Seconds as a short human string. */
export function fmtSeconds(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return "–";
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  if (s >= 100) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(1)} ms`;
}

/** `s` cut to `width` characters, with an ellipsis when cut. */
export function fitLine(s: string, width: number): string {
  return s.length <= width ? s : `${s.slice(0, Math.max(0, width - 1))}…`;
}

/** Options of {@linkcode progressReporter}. */
export interface ProgressOptions {
  /** Draw a bar (default: stderr is a terminal) */
  tty?: boolean;
  /** Line width (default: the terminal's, else 100) */
  width?: number;
  /** Where lines go (default: console.error) */
  write?: (line: string) => void;
}

function stderrWidth(): number {
  try {
    if (Deno.stderr.isTerminal()) return Math.max(60, Deno.consoleSize().columns);
  } catch { /* not a terminal */ }
  return 100;
}

/** A reporter for stderr. */
export function progressReporter(options: ProgressOptions = {}): ProgressReporter {
  const tty = options.tty ?? Deno.stderr.isTerminal();
  const width = options.width ?? stderrWidth();
  const write = options.write ?? ((s: string) => console.error(s));
  let bar: cliProgress.SingleBar | null = null;
  let done = 0, total = 0, started = 0, what = "", batchLabel = "";
  let batch = { ok: 0, failed: 0, shown: 0, seconds: [] as number[] };
  const eta = () => {
    if (done === 0) return "…";
    const rest = ((performance.now() - started) / 1000 / done) * (total - done);
    if (rest < 1) return "<1 s";
    if (rest < 120) return `${Math.round(rest)} s`;
    return rest < 7200 ? `${Math.round(rest / 60)} min` : `${(rest / 3600).toFixed(1)} h`;
  };
  // the bar's text around {bar} is at most ~60 characters; what is left is the bar's
  const payload = () => ({ batch: batchLabel, what: fitLine(what, 34), remaining: eta() });
  const line = (s: string) => {
    if (bar) {
      bar.stop();
      bar = null;
    }
    write(fitLine(s, width));
  };
  const ensureBar = () => {
    if (bar || !tty) return;
    bar = new cliProgress.SingleBar({
      format: " {bar} {value}/{total} | {batch} | {what} | ETA {remaining}",
      barsize: Math.max(10, Math.min(40, width - 70)),
      stream: process.stderr,
      hideCursor: true,
    }, cliProgress.Presets.shades_classic);
    bar.start(total, done, payload());
  };
  return {
    event(e) {
      if (e.type === "batch-start") {
        if (!started) started = performance.now();
        total = e.observations;
        batch = { ok: 0, failed: 0, shown: 0, seconds: [] };
        const p = e.batch.point;
        what = `${coresLabel(p.cores)} = ${p.ranks}×${p.threads} on ${p.nodes} node${
          p.nodes > 1 ? "s" : ""
        }`;
        batchLabel = `${e.index + 1}/${e.total}`;
        if (tty) {
          ensureBar();
          bar?.update(done, payload());
        } else {
          const n = e.batch.tasks.filter((t) => t.record).length;
          line(`[${batchLabel}] ${e.batch.id}: ${what}, ${n} observation${n === 1 ? "" : "s"}`);
        }
      } else if (e.type === "observation") {
        done++;
        const o = e.observation;
        if (o.ok) batch.ok++;
        else {
          batch.failed++;
          if (batch.shown++ < FAILURES_SHOWN) {
            line(`  ✗ ${failureLine(o)}`);
            ensureBar();
          }
        }
        if (o.seconds !== null && o.ok && !o.warmup) batch.seconds.push(o.seconds);
        bar?.update(done, payload());
      } else if (e.type === "batch-end") {
        const more = batch.failed - Math.min(batch.failed, FAILURES_SHOWN);
        const parts = [
          `${e.batch.id}: ${batch.ok} ok, ${batch.failed} failed`,
          batch.seconds.length ? `median ${fmtSeconds(median(batch.seconds))}` : "",
          more ? `${more} more failure${more === 1 ? "" : "s"} (scalebench show lists all)` : "",
        ].filter(Boolean);
        const reason = e.reason ? ` — ${firstLine(e.reason)}` : "";
        const msg = `  ${parts.join(", ")}${reason}`;
        if (!tty) line(msg);
        else if (batch.failed || e.reason) {
          line(msg);
          ensureBar();
        }
      } else if (e.type === "state" && e.state.state === "pending" && e.state.reason) {
        if (!tty) line(`  ${e.batch.id}: pending (${e.state.reason})`);
        else bar?.update(done, { ...payload(), what: fitLine(`pending: ${e.state.reason}`, 34) });
      }
    },
    log(s) {
      line(s);
      ensureBar();
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
