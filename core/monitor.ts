/**
 * Per-rank resource monitor: RSS and CPU% sampled by a Web Worker every interval, tagged with the
 * phase the rank is in (`prepare`, `op:<name>`, `check`…), plus the peak RSS of each repetition.
 *
 * @module
 */
import { readCpuSeconds, readPeakRss, readRss, resetPeakRss } from "./_proc.ts";
import { workerEntry } from "./_worker_entry.ts";

/** One sample as the monitor reports it. */
export interface RawSample {
  t: number;
  rss_bytes: number;
  cpu_percent: number | null;
  phase: string;
}

/** A running monitor. */
export class Monitor {
  #worker: Worker | null;
  #phase = new Int32Array(new SharedArrayBuffer(4));
  #phases: string[] = ["start"];
  #canReset: boolean;
  #maxSeen = 0;
  #onSample: ((s: RawSample) => void) | null = null;
  #lastCpu: { t: number; cpu: number | null } = { t: performance.now(), cpu: readCpuSeconds() };

  private constructor(onSample: (s: RawSample) => void) {
    this.#canReset = resetPeakRss();
    this.#onSample = onSample;
    this.#worker = null;
  }

  /** Sample every `interval` seconds from now on, in a worker (0: only at phase changes). */
  sampleEvery(interval: number): void {
    if (interval <= 0 || this.#worker) return;
    const entry = workerEntry("./_monitor_worker.ts", { base: import.meta.url, role: "monitor" });
    this.#worker = new Worker(entry.url, entry.options);
    this.#worker.onmessage = (e) => {
      const { t, rss_bytes, cpu_percent, phase } = e.data;
      this.#maxSeen = Math.max(this.#maxSeen, rss_bytes);
      this.#onSample?.({ t, rss_bytes, cpu_percent, phase: this.#phases[phase] ?? "unknown" });
    };
    this.#worker.postMessage({ interval, phase: this.#phase.buffer });
  }

  /** A monitor that samples at phase changes, and every `interval` seconds (0: never) in a worker. */
  static start(options: { interval: number; onSample(s: RawSample): void }): Monitor {
    const m = new Monitor(options.onSample);
    m.sampleEvery(options.interval);
    return m;
  }

  /** Take a sample now, on this thread (at phase changes, so short phases are seen too). */
  sampleNow(): void {
    if (!this.#onSample) return;
    const t = performance.now(), cpu = readCpuSeconds();
    const wall = (t - this.#lastCpu.t) / 1000;
    const last = this.#lastCpu.cpu;
    this.#lastCpu = { t, cpu };
    const rss = readRss();
    this.#maxSeen = Math.max(this.#maxSeen, rss);
    this.#onSample({
      t: Date.now() / 1000,
      rss_bytes: rss,
      cpu_percent: cpu !== null && last !== null && wall > 0.001
        ? Math.round(((cpu - last) / wall) * 1000) / 10
        : null,
      phase: this.#phases[Atomics.load(this.#phase, 0)] ?? "unknown",
    });
  }

  /** Tag later samples with `name`. */
  setPhase(name: string): void {
    let i = this.#phases.indexOf(name);
    if (i < 0) i = this.#phases.push(name) - 1;
    Atomics.store(this.#phase, 0, i);
  }

  /** Start measuring a new peak. */
  resetPeak(): void {
    if (this.#canReset) resetPeakRss();
    this.#maxSeen = readRss();
  }

  /** Peak RSS since the last reset, bytes. */
  peak(): number {
    const hwm = this.#canReset ? readPeakRss() : null;
    return Math.max(hwm ?? 0, this.#maxSeen, readRss());
  }

  stop(): void {
    this.#worker?.terminate();
    this.#worker = null;
  }
}
