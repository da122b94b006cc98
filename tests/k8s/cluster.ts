/**
 * A whole fake cluster for tests: test PKI, the TLS fake API server, the simulated control plane
 * and kubelet, a real kubeconfig file, and the provider settings that point at it.
 *
 * @module
 */
import { sourceRankCommand } from "../../core/run.ts";
import type { Settings } from "../../providers/types.ts";
import { kubeconfigYaml, makePki, type TestPki } from "./certs.ts";
import { FakeController, type FakeNode } from "./controller.ts";
import { FakeApiServer } from "./fake_apiserver.ts";
import { Store } from "./store.ts";

/** Options of {@linkcode startFakeCluster}. */
export interface FakeClusterOptions {
  nodes?: FakeNode[];
  missingImages?: string[];
  oomKillIndex?: number | null;
  forbidden?(verb: string, resource: string, ns: string): boolean;
  /** What the kubelet runs for the image's `scalebench rank` (default: this checkout's ranks) */
  localCommand?: string[];
  /** The kubeconfig context's namespace (default `bench`) */
  namespace?: string;
}

/** A running fake cluster. */
export interface FakeCluster {
  pki: TestPki;
  store: Store;
  api: FakeApiServer;
  controller: FakeController;
  /** Bearer token of the kubeconfig */
  token: string;
  kubeconfig: string;
  /** A free port for the rendezvous */
  port: number;
  /** Provider settings for this cluster */
  settings(extra?: Settings): Settings;
  /** Throws when any object or rank process is left */
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
  const controller = new FakeController(store, {
    nodes: options.nodes ?? [{ name: "kind-worker", cpu: 8 }, { name: "kind-worker2", cpu: 8 }],
    imageCommand: ["scalebench", "rank"],
    localCommand: options.localCommand ?? sourceRankCommand(),
    missingImages: options.missingImages ?? [],
    env: { SCALEBENCH_RDV_HOST: "127.0.0.1" },
    oomKillIndex: options.oomKillIndex ?? null,
  });
  const api = new FakeApiServer({
    store,
    token,
    cert: pki.serverCertPem,
    key: pki.serverKeyPem,
    podLog: (ns, pod) => controller.logs.get(`${ns}/${pod}`),
    onDelete: (resource, obj, propagation) => controller.onDelete(resource, obj, propagation),
    forbidden: options.forbidden,
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
    token,
    kubeconfig,
    port,
    settings: (extra = {}) => ({ kubeconfig, port, ...extra }),
    assertNothingLeft() {
      const left = store.keys();
      const procs = controller.running();
      if (left.length || procs.length) {
        throw new Error(
          `Left in the fake cluster: ${
            [...left, ...procs.map((p) => `process of ${p}`)].join(", ")
          }`,
        );
      }
    },
    async close() {
      await controller.close();
      await api.close();
      await Deno.remove(pki.dir, { recursive: true });
    },
  };
}
