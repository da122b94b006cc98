/// <reference lib="deno.worker" />
/**
 * A thread of a rank: loads the rank's workload module and runs its kernels on request.
 *
 * @module
 */
import { errorMessage } from "./errors.ts";
import type { Kernel, ThreadInfo } from "./workload.ts";
import { loadWorkload } from "../workloads/mod.ts";

let kernels: Record<string, Kernel> = {};
let info: ThreadInfo;

self.onmessage = async (e: MessageEvent) => {
  const m = e.data;
  if (m.t === "init") {
    try {
      info = m.info;
      kernels = (await loadWorkload(m.ref)).definition.kernels ?? {};
      self.postMessage({ t: "ready" });
    } catch (err) {
      self.postMessage({ t: "ready", error: errorMessage(err) });
    }
    return;
  }
  try {
    const fn = kernels[m.kernel];
    if (!fn) {
      throw new Error(
        `No kernel '${m.kernel}' (known: ${Object.keys(kernels).join(", ") || "none"})`,
      );
    }
    const result = await fn(m.args, info);
    self.postMessage({ t: "done", id: m.id, result });
  } catch (err) {
    self.postMessage({
      t: "done",
      id: m.id,
      error: `Thread ${info?.thread}: ${errorMessage(err)}`,
      stack: (err as Error)?.stack,
    });
  }
};
