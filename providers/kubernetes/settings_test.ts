import assert from "node:assert/strict";
import { ValidationError } from "../../core/errors.ts";
import { completeSettings, resolveSettings } from "../../core/settings.ts";
import { KUBERNETES_SETTINGS, kubeSettings } from "./settings.ts";

const src = (env: Record<string, string>, dotenv: Record<string, string> = {}) => ({
  flags: {},
  env,
  dotenv,
  dotenvPath: ".env",
});

Deno.test("KUBERNETES_SETTINGS read a dask-bench .env as it is", () => {
  const { values } = resolveSettings(
    KUBERNETES_SETTINGS,
    src({ KUBECONFIG: "/k/config" }, {
      KUBE_NAMESPACE: "dask",
      CONTAINER_IMAGE: "ghcr.io/me/bench:2",
      KUBECLUSTER_NAME: "dask-bench",
      USE_SSL: "True",
      SECRET_CERT_NAME: "dask-tls",
      CERT_DIR: "./certs",
      MEM_PER_NODE: "16",
    }),
  );
  const s = kubeSettings(values);
  assert.deepEqual(
    [
      s.kubeconfig,
      s.namespace,
      s.image,
      s.jobPrefix,
      s.useTls,
      s.certSecret,
      s.certDir,
      s.memPerNode,
      s.tlsServerName,
    ],
    // dask-bench's CERT_DIR is a client directory: the pods keep the default mount path
    [
      "/k/config",
      "dask",
      "ghcr.io/me/bench:2",
      "dask-bench",
      true,
      "dask-tls",
      "/etc/scalebench/tls",
      16,
      null,
    ],
  );
  assert.deepEqual(
    [s.rankCommand, s.port, s.ttlSeconds, s.activeDeadline, s.startTimeout, s.memRequest],
    [["scalebench", "rank"], 29500, 600, 86400, 600, "512Mi"],
  );
});

Deno.test("KUBERNETES_SETTINGS prefer SCALEBENCH_K8S_* keys and parse lists and JSON", () => {
  const { values } = resolveSettings(
    KUBERNETES_SETTINGS,
    src({
      SCALEBENCH_K8S_NAMESPACE: "mine",
      KUBE_NAMESPACE: "theirs",
      SCALEBENCH_K8S_NODE_SELECTOR: "pool=bench,kubernetes.io/arch=amd64",
      SCALEBENCH_K8S_TOLERATIONS: '[{"operator":"Exists"}]',
      SCALEBENCH_K8S_RANK_COMMAND: "deno,run,-A,/opt/scalebench.js,rank",
      SCALEBENCH_K8S_TLS_SERVER_NAME: "rendezvous.bench.example",
      SCALEBENCH_K8S_MEM_REQUEST: "2Gi",
    }),
  );
  const s = kubeSettings(values);
  assert.equal(s.namespace, "mine");
  assert.deepEqual(s.nodeSelector, { pool: "bench", "kubernetes.io/arch": "amd64" });
  assert.deepEqual(s.tolerations, [{ operator: "Exists" }]);
  assert.deepEqual(s.rankCommand, ["deno", "run", "-A", "/opt/scalebench.js", "rank"]);
  assert.deepEqual([s.tlsServerName, s.memRequest], ["rendezvous.bench.example", "2Gi"]);
});

Deno.test("KUBERNETES_SETTINGS reject bad values naming the key", () => {
  const bad: [Record<string, string>, string][] = [
    [{ KUBE_NAMESPACE: "Bad_NS" }, "Environment variable KUBE_NAMESPACE expects a DNS-1123 label"],
    [{ SCALEBENCH_K8S_AFFINITY: "[1]" }, "expects a JSON object"],
    [{ SCALEBENCH_K8S_TOLERATIONS: "{" }, "expects a JSON array"],
    [{ SCALEBENCH_K8S_NODE_SELECTOR: "pool" }, "expects label=value entries (got 'pool')"],
    [{ SCALEBENCH_K8S_PORT: "70000" }, "expects a port 1..65535"],
    [{ MEM_PER_NODE: "0" }, "expects Gi > 0"],
    [{ SCALEBENCH_K8S_MEM_REQUEST: "lots" }, "expects a quantity such as 512Mi"],
    [{ SCALEBENCH_K8S_TLS_SERVER_NAME: "a b" }, "expects a DNS name"],
    [{ SCALEBENCH_K8S_START_TIMEOUT: "-1" }, "expects seconds ≥ 0"],
    [{ SCALEBENCH_K8S_IMAGE_PULL_POLICY: "Sometimes" }, "expects one of Always, IfNotPresent"],
  ];
  for (const [env, why] of bad) {
    assert.throws(
      () => resolveSettings(KUBERNETES_SETTINGS, src(env)),
      (e) => e instanceof ValidationError && e.message.includes(why),
    );
  }
});

Deno.test("kubeSettings() takes --k8s-tls without a secret: the run's own CA is used then", () => {
  const s = kubeSettings(completeSettings(KUBERNETES_SETTINGS, { useTls: true }));
  assert.deepEqual([s.useTls, s.certSecret], [true, null]);
});
