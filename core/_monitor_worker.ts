/// <reference lib="deno.worker" />
/**
 * Samples this process's RSS and CPU% every interval, off the main thread, so that sampling goes
 * on while the rank's main thread computes. The current phase is read from shared memory.
 *
 * @module
 */
import { readCpuSeconds, readRss } from "./_proc.ts";

self.onmessage = (e: MessageEvent<{ interval: number; phase: SharedArrayBuffer }>) => {
  const phase = new Int32Array(e.data.phase);
  let lastT = performance.now(), lastCpu = readCpuSeconds();
  const sample = () => {
    const now = performance.now(), cpu = readCpuSeconds();
    const wall = (now - lastT) / 1000;
    const cpu_percent = cpu !== null && lastCpu !== null && wall > 0
      ? Math.round(((cpu - lastCpu) / wall) * 1000) / 10
      : null;
    lastT = now;
    lastCpu = cpu;
    self.postMessage({
      t: Date.now() / 1000,
      rss_bytes: readRss(),
      cpu_percent,
      phase: Atomics.load(phase, 0),
    });
  };
  setInterval(sample, Math.max(10, e.data.interval * 1000));
};
