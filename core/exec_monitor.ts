/**
 * Monitoring of a rank that runs a program: the rank process and every process it started (the
 * program, mpirun and its children, a Dask worker…), read from /proc — resident memory summed
 * over the live tree, CPU time summed with what finished children left in their parents'
 * `cutime`/`cstime` (so it only grows), sampled on the rank's main thread (idle while its program
 * runs) and at phase changes, as the rank runtime's Monitor does for TypeScript workloads.
 *
 * @module
 */
import { memoryOf, processTree } from "./exec_process.ts";

const CLK_TCK = 100;

/** Resident memory (bytes) and CPU seconds of a process tree, or null where /proc is missing. */
export function treeUsage(pid: number): { rssBytes: number; cpuSeconds: number } | null {
  let rss = 0, ticks = 0, seen = 0;
  for (const p of processTree(pid)) {
    const memory = memoryOf(p);
    try {
      const stat = Deno.readTextFileSync(`/proc/${p}/stat`);
      // after the parenthesised name: utime, stime, cutime, cstime are fields 14 to 17
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      if (memory) rss += memory.rss;
      seen++;
    } catch { /* gone meanwhile */ }
  }
  return seen ? { rssBytes: rss, cpuSeconds: ticks / CLK_TCK } : null;
}

/** One sample: what a MonitorSample of the rank needs besides its rank, point and batch. */
export interface TreeSample {
  t: number;
  rss_bytes: number;
  cpu_percent: number | null;
  phase: string;
}

/** Samples a process tree every interval and at phase changes. */
export class TreeMonitor {
  #pid: number;
  #onSample: (s: TreeSample) => void;
  #phase = "start";
  #last: { t: number; cpu: number } | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(pid: number, onSample: (s: TreeSample) => void) {
    this.#pid = pid;
    this.#onSample = onSample;
  }

  /** Sample every `interval` seconds (0: only at phase changes). */
  start(interval: number): void {
    this.sample();
    if (interval > 0) this.#timer = setInterval(() => this.sample(), interval * 1000);
  }

  /** Sample now, closing the phase that ends, and tag later samples with `name`. */
  phase(name: string): void {
    this.sample();
    this.#phase = name;
  }

  sample(): void {
    const u = treeUsage(this.#pid);
    if (!u) return;
    const t = performance.now();
    const last = this.#last;
    this.#last = { t, cpu: u.cpuSeconds };
    const wall = last ? (t - last.t) / 1000 : 0;
    this.#onSample({
      t: Date.now() / 1000,
      rss_bytes: u.rssBytes,
      cpu_percent: last && wall > 0.001
        ? Math.round((Math.max(0, u.cpuSeconds - last.cpu) / wall) * 1000) / 10
        : null,
      phase: this.#phase,
    });
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}
