import { assert, assertEquals } from "../../core/_assert.ts";
import type { RankSpec } from "../../core/protocol.ts";
import type { Batch } from "../../core/types.ts";
import { parseAllDocuments } from "yaml";
import {
  buildManifests,
  jobName,
  labelValue,
  manifestsYaml,
  rankResources,
  runSelector,
  shortHash,
} from "./manifests.ts";
import { kubeSettings } from "./settings.ts";

const batch: Batch = {
  id: "p02-c0004",
  point: { index: 1, cores: 4, nodes: 2, ranks: 4, threads: 1, params: { work: 5 }, size: 100 },
  tasks: [{ op: "burn", rep: 0, warmup: false, record: true }],
};

const spec: RankSpec = {
  run_id: "amdahl-1",
  batch: "p02-c0004",
  workload: "amdahl",
  mode: "strong",
  point: batch.point,
  tasks: batch.tasks,
  seed: 7,
  monitor_interval: 1,
  rendezvous: { host: "", port: 0, file: "/x/y.rdv", timeout: 60 },
};

Deno.test("shortHash() is FNV-1a as 8 hex digits", () => {
  assertEquals(shortHash(""), "811c9dc5");
  assertEquals(shortHash("a"), "e40c292c");
  assertEquals(shortHash("foobar"), "bf9cf968");
});

Deno.test("jobName() joins prefix, run id and batch id as a DNS label", () => {
  assertEquals(jobName("scalebench", "amdahl-1", "p02-c0004"), "scalebench-amdahl-1-p02-c0004");
  assertEquals(jobName("Dask_Bench", "My Run.2", "p01-c0001"), "dask-bench-my-run-2-p01-c0001");
  assertEquals(jobName("1st", "r", "p01-c0001"), "sb-1st-r-p01-c0001");
});

Deno.test("jobName() shortens a long run id, keeps the batch id and stays unique", () => {
  const run = "a-very-long-run-name-that-someone-typed-20250101-120000-abcd";
  const a = jobName("scalebench", run, "p01-c0001");
  const b = jobName("scalebench", run + "x", "p01-c0001");
  assertEquals(a.length <= 52, true);
  assertEquals(
    a,
    `scalebench-a-very-long-run-name-t-${shortHash(`scalebench\n${run}\np01-c0001`)}-p01-c0001`,
  );
  assertEquals(a.length, 52);
  assert(a !== b, "different runs get different names");
  assert(/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(a), a);
});

Deno.test("labelValue() keeps valid values and hashes the others into valid ones", () => {
  assertEquals(labelValue("amdahl-20250101-120000-ab12"), "amdahl-20250101-120000-ab12");
  assertEquals(labelValue("my run"), `my-run-${shortHash("my run")}`);
  const long = "x".repeat(80);
  assertEquals(labelValue(long), `${"x".repeat(54)}-${shortHash(long)}`);
  assertEquals(labelValue("--"), shortHash("--"));
  assertEquals(runSelector("my run"), `scalebench.io/run-id=my-run-${shortHash("my run")}`);
});

Deno.test("rankResources() gives threads as cpu and splits a node's memory among its ranks", () => {
  assertEquals(rankResources(batch.point, null), { cpu: "1" });
  assertEquals(rankResources(batch.point, 8), { cpu: "1", memory: "4096Mi" });
  assertEquals(rankResources({ ...batch.point, ranks: 3, nodes: 1, threads: 2 }, 1), {
    cpu: "2",
    memory: "341Mi",
  });
});

