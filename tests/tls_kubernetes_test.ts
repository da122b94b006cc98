// --k8s-tls without a prepared certificate: the run's own CA, certificate and key travel in each
// batch's Secret (mounted with the spec and the token), through the fake cluster's real ranks.
import assert from "node:assert/strict";
import { x509 } from "../core/_x509.ts";
import { RENDEZVOUS_SERVER_NAME } from "../core/certs.ts";
import { readRun } from "../core/results.ts";
import { runSweep } from "../core/run.ts";
import type { Manifest } from "../core/types.ts";
import { kubernetesProvider } from "../providers/kubernetes/mod.ts";
import { builtinWorkloads } from "../workloads/mod.ts";
import { startFakeCluster } from "./k8s/cluster.ts";

Deno.test({
  name:
    "tls on kubernetes: --k8s-tls alone encrypts the rendezvous with the run's CA from its Secret",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const c = await startFakeCluster();
    const out = await Deno.makeTempDir({ prefix: "scalebench-tls-k8s-" });
    const lines: string[] = [];
    const run = await runSweep({
      workloads: builtinWorkloads,
      workload: "amdahl",
      params: { s: 0.2, work: 20 },
      cores: [1, 4],
      layout: "ranks",
      reps: 1,
      pollInterval: 0.2,
      rendezvousTimeout: 30,
      provider: kubernetesProvider,
      providerSettings: { ...c.settings(), useTls: true },
      output: out,
      verbose: true,
      log: (l) => lines.push(l),
    });
    c.assertNothingLeft();
    // a rendezvous in clear would have stopped the run (validation error): it completed
    assert.deepEqual([run.status, run.observations, run.failed], ["complete", 2, 0]);
    const m = (await readRun(run.runDir)).manifest as Manifest;
    assert.deepEqual([m.config?.tls, m.tls?.encrypted, m.tls?.server_name], [
      true,
      true,
      RENDEZVOUS_SERVER_NAME,
    ]);
    await assert.rejects(() => Deno.stat(m.tls!.dir), Deno.errors.NotFound);
    // each batch's Secret carried the run's CA (the manifest's fingerprint), certificate and key
    const secrets = c.store.history.filter((e) => e.resource === "secrets" && e.type === "ADDED")
      .map((e) => e.object.data as Record<string, string>);
    assert.equal(secrets.length, 2);
    for (const data of secrets) {
      assert.deepEqual(Object.keys(data).sort(), [
        "ca.crt",
        "spec.json",
        "tls.crt",
        "tls.key",
        "token",
      ]);
      const ca = new x509.X509Certificate(atob(data["ca.crt"]));
      const digest = new Uint8Array(await ca.getThumbprint("SHA-256"));
      assert.equal(
        [...digest].map((b) => b.toString(16).padStart(2, "0")).join(""),
        m.tls!.ca_sha256,
      );
    }
    const jobs = c.store.history.filter((e) => e.resource === "jobs" && e.type === "ADDED");
    const env = jobs[1].object.spec.template.spec.containers[0].env as {
      name: string;
      value?: string;
    }[];
    assert.deepEqual(env.filter((e) => e.name.startsWith("SCALEBENCH_TLS")), [
      { name: "SCALEBENCH_TLS_DIR", value: "/var/run/scalebench" },
      { name: "SCALEBENCH_TLS_SERVER_NAME", value: RENDEZVOUS_SERVER_NAME },
    ]);
    // the key appears in no log, saved manifest or line; the saved YAML shows it redacted
    const keyBody = atob(secrets[0]["tls.key"]).split("\n")[1];
    const texts = [lines.join("\n"), await Deno.readTextFile(`${run.runDir}/manifest.json`)];
    for (const e of Deno.readDirSync(`${run.runDir}/logs`)) {
      texts.push(await Deno.readTextFile(`${run.runDir}/logs/${e.name}`));
    }
    for (const t of texts) assert.equal(t.includes(keyBody), false, "the key leaked");
    const yaml = await Deno.readTextFile(`${run.runDir}/logs/p02-c0004.yaml`);
    assert.ok(yaml.includes("tls.key: <redacted>"), yaml);
    await c.close();
    await Deno.remove(out, { recursive: true });
  },
});
