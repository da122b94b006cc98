import assert from "node:assert/strict";
import type { RankSpec } from "../../core/protocol.ts";
import { completeSettings } from "../../core/settings.ts";
import type { Batch } from "../../core/types.ts";
import { parseAllDocuments } from "yaml";
import {
  buildManifests,
  jobName,
  labelValue,
  manifestsYaml,
  ownedBy,
  placement,
  rankResources,
  runSelector,
  shortHash,
} from "./manifests.ts";
import { KUBERNETES_SETTINGS, kubeSettings } from "./settings.ts";

const settingsOf = (given: Record<string, unknown> = {}) =>
  kubeSettings(completeSettings(KUBERNETES_SETTINGS, given));

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
  assert.deepEqual(shortHash(""), "811c9dc5");
  assert.deepEqual(shortHash("a"), "e40c292c");
  assert.deepEqual(shortHash("foobar"), "bf9cf968");
});

Deno.test("jobName() joins prefix, run id and batch id as a DNS label", () => {
  assert.deepEqual(jobName("scalebench", "amdahl-1", "p02-c0004"), "scalebench-amdahl-1-p02-c0004");
  assert.deepEqual(jobName("Dask_Bench", "My Run.2", "p01-c0001"), "dask-bench-my-run-2-p01-c0001");
  assert.deepEqual(jobName("1st", "r", "p01-c0001"), "sb-1st-r-p01-c0001");
});

Deno.test("jobName() shortens a long run id, keeps the batch id and stays unique", () => {
  const run = "a-very-long-run-name-that-someone-typed-20250101-120000-abcd";
  const a = jobName("scalebench", run, "p01-c0001");
  const b = jobName("scalebench", run + "x", "p01-c0001");
  assert.deepEqual(a.length <= 52, true);
  assert.deepEqual(
    a,
    `scalebench-a-very-long-run-name-t-${shortHash(`scalebench\n${run}\np01-c0001`)}-p01-c0001`,
  );
  assert.deepEqual(a.length, 52);
  assert.ok(a !== b, "different runs get different names");
  assert.ok(/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(a), a);
});

Deno.test("labelValue() keeps valid values and hashes the others into valid ones", () => {
  assert.deepEqual(labelValue("amdahl-20250101-120000-ab12"), "amdahl-20250101-120000-ab12");
  assert.deepEqual(labelValue("my run"), `my-run-${shortHash("my run")}`);
  const long = "x".repeat(80);
  assert.deepEqual(labelValue(long), `${"x".repeat(54)}-${shortHash(long)}`);
  assert.deepEqual(labelValue("--"), shortHash("--"));
  assert.deepEqual(runSelector("my run"), `scalebench.io/run-id=my-run-${shortHash("my run")}`);
});

Deno.test("rankResources() gives threads as cpu, and memory: a request, or a node's share", () => {
  const mem = (perNodeGi: number | null, request = "512Mi") => ({ perNodeGi, request });
  assert.deepEqual(rankResources(batch.point, mem(null)), {
    requests: { cpu: "1", memory: "512Mi" },
    limits: { cpu: "1" },
  });
  const share = { cpu: "1", memory: "4096Mi" };
  assert.deepEqual(rankResources(batch.point, mem(8)), { requests: share, limits: share });
  const three = { cpu: "2", memory: "341Mi" };
  assert.deepEqual(
    rankResources({ ...batch.point, ranks: 3, nodes: 1, threads: 2 }, mem(1)),
    { requests: three, limits: three },
  );
});

Deno.test("placement() keeps a one-node point on one node and spreads the others evenly", () => {
  const match = { "scalebench.io/job": "j", "scalebench.io/attempt": "a" };
  assert.deepEqual(placement({ ...batch.point, ranks: 1, nodes: 1 }, match), {});
  assert.deepEqual(placement({ ...batch.point, ranks: 4, nodes: 1 }, match), {
    affinity: {
      podAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{
          labelSelector: { matchLabels: match },
          topologyKey: "kubernetes.io/hostname",
        }],
      },
    },
  });
  assert.deepEqual(placement(batch.point, match), {
    topologySpreadConstraints: [{
      maxSkew: 1,
      topologyKey: "kubernetes.io/hostname",
      whenUnsatisfiable: "DoNotSchedule",
      labelSelector: { matchLabels: match },
    }],
  });
});

Deno.test("ownedBy() is the JSON Patch that makes a Job the owner", () => {
  assert.deepEqual(ownedBy({ name: "j", uid: "u-1" }), [{
    op: "add",
    path: "/metadata/ownerReferences",
    value: [{
      apiVersion: "batch/v1",
      kind: "Job",
      name: "j",
      uid: "u-1",
      blockOwnerDeletion: false,
    }],
  }]);
});