Deno.test("buildManifests() makes the Secret, headless Service and Indexed Job exactly", () => {
  const settings = kubeSettings({
    image: "registry.example/scalebench:1",
    memPerNode: 8,
    useTls: true,
    certSecret: "bench-tls",
    nodeSelector: ["pool=bench"],
    tolerations: '[{"key":"bench","operator":"Exists","effect":"NoSchedule"}]',
    affinity: '{"nodeAffinity":{}}',
    serviceAccount: "runner",
    imagePullSecrets: ["regcred"],
    imagePullPolicy: "Always",
    ttlSeconds: 60,
    port: 4000,
  });
  const m = buildManifests(batch, {
    runId: "amdahl-1",
    settings,
    namespace: "bench",
    spec,
    token: "tok",
  });
  const name = "scalebench-amdahl-1-p02-c0004";
  const labels = {
    "app.kubernetes.io/name": "scalebench",
    "app.kubernetes.io/managed-by": "scalebench",
    "scalebench.io/run-id": "amdahl-1",
    "scalebench.io/batch": "p02-c0004",
  };
  const metadata = {
    name,
    namespace: "bench",
    labels,
    annotations: { "scalebench.io/run-id": "amdahl-1" },
  };
  assertEquals(m.name, name);
  assertEquals(m.secret, {
    apiVersion: "v1",
    kind: "Secret",
    metadata,
    type: "Opaque",
    stringData: { token: "tok" },
  });
  assertEquals(m.service, {
    apiVersion: "v1",
    kind: "Service",
    metadata,
    spec: {
      clusterIP: "None",
      publishNotReadyAddresses: true,
      selector: { "scalebench.io/job": name },
      ports: [{ name: "rendezvous", port: 4000, targetPort: 4000, protocol: "TCP" }],
    },
  });
  const rankSpec = {
    ...spec,
    rendezvous: { host: `${name}-0.${name}`, port: 4000, timeout: 60 },
  };
  const resources = { cpu: "1", memory: "4096Mi" };
  assertEquals(m.job, {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata,
    spec: {
      completionMode: "Indexed",
      completions: 4,
      parallelism: 4,
      backoffLimit: 0,
      ttlSecondsAfterFinished: 60,
      template: {
        metadata: { labels: { ...labels, "scalebench.io/job": name } },
        spec: {
          subdomain: name,
          restartPolicy: "Never",
          terminationGracePeriodSeconds: 5,
          enableServiceLinks: false,
          automountServiceAccountToken: false,
          containers: [{
            name: "rank",
            image: "registry.example/scalebench:1",
            command: ["scalebench", "rank"],
            env: [
              { name: "SCALEBENCH_SPEC", value: JSON.stringify(rankSpec) },
              { name: "SCALEBENCH_TOKEN", valueFrom: { secretKeyRef: { name, key: "token" } } },
              { name: "SCALEBENCH_TLS_DIR", value: "/etc/scalebench/tls" },
            ],
            resources: { requests: resources, limits: resources },
            ports: [{ name: "rendezvous", containerPort: 4000, protocol: "TCP" }],
            terminationMessagePolicy: "FallbackToLogsOnError",
            imagePullPolicy: "Always",
            volumeMounts: [{ name: "tls", mountPath: "/etc/scalebench/tls", readOnly: true }],
          }],
          volumes: [{ name: "tls", secret: { secretName: "bench-tls" } }],
          serviceAccountName: "runner",
          nodeSelector: { pool: "bench" },
          affinity: { nodeAffinity: {} },
          tolerations: [{ key: "bench", operator: "Exists", effect: "NoSchedule" }],
          imagePullSecrets: [{ name: "regcred" }],
        },
      },
    },
  });
});

Deno.test("buildManifests() leaves optional pod fields out and redacts a token not given", () => {
  const m = buildManifests(batch, {
    runId: "r",
    settings: kubeSettings({}),
    namespace: "default",
    spec,
  });
  assertEquals(m.secret.stringData, { token: "<redacted>" });
  const pod = (m.job.spec as { template: { spec: Record<string, unknown> } }).template.spec;
  assertEquals(Object.keys(pod), [
    "subdomain",
    "restartPolicy",
    "terminationGracePeriodSeconds",
    "enableServiceLinks",
    "automountServiceAccountToken",
    "containers",
  ]);
  const c = (pod.containers as Record<string, unknown>[])[0];
  assertEquals(c.image, "scalebench:0.1.0");
  assertEquals(c.resources, { requests: { cpu: "1" }, limits: { cpu: "1" } });
});

Deno.test("manifestsYaml() writes three documents that parse back to the objects", async () => {
  const m = buildManifests(batch, {
    runId: "r",
    settings: kubeSettings({}),
    namespace: "ns",
    spec,
  });
  const text = await manifestsYaml(m, "batch p02");
  assert(text.startsWith("# batch p02\n---\napiVersion: v1\nkind: Secret\n"), text.slice(0, 60));
  const docs = parseAllDocuments(text).map((d) => d.toJS());
  assertEquals(docs, [m.secret, m.service, m.job]);
});
