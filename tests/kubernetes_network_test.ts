// The ranks' network on Kubernetes, through the fake cluster's pod network (own pod IPs, the
// cluster DNS with its search list): rank 0 found by name, without a burst of DNS queries while
// the name is not there yet, on an IPv6 single-stack cluster, after a resume that meets the old
// rank 0's lingering pod, and over TLS checked against the name the certificate is for.
import assert from "node:assert/strict";
import { makeTlsCert } from "./k8s/certs.ts";
import type { FakeCluster } from "./k8s/cluster.ts";
import { cliRun, clusterTest, sweep, testWorkload, waitFor } from "./k8s/harness.ts";
import { assertOutcome } from "./provider_conformance.ts";

/** DNS queries for rank 0's name of the run's only Job, through every search domain. */
function rank0Queries(c: FakeCluster, job: string): number {
  return c.dns.count(`${job}-0.${job}.`);
}

clusterTest("kubernetes: the ranks find rank 0 by its name in the cluster DNS", {}, async (c) => {
  const r = await sweep(c, { cores: [2] });
  await assertOutcome(r, ["complete", 1, 0]);
  const job = r.run.manifest.provider.jobs[0].job_id!;
  // `<job>-0.<service>` has 1 dot (< ndots 5): the search list's first domain answers
  assert.ok((c.dns.queries.get(`${job}-0.${job}.bench.svc.cluster.local`) ?? 0) >= 1);
  assert.equal(c.dns.lookup(`${job}-0.${job}.bench.svc.cluster.local`, "A"), null);
});

clusterTest(
  "kubernetes: a rank waiting for rank 0's name to reach the DNS asks less and less often",
  { dnsDelayMs: 3000 },
  async (c) => {
    const r = await sweep(c, { cores: [2] });
    await assertOutcome(r, ["complete", 1, 0]);
    const job = r.run.manifest.provider.jobs[0].job_id!;
    // ~8 queries a try (4 names × A and AAAA); every 10 ms that was ~1000 in 3 s
    const n = rank0Queries(c, job);
    assert.ok(n >= 8 && n <= 120, `DNS queries for rank 0's name: ${n}`);
  },
);

clusterTest(
  "kubernetes: an IPv6 single-stack cluster runs a sweep (rank 0 listens on IPv6 too)",
  { ipFamily: "IPv6" },
  async (c) => {
    const r = await sweep(c, { cores: [1, 2], rendezvousTimeout: 8 });
    await assertOutcome(r, ["complete", 2, 0]);
    const job = r.run.manifest.provider.jobs[1].job_id!;
    assert.ok((c.dns.queries.get(`${job}-0.${job}.bench.svc.cluster.local`) ?? 0) >= 1);
  },
);

clusterTest(
  "kubernetes: --resume after kill -9 is not misled by the old rank 0 still answering",
  // the old pods linger 4 s after their deletion, in DNS with publishNotReadyAddresses
  { terminationDelayMs: 4000 },
  async (c) => {
    const dir = await Deno.makeTempDir({ prefix: "scalebench-k8s-resume-" });
    const go = `${dir}/go`;
    const first = cliRun(c, [
      testWorkload("sleepy"),
      "-c",
      "2",
      "--layout",
      "ranks",
      "-r",
      "1",
      "--set",
      "seconds=120",
      "--set",
      `until_file=${go}`,
      "--rendezvous-timeout",
      "15",
      "-o",
      dir,
    ]);
    const ready = (job: string) =>
      [...c.kubelet.logs].some(([pod, log]) =>
        pod.startsWith(`bench/${job}-0-`) && log.lines.some((l) => l.text.includes('"ready"'))
      );
    const jobs = () => c.store.list("jobs", "bench");
    await waitFor(
      () => jobs().length === 1 && ready(jobs()[0].metadata.name),
      60,
      "first run ready",
    );
    const oldUid = jobs()[0].metadata.uid;
    first.kill("SIGKILL");
    await first.output();
    const runDir = `${dir}/${[...Deno.readDirSync(dir)].find((e) => e.isDirectory)!.name}`;
    const resumed = cliRun(c, ["run", "--resume", runDir].slice(1));
    const newJob = () => jobs().find((j) => j.metadata.uid !== oldUid);
    const ended = resumed.status.then(() => true);
    let done = false;
    ended.then(() => (done = true));
    await waitFor(() => done || Boolean(newJob() && ready(newJob()!.metadata.name)), 60, "resumed");
    await Deno.writeTextFile(go, "");
    const out = await resumed.output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    // the old rank 0 was still there while the new ranks started
    const h = c.store.history;
    const oldGone = h.find((e) =>
      e.type === "DELETED" && e.resource === "pods" &&
      e.object.metadata.ownerReferences?.[0]?.uid === oldUid &&
      e.object.metadata.labels?.["batch.kubernetes.io/job-completion-index"] === "0"
    );
    const newStarted = h.find((e) =>
      e.resource === "pods" && e.object.status?.phase === "Running" &&
      e.object.metadata.ownerReferences?.[0]?.uid !== oldUid
    );
    assert.ok(oldGone && newStarted && newStarted.rv < oldGone.rv, "the old rank 0 lingered");
    c.assertNothingLeft();
    await Deno.remove(dir, { recursive: true });
  },
);

/** A TLS Secret (`tls.crt`, `tls.key`, `ca.crt`) for `names`, signed by the cluster's test CA. */
async function tlsSecret(c: FakeCluster, name: string, names: string[]): Promise<void> {
  const { cert, key } = await makeTlsCert(c.pki, names);
  c.store.create("secrets", "bench", {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/tls",
    metadata: { name, labels: { "test/keep": "true" } },
    data: { "tls.crt": btoa(cert), "tls.key": btoa(key), "ca.crt": btoa(c.pki.caPem) },
  });
}

clusterTest(
  "kubernetes: --k8s-tls checks rank 0's certificate against the name it is for",
  {},
  async (c) => {
    await tlsSecret(c, "rdv-tls", ["rendezvous.bench.example"]);
    await tlsSecret(c, "two-names", ["one.bench.example", "two.bench.example"]);
    const tls = (certSecret: string, tlsServerName?: string) => ({
      useTls: true,
      certSecret,
      ...(tlsServerName ? { tlsServerName } : {}),
    });
    // the name from the certificate itself
    let r = await sweep(c, { cores: [2], settings: tls("rdv-tls") });
    await assertOutcome(r, ["complete", 1, 0]);
    const yaml = r.logs["p01-c0002.yaml"];
    assert.ok(yaml.includes("value: rendezvous.bench.example"), yaml);
    // --k8s-tls-server-name: another name of the certificate
    r = await sweep(c, { cores: [2], settings: tls("two-names", "two.bench.example") });
    await assertOutcome(r, ["complete", 1, 0]);
    // a name the certificate is not for: the ranks refuse rank 0
    r = await sweep(c, {
      cores: [2],
      rendezvousTimeout: 5,
      settings: tls("rdv-tls", "elsewhere.example"),
    });
    assert.deepEqual([r.status, r.failed], ["failed", 1]);
    const error = r.run.observations[0].error ?? "";
    assert.ok(error.includes("'elsewhere.example'"), error);
    c.store.remove("secrets", "bench", "rdv-tls");
    c.store.remove("secrets", "bench", "two-names");
  },
);
