/// <reference lib="deno.worker" />
/**
 * A thread of a rank: {@linkcode serveThreads} loads the rank's workload module through the
 * loader it is given and runs its kernels on request. The worker's entry module (the loader's
 * `threadEntry`, e.g. workloads/_thread_entry.ts) calls it.
 *
 * @module
 */
import { errorMessage } from "./errors.ts";
import type { Kernel, ThreadInfo, WorkloadLoader } from "./workload.ts";

/** Serve this worker's messages: `init` loads workload `ref`, `run` runs a kernel. */
export function serveThreads(loader: Pick<WorkloadLoader, "load">): void {
  let kernels: Record<string, Kernel> = {};
  let info: ThreadInfo;
  self.onmessage = async (e: MessageEvent) => {
    const m = e.data;
    if (m.t === "init") {
      try {
        info = m.info;
        kernels = (await loader.load(m.ref)).definition.kernels ?? {};
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
}
