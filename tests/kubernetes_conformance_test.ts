// The shared provider conformance suite, run on the Kubernetes provider through the fake API
// server (TLS, real client) and the simulated Job controller and kubelet running real ranks.
import { PROVIDERS } from "../providers/mod.ts";
import { startFakeCluster } from "./k8s/cluster.ts";
import { providerConformance } from "./provider_conformance.ts";

const cluster = await startFakeCluster();

providerConformance({
  provider: PROVIDERS.kubernetes,
  settings: cluster.settings(),
  assertNothingLeft: () => Promise.resolve(cluster.assertNothingLeft()),
  // the timeout test also bounds pod start: leave room for a loaded machine
  startSeconds: 8,
});

Deno.test({
  name: "kubernetes provider conformance: the fake cluster shuts down with nothing left",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    cluster.assertNothingLeft();
    await cluster.close();
  },
});
