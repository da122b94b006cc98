// Fault injection on the Kubernetes provider through the fake cluster: image pull failure, a pod
// that fails to start, OOMKilled, dropped and expired watches, dropped log streams, Unschedulable
// beyond --timeout, Ctrl-C while pods pend, refused submissions and cleanup of leftovers.
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../core/_assert.ts";
import { ValidationError } from "../core/errors.ts";
import { readRun } from "../core/results.ts";
import { type RunOptions, type RunResult, runSweep } from "../core/run.ts";
import { connectKube } from "../providers/kubernetes/client.ts";
import { makeKubernetesProvider } from "../providers/kubernetes/mod.ts";
import type { ProviderContext } from "../core/provider.ts";
import { completeSettings } from "../core/settings.ts";
import { KUBERNETES_SETTINGS, type KubeSettingsRecord } from "../providers/kubernetes/settings.ts";
import { type FakeCluster, type FakeClusterOptions, startFakeCluster } from "./k8s/cluster.ts";
import { assertOutcome, FAULTY } from "./provider_conformance.ts";
import { builtinWorkloads } from "../workloads/mod.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
// problems that Kubernetes retries fail a point after 1.5 s here (120 s on a real cluster)
const kubernetesProvider = makeKubernetesProvider({ problemGraceMs: 1500 });

async function sweep(
  c: FakeCluster,
  extra: Partial<RunOptions> & { settings?: Record<string, string | number | string[]> } = {},
): Promise<RunResult & { run: Awaited<ReturnType<typeof readRun>> }> {
  const { settings, ...rest } = extra;
  const out = await Deno.makeTempDir({ prefix: "scalebench-k8s-" });
  const r = await runSweep({
    workload: "amdahl",
    params: { s: 0.2, work: 20 },
    cores: [1, 2],
    layout: "ranks",
    reps: 1,
    provider: kubernetesProvider,
    workloads: builtinWorkloads,
    providerSettings: c.settings(settings),
    output: out,
    pollInterval: 0.2,
    monitorInterval: 0.2,
    rendezvousTimeout: 20,
    log: () => {},
    ...rest,
  });
  const run = await readRun(r.runDir);
  c.assertNothingLeft();
  await Deno.remove(out, { recursive: true });
  return { ...r, run };
}

function withCluster(fn: (c: FakeCluster) => Promise<void>, options: FakeClusterOptions = {}) {
  return async () => {
    const c = await startFakeCluster(options);
    try {
      await fn(c);
    } finally {
      await c.close();
    }
  };
}

Deno.test({
  name: "kubernetes: an image that cannot be pulled fails its points with ErrImagePull",
  ...opts,
  fn: withCluster(async (c) => {
    const r = await sweep(c, { cores: [2], settings: { image: "registry.invalid/nope:1" } });
    await assertOutcome(r, ["failed", 1, 1]);
    const o = r.run.observations[0];
    assertStringIncludes(o.error ?? "", "Job failed: Rank ");
    assertStringIncludes(o.error ?? "", ": ErrImagePull: rpc error: code = NotFound");
    assertStringIncludes(o.error ?? "", "not found (for 2 s)");
    assertEquals(r.run.manifest.provider.jobs[0].state, "failed");
  }, { missingImages: ["registry.invalid/nope:1"] }),
});

Deno.test({
  name: "kubernetes: a pod whose command cannot start fails with its exit code and message",
  ...opts,
  fn: withCluster(async (c) => {
    const r = await sweep(c, { cores: [1], settings: { rankCommand: ["scalebench", "nope"] } });
    assertEquals([r.status, r.failed], ["failed", 1]);
    const error = r.run.observations[0].error ?? "";
    assertStringIncludes(error, "Job failed: Rank 0 exited with code 128");
    assertStringIncludes(error, 'rank 0: failed to create containerd task: exec: "scalebench"');
  }),
});

Deno.test({
  name: "kubernetes: an OOMKilled rank fails its point with the reason, the next point runs",
  ...opts,
  fn: withCluster(async (c) => {
    // rank 0 waits at 2 cores, so that rank 1 is killed mid-repetition
    const r = await sweep(c, {
      workload: FAULTY,
      params: { fault: "hang", at_cores: 2, rank: 0 },
      cores: [2, 1],
      settings: { memPerNode: 1 },
    });
    await assertOutcome(r, ["failed", 2, 1]);
    const bad = r.run.observations.find((o) => !o.ok)!;
    assertEquals(bad.cores, 2);
    assertStringIncludes(bad.error ?? "", "Rank 1 was OOMKilled (exit code 137)");
    assertEquals(r.run.observations.find((o) => o.cores === 1)?.ok, true);
  }, { oomKillIndex: 1 }),
});

Deno.test({
  name: "kubernetes: dropped watches, an expired watch and dropped log streams lose nothing",
  ...opts,
  fn: withCluster(async (c) => {
    let faults = 0;
    const r = await sweep(c, {
      cores: [2],
      reps: 6,
      onEvent: (e) => {
        if (e.type === "ready") {
          faults += c.api.dropWatches() + c.api.dropLogStreams();
          setTimeout(() => (faults += c.api.expireWatches()), 150);
        }
      },
    });
    await assertOutcome(r, ["complete", 6, 0]);
    assertEquals(r.run.observations.map((o) => o.rep), [0, 1, 2, 3, 4, 5]);
    assert(faults >= 4, `faults injected: ${faults}`);
    assert(c.api.stats.gone >= 1, "a watch expired");
    assert(c.api.stats.lists.pods >= 2, "the pods were listed again after 410 Gone");
  }),
});

