// What a real cluster's admission and scheduling do to the Kubernetes provider, through the fake
// cluster: a "restricted" namespace with a ResourceQuota, pods refused at admission (failing within
// the start timeout, in Kubernetes' words), image pulls Kubernetes retries, and pods placed as
// the plan assumes (one node, or spread) on nodes with cpu, memory, labels and taints.
import assert from "node:assert/strict";
import type { Batch } from "../core/types.ts";
import { completeSettings } from "../core/settings.ts";
import { buildManifests } from "../providers/kubernetes/manifests.ts";
import { KUBERNETES_SETTINGS, kubeSettings } from "../providers/kubernetes/settings.ts";
import { restrictedViolations } from "./k8s/admission.ts";
import type { FakeCluster } from "./k8s/cluster.ts";
import { clusterTest, sweep, testWorkload } from "./k8s/harness.ts";
import { assertOutcome } from "./provider_conformance.ts";

Deno.test("a rank pod passes Pod Security 'restricted' as it is built", () => {
  const batch: Batch = {
    id: "p01-c0002",
    point: { index: 0, cores: 2, nodes: 1, ranks: 2, threads: 1, params: {}, size: 1 },
    tasks: [{ op: "x", rep: 0, warmup: false, record: true }],
  };
  const m = buildManifests(batch, {
    runId: "r",
    settings: kubeSettings(completeSettings(KUBERNETES_SETTINGS, {})),
    namespace: "ns",
    spec: {
      run_id: "r",
      batch: batch.id,
      workload: "amdahl",
      mode: "strong",
      point: batch.point,
      tasks: batch.tasks,
      seed: 1,
      monitor_interval: 1,
      rendezvous: { host: "", port: 0, timeout: 1 },
    },
  });
  // deno-lint-ignore no-explicit-any
  const template = (m.job.spec as any).template;
  assert.deepEqual(restrictedViolations(template), []);
  // the checker does find what a bare pod lacks
  const bare = { metadata: { name: "p" }, spec: { containers: [{ name: "rank" }] } };
  assert.deepEqual(restrictedViolations(bare).map((v) => v.split(" (")[0]), [
    "allowPrivilegeEscalation != false",
    "unrestricted capabilities",
    "runAsNonRoot != true",
    "seccompProfile",
  ]);
});

const QUOTA = {
  name: "compute",
  hard: { pods: "4", "requests.cpu": "4", "requests.memory": "4Gi", "limits.cpu": "4" },
};

clusterTest(
  "kubernetes: a sweep runs in a 'restricted' namespace with a ResourceQuota on cpu and memory",
  { policies: { bench: { podSecurity: "restricted", quota: QUOTA } } },
  async (c) => {
    // each point fills the quota's 4 pods only once the last point's pods are gone
    const r = await sweep(c, { cores: [2, 4], timeout: 30 });
    await assertOutcome(r, ["complete", 2, 0]);
    const refused = c.store.list("events", "bench").filter((e) => e.reason === "FailedCreate");
    assert.deepEqual(refused.map((e) => e.message), []);
  },
);

