/**
 * A whole fake cluster for tests: test PKI, the TLS fake API server, the control plane, the
 * kubelet running real rank processes in a simulated pod network (own IPs, the cluster DNS), a
 * real kubeconfig file, and the provider settings that point at it.
 *
 * @module
 */
import { sourceRankCommand } from "../../core/run.ts";
import type { Settings } from "../../core/settings.ts";
import { admitPod, type NamespacePolicy } from "./admission.ts";
import { kubeconfigYaml, makePki, type TestPki } from "./certs.ts";
import { FakeController } from "./controller.ts";
import { FakeDns } from "./dns.ts";
import { FakeApiServer } from "./fake_apiserver.ts";
import { FakeKubelet } from "./kubelet.ts";
import type { FakeNode } from "./scheduler.ts";
import { Store } from "./store.ts";

export type { FakeNode } from "./scheduler.ts";
export type { NamespacePolicy } from "./admission.ts";

/** The pod network shim every rank process of the fake kubelet preloads. */
export const POD_SHIM: string = new URL("./pod_shim.ts", import.meta.url).pathname;

/** Options of {@linkcode startFakeCluster}. */
export interface FakeClusterOptions {
  nodes?: FakeNode[];
  missingImages?: string[];
  /** Images whose first pulls fail: image → failed pulls */
  flakyImages?: Record<string, number>;
  /** ms of an image's first pull on a node (node → ms, or every node) */
  pullMs?: number | Record<string, number>;
  /** ms before a Secret reaches the kubelet */
  secretSyncMs?: number;
  /** ms before the kubelet acts on a pod's deletion (default 200) */
  terminationDelayMs?: number;
  oomKillIndex?: number | null;
  forbidden?(verb: string, resource: string, ns: string): boolean;
  /** Pod Security and quotas by namespace */
  policies?: Record<string, NamespacePolicy>;
  /** What the kubelet runs for the image's `scalebench rank` (default: this checkout's ranks) */
  localCommand?: string[];
  /** The kubeconfig context's namespace (default `bench`) */
  namespace?: string;
  /** The pods' IP family (default IPv4) */
  ipFamily?: "IPv4" | "IPv6";
  /** ms before a pod's DNS record follows its IP */
  dnsDelayMs?: number;
  /** The API server ends watches after timeoutSeconds (default true) */
  honorWatchTimeout?: boolean;
  /** Seconds between bookmarks on quiet watches (default 60) */
  bookmarkSeconds?: number;
}

/** A running fake cluster. */
export interface FakeCluster {
  pki: TestPki;
  store: Store;
  api: FakeApiServer;
  controller: FakeController;
  kubelet: FakeKubelet;
  dns: FakeDns;
  /** Bearer token of the kubeconfig */
  token: string;
  kubeconfig: string;
  /** A free port for the rendezvous */
  port: number;
  /** Provider settings for this cluster */
  settings(extra?: Settings): Settings;
  /** Throws when any object (but Events and the test's own: label `test/keep`) or rank process is left */
  assertNothingLeft(): void;
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Start a fake cluster. */
export async function startFakeCluster(options: FakeClusterOptions = {}): Promise<FakeCluster> {
  const pki = await makePki();
  const store = new Store();
  const token = `fake-bearer-${crypto.randomUUID()}`;
  const nodes = options.nodes ??
    [{ name: "kind-worker", cpu: 8 }, { name: "kind-worker2", cpu: 8 }];
  let kubelet: FakeKubelet | null = null;
  const dns = await FakeDns.start({
    store,
    ipSince: (uid) => kubelet?.ipSince(uid),
    delayMs: options.dnsDelayMs,
  });
  kubelet = new FakeKubelet(store, {
    imageCommand: ["scalebench", "rank"],
    localCommand: options.localCommand ?? sourceRankCommand(),
    missingImages: options.missingImages ?? [],
    flakyImages: options.flakyImages ?? {},
    pullMs: options.pullMs ?? 0,
    secretSyncMs: options.secretSyncMs ?? 0,
    terminationDelayMs: options.terminationDelayMs ?? 200,
    ipFamily: options.ipFamily ?? "IPv4",
    dns: dns.address,
    shim: POD_SHIM,
    env: {},
    oomKillIndex: options.oomKillIndex ?? null,
    nodes,
  });
  const admit = (ns: string, pod: Parameters<typeof admitPod>[0]) =>
    admitPod(pod, options.policies?.[ns], store.list("pods", ns));
  const controller = new FakeController(store, { nodes, kubelet, admit });
  const api = new FakeApiServer({
    store,
    token,
    cert: pki.serverCertPem,
    key: pki.serverKeyPem,
    podLog: (ns, pod) => kubelet.logs.get(`${ns}/${pod}`),
    onDelete: (resource, obj, propagation) => controller.onDelete(resource, obj, propagation),
    forbidden: options.forbidden,
    admit,
    honorWatchTimeout: options.honorWatchTimeout,
    bookmarkSeconds: options.bookmarkSeconds,
  });
  const kubeconfig = `${pki.dir}/kubeconfig`;
  await Deno.writeTextFile(
    kubeconfig,
    kubeconfigYaml(pki, { server: api.url, token, namespace: options.namespace }),
  );
  const port = freePort();
  return {
    pki,
    store,
    api,
    controller,
    kubelet,
    dns,
    token,
    kubeconfig,
    port,
    settings: (extra = {}) => ({ kubeconfig, port, ...extra }),
    assertNothingLeft() {
      const left = store.keys().filter((k) => {
        const [resource, ns, name] = k.split("/");
        return resource !== "events" &&
          store.get(resource, ns, name)?.metadata.labels?.["test/keep"] !== "true";
      });
      const procs = kubelet.running();
      if (left.length || procs.length) {
        throw new Error(
          `Left in the fake cluster: ${
            [...left, ...procs.map((p) => `process of ${p}`)].join(", ")
          }`,
        );
      }
    },
    async close() {
      controller.close();
      await kubelet.close();
      await api.close();
      dns.close();
      await Deno.remove(pki.dir, { recursive: true });
    },
  };
}

/** A `deno` for a shell entry (`deno run …`) whose rank processes preload the pod network. */
export async function denoWithPodShim(dir: string): Promise<string> {
  const path = `${dir}/deno-in-pod`;
  await Deno.writeTextFile(
    path,
    `#!/bin/sh\nif [ "$1" = run ]; then shift; exec '${Deno.execPath()}' run --preload '${POD_SHIM}' "$@"; fi\n` +
      `exec '${Deno.execPath()}' "$@"\n`,
    { mode: 0o755 },
  );
  return path;
}
