/**
 * Progress of a sweep: a bar with ETA on a terminal (cli-progress), plain lines otherwise.
 *
 * @module
 */
import process from "node:process";
import cliProgress from "cli-progress";
import type { SweepEvent } from "../core/sweep.ts";

/** Receives sweep events; `log` prints a line without breaking the bar. */
export interface ProgressReporter {
  event(e: SweepEvent): void;
  log(line: string): void;
  stop(): void;
}

/** Seconds as a short human string. */
export function fmtSeconds(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return "–";
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  if (s >= 100) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(1)} ms`;
}

/** A reporter for stderr. */
export function progressReporter(options: { tty?: boolean } = {}): ProgressReporter {
  const tty = options.tty ?? Deno.stderr.isTerminal();
  let bar: cliProgress.SingleBar | null = null;
  let done = 0, total = 0, started = 0, what = "", batchLabel = "";
  let batchObs: { ok: number; failed: number; seconds: number[] } = {
    ok: 0,
    failed: 0,
    seconds: [],
  };
  const eta = () => {
    if (done === 0) return "…";
    const rest = ((performance.now() - started) / 1000 / done) * (total - done);
    if (rest < 1) return "<1 s";
    if (rest < 120) return `${Math.round(rest)} s`;
    return rest < 7200 ? `${Math.round(rest / 60)} min` : `${(rest / 3600).toFixed(1)} h`;
  };
  const payload = () => ({ batch: batchLabel, what, remaining: eta() });
  const line = (s: string) => {
    if (bar) {
      bar.stop();
      bar = null;
    }
    console.error(s);
  };
  const ensureBar = () => {
    if (bar || !tty) return;
    bar = new cliProgress.SingleBar({
      format: " {bar} {value}/{total} observations | batch {batch} | {what} | ETA {remaining}",
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
        batchObs = { ok: 0, failed: 0, seconds: [] };
        const p = e.batch.point;
        what = `${p.cores} cores = ${p.ranks}×${p.threads} on ${p.nodes} node${
          p.nodes > 1 ? "s" : ""
        }`;
        batchLabel = `${e.index + 1}/${e.total}`;
        if (tty) {
          ensureBar();
          bar?.update(done, payload());
        } else {
          console.error(
            `[${batchLabel}] ${e.batch.id}: ${what}, ${
              e.batch.tasks.filter((t) => t.record).length
            } observations`,
          );
        }
      } else if (e.type === "observation") {
        done++;
        if (e.observation.ok) batchObs.ok++;
        else batchObs.failed++;
        if (e.observation.seconds !== null && !e.observation.warmup) {
          batchObs.seconds.push(e.observation.seconds);
        }
        bar?.update(done, payload());
      } else if (e.type === "batch-end") {
        const s = [...batchObs.seconds].sort((a, b) => a - b);
        const median = s.length ? s[Math.floor((s.length - 1) / 2)] : null;
        const reason = e.reason ? ` — ${e.reason.split("\n")[0]}` : "";
        const msg = `${e.batch.id}: ${batchObs.ok} ok, ${batchObs.failed} failed, median ${
          fmtSeconds(median)
        }${reason}`;
        if (!tty) console.error(`  ${msg}`);
        else if (batchObs.failed) {
          line(`  ${msg}`);
          ensureBar();
        }
      } else if (e.type === "state" && e.state.state === "pending" && e.state.reason) {
        if (!tty) console.error(`  ${e.batch.id}: pending (${e.state.reason})`);
        else bar?.update(done, { ...payload(), what: `pending: ${e.state.reason}` });
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