/** The one FailedCreate message the fake recorded, with the pod's random suffix as XXXXX. */
function refusal(c: FakeCluster): string {
  const events = c.store.list("events", "bench").filter((e) => e.reason === "FailedCreate");
  assert.ok(events.length >= 1, "a FailedCreate event");
  return String(events[0].message).replace(/-0-[a-z0-9]{5}"/, '-0-XXXXX"');
}

clusterTest(
  "kubernetes: pods refused by a quota fail the point within --timeout, in Kubernetes' words",
  { policies: { bench: { quota: { name: "compute", hard: { "requests.memory": "256Mi" } } } } },
  async (c) => {
    const r = await sweep(c, { cores: [1], timeout: 3, name: "quota" });
    assert.deepEqual([r.status, r.failed], ["failed", 1]);
    const words = 'Error creating: pods "scalebench-quota-p01-c0001-0-XXXXX" is forbidden: ' +
      "exceeded quota: compute, requested: requests.memory=512Mi, used: requests.memory=0Mi, " +
      "limited: requests.memory=256Mi";
    assert.equal(refusal(c), words);
    assert.equal(
      r.run.observations[0].error?.replace(/-0-[a-z0-9]{5}"/, '-0-XXXXX"'),
      `Point did not start within 3 s (job pending: FailedCreate: ${words})`,
    );
  },
);

clusterTest(
  "kubernetes: without --timeout, refused pods fail the point after --k8s-start-timeout",
  {
    policies: {
      bench: {
        quota: { name: "compute", hard: { "requests.memory": "8Gi", "limits.memory": "8Gi" } },
      },
    },
  },
  async (c) => {
    const r = await sweep(c, {
      cores: [1],
      name: "limits",
      settings: { startTimeout: 3 },
      tuning: { problemGraceMs: 600_000 },
    });
    assert.deepEqual([r.status, r.failed], ["failed", 1]);
    const words = 'Error creating: pods "scalebench-limits-p01-c0001-0-XXXXX" is forbidden: ' +
      "failed quota: compute: must specify limits.memory for: rank";
    assert.equal(refusal(c), words);
    assert.equal(
      r.run.observations[0].error?.replace(/-0-[a-z0-9]{5}"/, '-0-XXXXX"'),
      "Job failed: 1 pod(s) did not start within 3 s (--k8s-start-timeout; or set --timeout): " +
        `FailedCreate: ${words}`,
    );
  },
);

clusterTest(
  "kubernetes: an image pull that Kubernetes retries and that then works does not fail the point",
  { flakyImages: { "scalebench:0.1.0": 2 } },
  async (c) => {
    const r = await sweep(c, { cores: [2] });
    await assertOutcome(r, ["complete", 1, 0]);
    const pulls = c.store.history.filter((e) =>
      e.resource === "pods" &&
      e.object.status?.containerStatuses?.[0]?.state?.waiting?.reason === "ErrImagePull"
    );
    assert.ok(pulls.length >= 1, "the first pulls failed");
  },
);

/** Nodes of each Job's pods, by Job name (from the store's history). */
function placements(c: FakeCluster): Map<string, string[]> {
  const out = new Map<string, Map<string, string>>();
  for (const e of c.store.history) {
    const o = e.object;
    if (e.resource !== "pods" || !o.spec?.nodeName) continue;
    const job = o.metadata.labels?.["scalebench.io/job"] ?? "";
    if (!out.has(job)) out.set(job, new Map());
    out.get(job)!.set(o.metadata.name, o.spec.nodeName);
  }
  return new Map([...out].map(([j, pods]) => [j, [...pods.values()].sort()]));
}

clusterTest(
  "kubernetes: ranks are placed as the plan assumes: one node together, several nodes evenly",
  {
    nodes: [
      { name: "n1", cpu: 4 },
      { name: "n2", cpu: 4 },
      { name: "n3", cpu: 4 },
      { name: "n4", cpu: 4 },
    ],
  },
  async (c) => {
    // 2 cores per node: 2 ranks on 1 node, then 4 ranks on 2 nodes (at most 2 a node)
    const r = await sweep(c, { cores: [2, 4], coresPerNode: 2, settings: { memPerNode: 2 } });
    await assertOutcome(r, ["complete", 2, 0]);
    const [one, four] = r.run.manifest.provider.jobs.map((j) => placements(c).get(j.job_id!)!);
    assert.equal(new Set(one).size, 1, `one node: ${one}`);
    const perNode = Object.values(Object.groupBy(four, (n) => n)).map((l) => l!.length);
    assert.ok(Math.max(...perNode) <= 2, `4 ranks on ${four}`);
    assert.deepEqual(r.run.manifest.plan.points.map((p) => p.nodes), [1, 2]);
  },
);

clusterTest(
  "kubernetes: node selectors, tolerations and memory decide where pods go, or why they cannot",
  {
    nodes: [
      { name: "small", cpu: 8, memory: "1Gi" },
      {
        name: "gpu",
        cpu: 8,
        labels: { pool: "gpu" },
        taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }],
      },
    ],
  },
  async (c) => {
    const gpu = {
      nodeSelector: ["pool=gpu"],
      tolerations: '[{"key":"dedicated","operator":"Equal","value":"gpu","effect":"NoSchedule"}]',
    };
    let r = await sweep(c, { cores: [2], settings: gpu });
    assert.deepEqual([r.status, r.run.manifest.provider.jobs[0].nodes], ["complete", ["gpu"]]);
    // 4 Gi a node, and the one untainted node has 1 Gi
    r = await sweep(c, { cores: [2], timeout: 2, settings: { memPerNode: 4 } });
    assert.deepEqual([r.status, r.failed], ["failed", 1]);
    assert.equal(
      r.run.observations[0].error,
      "Point did not start within 2 s (job pending: Unschedulable: 0/2 nodes are available: " +
        "1 Insufficient memory, 1 node(s) had untolerated taint {dedicated: gpu}. preemption: " +
        "0/2 nodes are available: 2 Preemption is not helpful for scheduling.)",
    );
  },
);

clusterTest(
  "kubernetes: ranks wait for each other however late a pod starts (a slow image pull)",
  { nodes: [{ name: "fast", cpu: 1 }, { name: "slow", cpu: 1 }], pullMs: { slow: 4000 } },
  async (c) => {
    // one rank a node; the slow node's rank starts 4 s after the other, which waits only 2 s
    const r = await sweep(c, {
      workload: testWorkload("sleepy"),
      params: { seconds: 0 },
      cores: [2],
      coresPerNode: 1,
      rendezvousTimeout: 2,
    });
    await assertOutcome(r, ["complete", 1, 0]);
    assert.deepEqual(r.run.manifest.provider.jobs[0].nodes, ["fast", "slow"]);
  },
);
