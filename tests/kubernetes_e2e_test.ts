// Opt-in end-to-end suite of the Kubernetes provider on a real cluster (kind, k3s…; README,
// "Testing the Kubernetes provider on a real cluster"). Set SCALEBENCH_K8S_E2E_KUBECONFIG to a
// kubeconfig file and SCALEBENCH_K8S_E2E_IMAGE to an image the cluster can pull, built from this
// checkout with `scalebench image --workload tests/testdata/workloads/faulty.ts --workload
// tests/testdata/workloads/sleepy.ts`; optionally SCALEBENCH_K8S_E2E_NAMESPACE, and
// SCALEBENCH_K8S_E2E_RESTRICTED_NAMESPACE (a namespace with Pod Security "restricted" and a
// ResourceQuota). Ignored, with the reason, otherwise.
import assert from "node:assert/strict";
import { readRun } from "../core/results.ts";
import { type RunOptions, runSweep } from "../core/run.ts";
import { connectKube } from "../providers/kubernetes/client.ts";
import { runSelector } from "../providers/kubernetes/manifests.ts";
import { kubernetesProvider } from "../providers/kubernetes/mod.ts";
import { builtinWorkloads } from "../workloads/mod.ts";
import { makePki, makeTlsCert } from "./k8s/certs.ts";
import { testWorkload } from "./k8s/harness.ts";
import { assertOutcome, providerConformance } from "./provider_conformance.ts";

const kubeconfig = Deno.env.get("SCALEBENCH_K8S_E2E_KUBECONFIG") ?? "";
const namespace = Deno.env.get("SCALEBENCH_K8S_E2E_NAMESPACE") || null;
const restricted = Deno.env.get("SCALEBENCH_K8S_E2E_RESTRICTED_NAMESPACE") || null;
const image = Deno.env.get("SCALEBENCH_K8S_E2E_IMAGE") || null;
const OPT_IN =
  "set SCALEBENCH_K8S_E2E_KUBECONFIG (and SCALEBENCH_K8S_E2E_IMAGE) to run it on a real cluster";

const settings = {
  kubeconfig,
  namespace,
  ...(image ? { image } : {}),
  imagePullPolicy: "IfNotPresent",
};

/** Throws naming the objects of run `runId` still in the cluster (terminating pods aside). */
async function assertNothingLeft({ runId }: { runId: string }, ns = namespace): Promise<void> {
  const client = await connectKube({ kubeconfig, context: null });
  try {
    const where = ns ?? client.namespace;
    const left: string[] = [];
    for (const r of ["jobs", "services", "secrets", "pods"] as const) {
      const { items } = await client.list(r, where, { labels: runSelector(runId) });
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
}

providerConformance({
  provider: kubernetesProvider,
  skip: kubeconfig ? null : OPT_IN,
  settings,
  // pods take a while to schedule and start on a real cluster
  startSeconds: 120,
  runOptions: { rendezvousTimeout: 120, pollInterval: 1 },
  assertNothingLeft,
});

/** A test of this suite, ignored with its reason where the cluster (or namespace) is not given. */
function e2eTest(name: string, needs: { restricted?: boolean }, fn: () => Promise<void>) {
  const why = !kubeconfig
    ? OPT_IN
    : needs.restricted && !restricted
    ? "set SCALEBENCH_K8S_E2E_RESTRICTED_NAMESPACE to a restricted namespace with a quota"
    : null;
  Deno.test({
    name: why ? `${name} [ignored: ${why}]` : name,
    ignore: Boolean(why),
    sanitizeOps: false,
    sanitizeResources: false,
    fn,
  });
}

async function sweep(
  options: Partial<Omit<RunOptions, "provider">> & { extra?: Record<string, unknown> },
) {
  const { extra, ...rest } = options;
  const out = await Deno.makeTempDir({ prefix: "scalebench-k8s-e2e-" });
  try {
    const r = await runSweep({
      workload: "amdahl",
      params: { s: 0.2, work: 20 },
      cores: [2],
      layout: "ranks",
      reps: 1,
      provider: kubernetesProvider,
      workloads: builtinWorkloads,
      providerSettings: { ...settings, ...extra },
      output: out,
      pollInterval: 1,
      rendezvousTimeout: 120,
      log: () => {},
      ...rest,
    });
    const run = await readRun(r.runDir);
    const ns = (extra?.namespace as string | undefined) ?? namespace;
    await assertNothingLeft({ runId: run.manifest.run_id }, ns);
    return { ...r, run };
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

e2eTest("kubernetes e2e: a 2-rank point quiet for 60 s ends with its pods", {}, async () => {
  const r = await sweep({
    workload: testWorkload("sleepy"),
    params: { seconds: 60 },
    monitorInterval: 0,
  });
  await assertOutcome(r, ["complete", 1, 0]);
  assert.ok((r.run.observations[0].seconds ?? 0) >= 60);
});

e2eTest(
  "kubernetes e2e: a sweep runs in a 'restricted' namespace with a quota; refused pods fail in Kubernetes' words",
  { restricted: true },
  async () => {
    const ok = await sweep({ cores: [1, 2], timeout: 300, extra: { namespace: restricted } });
    assert.deepEqual([ok.status, ok.observations, ok.failed], ["complete", 2, 0]);
    // more memory than any quota of the README's recipe allows
    const refused = await sweep({
      cores: [1],
      timeout: 60,
      extra: { namespace: restricted, memRequest: "512Gi" },
    });
    assert.deepEqual([refused.status, refused.failed], ["failed", 1]);
    const error = refused.run.observations[0].error ?? "";
    assert.ok(error.includes("FailedCreate") && error.includes("exceeded quota"), error);
  },
);

e2eTest(
  "kubernetes e2e: --k8s-tls with a prepared secret checks rank 0's certificate by --k8s-tls-server-name",
  {},
  async () => {
    const pki = await makePki();
    const { cert, key } = await makeTlsCert(pki, ["rendezvous.e2e.scalebench"]);
    const client = await connectKube({ kubeconfig, context: null });
    const ns = namespace ?? client.namespace;
    const name = `sb-e2e-tls-${crypto.randomUUID().slice(0, 8)}`;
    await client.create("secrets", ns, {
      apiVersion: "v1",
      kind: "Secret",
      type: "kubernetes.io/tls",
      metadata: { name },
      stringData: { "tls.crt": cert, "tls.key": key, "ca.crt": pki.caPem },
    });
    try {
      const tls = { useTls: true, certSecret: name };
      const ok = await sweep({
        extra: { ...tls, tlsServerName: "rendezvous.e2e.scalebench" },
      });
      assert.deepEqual([ok.status, ok.observations, ok.failed], ["complete", 1, 0]);
      const wrong = await sweep({
        rendezvousTimeout: 30,
        extra: { ...tls, tlsServerName: "elsewhere.example" },
      });
      assert.deepEqual([wrong.status, wrong.failed], ["failed", 1]);
    } finally {
      await client.remove("secrets", ns, name);
      await client.close();
      await Deno.remove(pki.dir, { recursive: true });
    }
  },
);
