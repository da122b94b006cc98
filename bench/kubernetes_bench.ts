/**
 * The Kubernetes provider's own cost, through the fake API server (TLS, the real client) and the
 * simulated kubelet running real ranks:
 * - Ctrl-C: from the abort of a running point to everything deleted (Job, Service, Secret, pods,
 *   rank processes) and the sweep returned; goal < 5 s (the issue's bound);
 * - start latency: from batch start to rank 0's `ready` record, kubernetes vs local (what the
 *   API round trips, watch and log streaming add); goal: < 1 s more than local.
 *
 * @module
 */
import { runSweep } from "../mod.ts";
import { median } from "../core/stats.ts";
import { kubernetesProvider } from "../providers/kubernetes/mod.ts";
import { localProvider } from "../providers/local.ts";
import { startFakeCluster } from "../tests/k8s/cluster.ts";
import { below, BenchReport } from "./_figures.ts";

const out = await Deno.makeTempDir({ prefix: "scalebench-bench-k8s-" });
const report = new BenchReport("kubernetes");
const FAULTY = new URL("../tests/testdata/workloads/faulty.ts", import.meta.url).href;
const cluster = await startFakeCluster();

const stops: number[] = [];
for (let i = 0; i < 3; i++) {
  const controller = new AbortController();
  let abortedAt = 0;
  await runSweep({
    workload: FAULTY,
    params: { fault: "hang", rank: 1 },
    cores: [2],
    layout: "ranks",
    reps: 1,
    provider: kubernetesProvider,
    providerSettings: cluster.settings(),
    output: out,
    pollInterval: 0.5,
    signal: controller.signal,
    log: () => {},
    onEvent: (e) => {
      if (e.type === "ready") {
        setTimeout(() => {
          abortedAt = Date.now();
          controller.abort();
        }, 300);
      }
    },
  });
  cluster.assertNothingLeft();
  stops.push((Date.now() - abortedAt) / 1000);
}
report.figure("Ctrl-C to nothing left (fake cluster)", Math.max(...stops), {
  goal: below(5),
  unit: "s",
  detail: `slowest of ${stops.length}: ${stops.map((s) => s.toFixed(2)).join(", ")} s`,
});

async function startLatency(provider: "local" | "kubernetes"): Promise<number> {
  const latencies: number[] = [];
  let started = 0;
  await runSweep({
    workload: "amdahl",
    params: { work: 1 },
    cores: [1, 2, 2, 1],
    layout: "ranks",
    reps: 1,
    provider: provider === "local" ? localProvider : kubernetesProvider,
    providerSettings: provider === "local" ? undefined : cluster.settings(),
    output: out,
    pollInterval: 0.2,
    log: () => {},
    onEvent: (e) => {
      if (e.type === "batch-start") started = Date.now();
      if (e.type === "ready") latencies.push((Date.now() - started) / 1000);
    },
  });
  return median(latencies);
}
const local = await startLatency("local");
const kube = await startLatency("kubernetes");
report.figure("start latency to ready, kubernetes (fake cluster) − local", kube - local, {
  goal: below(1),
  unit: "s",
  detail: `local ${local.toFixed(3)} s, kubernetes ${kube.toFixed(3)} s (medians of 4 points)`,
});

await cluster.close();
await Deno.remove(out, { recursive: true });
report.finish();
