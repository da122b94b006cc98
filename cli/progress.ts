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

function fmtSeconds(s: number | null): string {
  if (s === null) return "–";
  return s >= 100
    ? `${s.toFixed(0)} s`
    : s >= 1
    ? `${s.toFixed(2)} s`
    : `${(s * 1000).toFixed(1)} ms`;
}

/** A reporter for stderr. */
export function progressReporter(options: { tty?: boolean } = {}): ProgressReporter {
  const tty = options.tty ?? Deno.stderr.isTerminal();
  let bar: cliProgress.SingleBar | null = null;
  let total = 0, done = 0;
  let batchObs: { ok: number; failed: number; seconds: number[] } = {
    ok: 0,
    failed: 0,
    seconds: [],
  };
  const line = (s: string) => {
    if (bar) bar.stop(), bar = null;
    console.error(s);
  };
  return {
    event(e) {
      if (e.type === "batch-start") {
        if (total === 0) total = e.total; // batches; refined with tasks below
        batchObs = { ok: 0, failed: 0, seconds: [] };
        const p = e.batch.point;
        const what = `${p.cores} cores (${p.ranks}×${p.threads}, ${p.nodes} node${
          p.nodes > 1 ? "s" : ""
        })`;
        if (tty) {
          if (!bar) {
            bar = new cliProgress.SingleBar({
              format:
                " {bar} {percentage}% | batch {batch}/{batches} | {what} | ETA {eta_formatted}",
              stream: process.stderr,
              hideCursor: true,
              etaBuffer: 20,
            }, cliProgress.Presets.shades_classic);
            bar.start(e.total, done, { batch: e.index + 1, batches: e.total, what });
          }
          bar.update(done, { batch: e.index + 1, batches: e.total, what });
        } else {
          console.error(
            `[${e.index + 1}/${e.total}] ${e.batch.id}: ${what}, ${
              e.batch.tasks.filter((t) => t.record).length
            } observations`,
          );
        }
      } else if (e.type === "observation") {
        if (e.observation.ok) batchObs.ok++;
        else batchObs.failed++;
        if (e.observation.seconds !== null && !e.observation.warmup) {
          batchObs.seconds.push(e.observation.seconds);
        }
      } else if (e.type === "batch-end") {
        done++;
        const s = [...batchObs.seconds].sort((a, b) => a - b);
        const median = s.length ? s[Math.floor((s.length - 1) / 2)] : null;
        const msg = `${e.batch.id}: ${batchObs.ok} ok, ${batchObs.failed} failed, median ${
          fmtSeconds(median)
        }${e.reason ? ` — ${e.reason.split("\n")[0]}` : ""}`;
        if (tty && bar) {
          bar.update(done);
          if (batchObs.failed) line(`  ${msg}`);
        } else console.error(`  ${msg}`);
      } else if (e.type === "state" && !tty && e.state.state === "pending" && e.state.reason) {
        console.error(`  ${e.batch.id}: pending (${e.state.reason})`);
      }
    },
    log(s) {
      line(s);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