Deno.test({
  name:
    "kubernetes: a pod Unschedulable beyond --timeout fails its point with the scheduler's reason",
  ...opts,
  fn: withCluster(async (c) => {
    const r = await sweep(c, { cores: [1, 2], layout: "threads", timeout: 2 });
    await assertOutcome(r, ["failed", 2, 1]);
    const bad = r.run.observations.find((o) => !o.ok)!;
    assertEquals(bad.cores, 2);
    assertEquals(
      bad.error,
      "Point did not start within 2 s (job pending: Unschedulable: 0/1 nodes are available: " +
        "1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found " +
        "for incoming pod.)",
    );
  }, { nodes: [{ name: "small", cpu: 1 }] }),
});

Deno.test({
  name:
    "kubernetes: Ctrl-C while pods pend deletes everything (timed in bench/kubernetes_bench.ts)",
  ...opts,
  fn: withCluster(async (c) => {
    const controller = new AbortController();
    let abortedAt = 0;
    const r = await sweep(c, {
      cores: [4],
      layout: "threads",
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "state" && e.state.reason?.startsWith("Unschedulable")) {
          abortedAt ||= Date.now();
          controller.abort();
        }
      },
    });
    assert(abortedAt > 0, "the pods became unschedulable");
    await assertOutcome(r, ["interrupted", 0]);
  }, { nodes: [{ name: "small", cpu: 2 }] }),
});

Deno.test({
  name: "kubernetes: a refused submission fails its point and leaves no Secret or Service",
  ...opts,
  fn: withCluster(async (c) => {
    const r = await sweep(c, { cores: [1] });
    assertEquals([r.status, r.failed], ["failed", 1]);
    assertStringIncludes(
      r.run.observations[0].error ?? "",
      `Submission failed: Cannot create Job 'scalebench-`,
    );
    assertStringIncludes(r.run.observations[0].error ?? "", `(HTTP 403 Forbidden)`);
    assert(!JSON.stringify(r.run).includes(c.token), "no bearer token in the run");
  }, { forbidden: (verb, resource) => verb === "create" && resource === "jobs" }),
});

Deno.test({
  name: "kubernetes: objects left by an earlier attempt of the same batch are replaced",
  ...opts,
  fn: withCluster(async (c) => {
    const name = "scalebench-again-p01-c0002";
    const labels = { "scalebench.io/run-id": "again" };
    c.store.create("secrets", "bench", {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, labels },
      data: { token: btoa("an old token") },
    });
    c.store.create("services", "bench", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, labels },
      spec: { clusterIP: "None" },
    });
    // a failed pod of the earlier attempt, orphaned: not one of the new Job's pods
    c.store.create("pods", "bench", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: `${name}-0-old00`,
        labels: {
          ...labels,
          "scalebench.io/job": name,
          "batch.kubernetes.io/job-completion-index": "0",
        },
      },
      spec: { containers: [{ name: "rank", image: "x" }] },
      status: {
        phase: "Failed",
        containerStatuses: [{ name: "rank", state: { terminated: { exitCode: 1 } } }],
      },
    });
    const r = await sweep(c, { name: "again", cores: [2] });
    await assertOutcome(r, ["complete", 1, 0]);
    assertEquals(r.run.manifest.provider.jobs.map((j) => [j.state, j.reason]), [[
      "succeeded",
      null,
    ]]);
  }),
});

function context(
  c: FakeCluster,
  runId: string,
  settings = c.settings(),
): ProviderContext<KubeSettingsRecord> {
  return {
    dryRun: false,
    runId,
    runDir: "/nonexistent",
    logsDir: "/nonexistent/logs",
    plan: { workload_ref: "amdahl" } as ProviderContext["plan"],
    settings: completeSettings(KUBERNETES_SETTINGS, settings),
    rankCommand: [],
    token: "t",
    seed: 1,
    monitorInterval: 1,
    rendezvousTimeout: 10,
    timeout: 0,
    verbose: false,
    log: () => {},
  };
}

Deno.test({
  name: "kubernetes: open() rejects refused credentials and an unreachable server",
  ...opts,
  fn: withCluster(async (c) => {
    const denied = context(c, "r1", c.settings({ namespace: "locked" }));
    await assertRejects(
      () => kubernetesProvider.open(denied),
      ValidationError,
      `cannot list resource "pods" in API group "" in the namespace "locked" (HTTP 403 Forbidden) (check --kubeconfig and --k8s-namespace)`,
    );

    const dead = `${c.kubeconfig}.dead`;
    await Deno.writeTextFile(
      dead,
      (await Deno.readTextFile(c.kubeconfig)).replace(c.api.url, "https://127.0.0.1:1"),
    );
    const unreachable = context(c, "r2", c.settings({ kubeconfig: dead }));
    const err = await assertRejects(
      () => kubernetesProvider.open(unreachable),
      ValidationError,
    );
    assertStringIncludes(
      err.message,
      "Kubernetes API server https://127.0.0.1:1 unreachable: Cannot list pods",
    );
  }, { forbidden: (_v, _r, ns) => ns === "locked" }),
});

Deno.test({
  name: "kubernetes: close() deletes every object labelled with the run id",
  ...opts,
  fn: withCluster(async (c) => {
    const ctx = context(c, "left-over-run");
    const session = await kubernetesProvider.open(ctx);
    const client = await connectKube({ kubeconfig: c.kubeconfig, context: null });
    const labels = { "scalebench.io/run-id": "left-over-run" };
    await client.create("secrets", "bench", {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "a", labels },
    });
    await client.create("services", "bench", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "a", labels },
      spec: { clusterIP: "None" },
    });
    await client.create("secrets", "bench", {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "other-run", labels: { "scalebench.io/run-id": "x" } },
    });
    await session.close();
    assertEquals(c.store.keys(), ["secrets/bench/other-run"]);
    await client.remove("secrets", "bench", "other-run");
    await client.close();
  }),
});
