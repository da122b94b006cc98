// Opt-in end-to-end suite of the Kubernetes provider on a real cluster (kind, k3s…). Set
// SCALEBENCH_K8S_E2E_KUBECONFIG to a kubeconfig file, and SCALEBENCH_K8S_E2E_IMAGE to an image
// the cluster can pull (built with `scalebench image --workload tests/testdata/workloads/faulty.ts`
// from this checkout); optionally SCALEBENCH_K8S_E2E_NAMESPACE. Skipped otherwise.
import { connectKube } from "../providers/kubernetes/client.ts";
import { runSelector } from "../providers/kubernetes/manifests.ts";
import { kubernetesProvider } from "../providers/kubernetes/mod.ts";
import { providerConformance } from "./provider_conformance.ts";

const kubeconfig = Deno.env.get("SCALEBENCH_K8S_E2E_KUBECONFIG") ?? "";
const namespace = Deno.env.get("SCALEBENCH_K8S_E2E_NAMESPACE") || null;
const image = Deno.env.get("SCALEBENCH_K8S_E2E_IMAGE") || null;

providerConformance({
  provider: kubernetesProvider,
  skip: kubeconfig
    ? null
    : "set SCALEBENCH_K8S_E2E_KUBECONFIG (and SCALEBENCH_K8S_E2E_IMAGE) to run it on a real cluster",
  settings: {
    kubeconfig,
    namespace,
    ...(image ? { image } : {}),
    imagePullPolicy: "IfNotPresent",
  },
  // pods take a while to schedule and start on a real cluster
  startSeconds: 120,
  runOptions: { rendezvousTimeout: 120, pollInterval: 1 },
  async assertNothingLeft({ runId }) {
    const client = await connectKube({ kubeconfig, context: null });
    try {
      const ns = namespace ?? client.namespace;
      const left: string[] = [];
      for (const r of ["jobs", "services", "secrets", "pods"] as const) {
        const { items } = await client.list(r, ns, { labels: runSelector(runId) });
        for (const o of items) {
          const meta = o.metadata as { name: string; deletionTimestamp?: string };
          // a pod that is being deleted is on its way out (its grace period is 5 s)
          if (r !== "pods" || !meta.deletionTimestamp) left.push(`${r}/${meta.name}`);
        }
      }
      if (left.length) throw new Error(`Left in the cluster: ${left.join(", ")}`);
    } finally {
      await client.close();
    }
  },
});