Deno.test("buildManifests() makes the Secret, headless Service and Indexed Job exactly", () => {
  const settings = settingsOf({
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
    activeDeadline: 3600,
    port: 4000,
  });
  const m = buildManifests(batch, {
    runId: "amdahl-1",
    settings,
    namespace: "bench",
    spec,
    token: "tok",
    attempt: "a1b2c3d4",
    tlsServerName: "rdv.bench.example",
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
  const rankSpec = {
    ...spec,
    rendezvous: { host: `${name}-0.${name}`, port: 4000, timeout: 60 },
  };
  assert.deepEqual([m.name, m.attempt], [name, "a1b2c3d4"]);
  // the spec and the token are files of the Secret (an environment string is capped at 128 KiB)
  assert.deepEqual(m.secret, {
    apiVersion: "v1",
    kind: "Secret",
    metadata,
    type: "Opaque",
    stringData: { token: "tok", "spec.json": JSON.stringify(rankSpec) },
  });
  const attempt = { "scalebench.io/job": name, "scalebench.io/attempt": "a1b2c3d4" };
  assert.deepEqual(m.service, {
    apiVersion: "v1",
    kind: "Service",
    metadata,
    spec: {
      clusterIP: "None",
      publishNotReadyAddresses: true,
      // this submission's pods only: a resumed run never meets an older rank 0
      selector: attempt,
      ports: [{ name: "rendezvous", port: 4000, targetPort: 4000, protocol: "TCP" }],
    },
  });
  const resources = { cpu: "1", memory: "4096Mi" };
  assert.deepEqual(m.job, {
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
        metadata: { labels: { ...labels, ...attempt } },
        spec: {
          subdomain: name,
          restartPolicy: "Never",
          terminationGracePeriodSeconds: 5,
          enableServiceLinks: false,
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            fsGroup: 10001,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [{
            name: "rank",
            image: "registry.example/scalebench:1",
            command: ["scalebench", "rank"],
            env: [
              { name: "SCALEBENCH_SPEC_FILE", value: "/var/run/scalebench/spec.json" },
              { name: "SCALEBENCH_TOKEN_FILE", value: "/var/run/scalebench/token" },
              { name: "SCALEBENCH_TLS_DIR", value: "/etc/scalebench/tls" },
              { name: "SCALEBENCH_TLS_SERVER_NAME", value: "rdv.bench.example" },
            ],
            resources: { requests: resources, limits: resources },
            ports: [{ name: "rendezvous", containerPort: 4000, protocol: "TCP" }],
            volumeMounts: [
              { name: "run", mountPath: "/var/run/scalebench", readOnly: true },
              { name: "tls", mountPath: "/etc/scalebench/tls", readOnly: true },
            ],
            terminationMessagePolicy: "FallbackToLogsOnError",
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            imagePullPolicy: "Always",
          }],
          volumes: [
            { name: "run", secret: { secretName: name, defaultMode: 0o440 } },
            { name: "tls", secret: { secretName: "bench-tls", defaultMode: 0o440 } },
          ],
          serviceAccountName: "runner",
          nodeSelector: { pool: "bench" },
          // the user's affinity wins; the spread over nodes stays
          affinity: { nodeAffinity: {} },
          topologySpreadConstraints: placement(batch.point, attempt).topologySpreadConstraints!,
          tolerations: [{ key: "bench", operator: "Exists", effect: "NoSchedule" }],
          imagePullSecrets: [{ name: "regcred" }],
        },
      },
      activeDeadlineSeconds: 3600,
    },
  });
});

Deno.test("buildManifests() leaves optional pod fields out and redacts a token not given", () => {
  const m = buildManifests({ ...batch, point: { ...batch.point, ranks: 1, nodes: 1 } }, {
    runId: "r",
    settings: settingsOf({ activeDeadline: 0 }),
    namespace: "default",
    spec,
  });
  assert.equal((m.secret.stringData as Record<string, string>).token, "<redacted>");
  assert.equal(m.attempt, shortHash("r\np02-c0004"));
  const job = m.job.spec as { template: { spec: Record<string, unknown> } };
  assert.deepEqual(Object.keys(job), [
    "completionMode",
    "completions",
    "parallelism",
    "backoffLimit",
    "ttlSecondsAfterFinished",
    "template",
  ]);
  const pod = job.template.spec;
  assert.deepEqual(Object.keys(pod), [
    "subdomain",
    "restartPolicy",
    "terminationGracePeriodSeconds",
    "enableServiceLinks",
    "automountServiceAccountToken",
    "securityContext",
    "containers",
    "volumes",
  ]);
  const c = (pod.containers as Record<string, unknown>[])[0];
  assert.equal(c.image, "scalebench:0.1.0");
  assert.deepEqual(c.resources, {
    requests: { cpu: "1", memory: "512Mi" },
    limits: { cpu: "1" },
  });
});

Deno.test("buildManifests() puts more files in the run's Secret", () => {
  const m = buildManifests(batch, {
    runId: "r",
    settings: settingsOf(),
    namespace: "ns",
    spec,
    secretFiles: { "ca.crt": "CA" },
  });
  assert.deepEqual(Object.keys(m.secret.stringData as object), ["token", "spec.json", "ca.crt"]);
});

Deno.test("manifestsYaml() writes three documents that parse back to the objects", async () => {
  const m = buildManifests(batch, {
    runId: "r",
    settings: settingsOf(),
    namespace: "ns",
    spec,
  });
  const text = await manifestsYaml(m, "batch p02");
  assert.ok(text.startsWith("# batch p02\n---\napiVersion: v1\nkind: Secret\n"), text.slice(0, 60));
  const docs = parseAllDocuments(text).map((d) => d.toJS());
  assert.deepEqual(docs, [m.secret, m.service, m.job]);
});
