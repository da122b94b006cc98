import { assertEquals, assertThrows } from "../../core/_assert.ts";
import { resolveSettings } from "../../core/config.ts";
import { ValidationError } from "../../core/errors.ts";
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
  assertEquals(
    [
      s.kubeconfig,
      s.namespace,
      s.image,
      s.jobPrefix,
      s.useTls,
      s.certSecret,
      s.certDir,
      s.memPerNode,
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
    ],
  );
  assertEquals([s.rankCommand, s.port, s.ttlSeconds], [["scalebench", "rank"], 29500, 600]);
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
    }),
  );
  const s = kubeSettings(values);
  assertEquals(s.namespace, "mine");
  assertEquals(s.nodeSelector, { pool: "bench", "kubernetes.io/arch": "amd64" });
  assertEquals(s.tolerations, [{ operator: "Exists" }]);
  assertEquals(s.rankCommand, ["deno", "run", "-A", "/opt/scalebench.js", "rank"]);
});

Deno.test("KUBERNETES_SETTINGS reject bad values naming the key", () => {
  const bad: [Record<string, string>, string][] = [
    [{ KUBE_NAMESPACE: "Bad_NS" }, "Environment variable KUBE_NAMESPACE expects a DNS-1123 label"],
    [{ SCALEBENCH_K8S_AFFINITY: "[1]" }, "expects a JSON object"],
    [{ SCALEBENCH_K8S_TOLERATIONS: "{" }, "expects a JSON array"],
    [{ SCALEBENCH_K8S_NODE_SELECTOR: "pool" }, "expects label=value entries (got 'pool')"],
    [{ SCALEBENCH_K8S_PORT: "70000" }, "expects a port 1..65535"],
    [{ MEM_PER_NODE: "0" }, "expects Gi > 0"],
  ];
  for (const [env, why] of bad) {
    const err = assertThrows(() => resolveSettings(KUBERNETES_SETTINGS, src(env)), ValidationError);
    assertEquals(err.message.includes(why), true, err.message);
  }
});

Deno.test("kubeSettings() needs the TLS secret's name with USE_SSL", () => {
  assertThrows(
    () => kubeSettings({ useTls: true }),
    ValidationError,
    "Setting --k8s-tls (USE_SSL) needs the TLS secret's name",
  );
  assertThrows(() => kubeSettings({ port: 0 }), ValidationError, "Setting --k8s-port");
});
