// dask-bench's USE_SSL and CERT_DIR, and the one warning line for keys that do nothing in a run.
import assert from "node:assert/strict";
import { resolveConfig } from "../core/config.ts";
import type { ConfigSources } from "../core/settings.ts";
import { SLURM_SETTINGS } from "../providers/slurm/settings.ts";
import { localProvider } from "../providers/local.ts";
import { KUBERNETES_SETTINGS } from "../providers/kubernetes/settings.ts";

const stock = (await Deno.readTextFile(new URL("./testdata/env/dask-bench.env", import.meta.url)))
  .split("\n").filter(Boolean).map((l) => l.split("=")).map((
    [k, ...v],
  ) => [k, v.join("=").replace(/^'|'$/g, "")]);
const dotenv = (over: Record<string, string | null> = {}) => {
  const d: Record<string, string> = Object.fromEntries(stock);
  for (const [k, v] of Object.entries(over)) v === null ? delete d[k] : (d[k] = v);
  return d;
};
const src = (over: Partial<ConfigSources> = {}): ConfigSources => ({
  flags: {},
  env: {},
  dotenv: {},
  dotenvPath: "d.env",
  ...over,
});
const options = {
  workload: "arrays",
  set: {},
  providerSettings: { local: localProvider.settings, slurm: SLURM_SETTINGS },
};

Deno.test("USE_SSL=True with KUBE=False turns TLS on for Slurm, CERT_DIR is where its files go", () => {
  const r = resolveConfig(src({ dotenv: dotenv() }), options);
  assert.equal(r.config.provider, "slurm");
  assert.deepEqual([r.config.tls, r.config.certDir, r.config.keepCerts], [true, "./certs", false]);
  assert.equal(r.origins.tls, "Key USE_SSL in 'd.env'");
  assert.equal(r.origins.certDir, "Key CERT_DIR in 'd.env'");
  const off = resolveConfig(src({ dotenv: dotenv({ USE_SSL: "False" }) }), options).config;
  assert.deepEqual([off.tls, off.certDir], [false, null]);
  // the flag and SCALEBENCH_TLS work on any provider
  assert.equal(resolveConfig(src({ flags: { tls: true } }), options).config.tls, true);
  assert.equal(resolveConfig(src({ env: { SCALEBENCH_TLS: "1" } }), options).config.tls, true);
  assert.equal(
    resolveConfig(src({ env: { SCALEBENCH_TLS: "0" }, dotenv: dotenv() }), options).config.tls,
    false,
  );
});

Deno.test("a stock dask-bench .env on Slurm: the keys that mean nothing there, in one warning line", () => {
  assert.deepEqual(resolveConfig(src({ dotenv: dotenv({ EXTRA: "1" }) }), options).warnings, [
    "Ignoring keys in 'd.env' that do nothing here: EXTRA (unknown); KUBE_NAMESPACE, CONTAINER_IMAGE, SCHEDULER_HOST, KUBECLUSTER_NAME, SCHEDULER_CORES, SCHEDULER_MEM, SECRET_CERT_NAME (no meaning with provider 'slurm')",
  ]);
  // without TLS its CERT_DIR means nothing either; on the local provider, Slurm's keys neither
  assert.deepEqual(
    resolveConfig(
      src({ dotenv: dotenv({ USE_SSL: "False", KUBE: null }), flags: { provider: "local" } }),
      options,
    ).warnings,
    [
      "Ignoring keys in 'd.env' that do nothing here: KUBE_NAMESPACE, CONTAINER_IMAGE, SCHEDULER_HOST, KUBECLUSTER_NAME, SCHEDULER_CORES, SCHEDULER_MEM, OUT_DIR, SECRET_CERT_NAME, MEM_PER_NODE, NET_INTERFACE, ACCOUNT, PARTITION, TIME_LIMIT, ENV_TO_SOURCE (no meaning with provider 'local'); CERT_DIR (only with USE_SSL=True or --tls)",
    ],
  );
  assert.deepEqual(
    resolveConfig(src({ dotenv: { USE_SSL: "True", CERT_DIR: "/c" } }), options).warnings,
    [],
  );
});

Deno.test("dask-bench's CERT_DIR without USE_SSL does nothing; --cert-dir and --keep-certs stay for the run to check", () => {
  const plain = resolveConfig(src({ dotenv: { CERT_DIR: "/c" } }), options).config;
  assert.deepEqual([plain.tls, plain.certDir], [false, null]);
  const flags = resolveConfig(src({ flags: { keepCerts: true, certDir: "/d" } }), options).config;
  assert.deepEqual([flags.tls, flags.certDir, flags.keepCerts], [false, "/d", true]);
  // Kubernetes' own switch (a provider setting `useTls`) turns the run's TLS on
  const k = resolveConfig(src({ flags: { provider: "kubernetes", useTls: true } }), {
    ...options,
    providerSettings: { ...options.providerSettings, kubernetes: KUBERNETES_SETTINGS },
  });
  assert.deepEqual([k.config.tls, k.origins.tls], [true, "Flag --k8s-tls"]);
});
