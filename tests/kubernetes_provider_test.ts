// The Kubernetes provider end to end: --dry-run YAML valid against Kubernetes' OpenAPI schema, a
// sweep through the fake cluster equal to the local provider's, and no secret in any file.
import { Job } from "kubernetes-models/batch/v1";
import { Secret, Service } from "kubernetes-models/v1";
import { parseAllDocuments } from "yaml";
import { assert, assertEquals } from "../core/_assert.ts";
import { readRun } from "../core/results.ts";
import type { Observation } from "../core/types.ts";
import { type RunOptions, runSweep } from "../core/run.ts";
import { kubernetesProvider } from "../providers/kubernetes/mod.ts";
import { localProvider } from "../providers/local.ts";
import { startFakeCluster } from "./k8s/cluster.ts";
import { builtinWorkloads } from "../workloads/mod.ts";

const ROOT = new URL("../", import.meta.url);
const opts = { sanitizeOps: false, sanitizeResources: false };

async function cli(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", new URL("cli/main.ts", ROOT).pathname, ...args],
    cwd: ROOT.pathname,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

// deno-lint-ignore no-explicit-any
function validate(obj: any): void {
  const Model = { Job, Service, Secret }[obj.kind as "Job" | "Service" | "Secret"];
  assert(Model, `unexpected kind ${obj.kind}`);
  new Model(obj).validate();
}

Deno.test("scalebench run -p kubernetes --dry-run prints valid Job and Service YAML per point", async () => {
  const r = await cli([
    "run",
    "amdahl",
    "-p",
    "kubernetes",
    "--dry-run",
    "-c",
    "1,4",
    "--layout",
    "ranks",
  ]);
  assertEquals(r.code, 0, r.stderr);
  const yaml = r.stdout.slice(r.stdout.indexOf("# ---- "));
  const docs = parseAllDocuments(yaml).map((d) => d.toJS());
  assertEquals(docs.map((d) => d.kind), ["Secret", "Service", "Job", "Secret", "Service", "Job"]);
  for (const d of docs) validate(d);
  const jobs = docs.filter((d) => d.kind === "Job");
  assertEquals(jobs.map((j) => [j.spec.completions, j.spec.parallelism, j.spec.completionMode]), [
    [1, 1, "Indexed"],
    [4, 4, "Indexed"],
  ]);
  const services = docs.filter((d) => d.kind === "Service");
  assertEquals(services.map((s) => s.spec.clusterIP), ["None", "None"]);
  assertEquals(
    jobs.map((j) => j.spec.template.spec.subdomain),
    services.map((s) => s.metadata.name),
  );
  assertEquals(docs.filter((d) => d.kind === "Secret").map((s) => s.stringData.token), [
    "<redacted>",
    "<redacted>",
  ]);
});

Deno.test("scalebench run -p kubernetes --dry-run --json carries the manifests, from a dask-bench .env", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/.env`,
    "KUBE=True\nKUBE_NAMESPACE='dask'\nCONTAINER_IMAGE=ghcr.io/me/bench:2\nMEM_PER_NODE=8\n" +
      "KUBECLUSTER_NAME=dask-bench\nUSE_SSL=1\nSECRET_CERT_NAME=dask-tls\nCORES_PER_NODE=2\n",
  );
  const r = await cli([
    "run",
    "amdahl",
    "--dry-run",
    "--json",
    "-c",
    "4",
    "--layout",
    "ranks",
    "--env-file",
    `${dir}/.env`,
  ]);
  assertEquals(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout);
  assertEquals(plan.provider, "kubernetes");
  const submit = plan.jobs[0].submit;
  assertEquals(submit.namespace, "dask");
  for (const m of submit.manifests) validate(m);
  const job = submit.manifests[2];
  assert(job.metadata.name.startsWith("dask-bench-amdahl-"), job.metadata.name);
  const c = job.spec.template.spec.containers[0];
  assertEquals([c.image, c.resources.limits], ["ghcr.io/me/bench:2", {
    cpu: "1",
    memory: "4096Mi",
  }]);
  assertEquals(c.volumeMounts, [
    { name: "run", mountPath: "/var/run/scalebench", readOnly: true },
    { name: "tls", mountPath: "/etc/scalebench/tls", readOnly: true },
  ]);
  await Deno.remove(dir, { recursive: true });
});

const SWEEP: Omit<RunOptions, "provider"> = {
  workloads: builtinWorkloads,
  workload: "amdahl",
  params: { s: 0.2, work: 20 },
  cores: [1, 2, 4],
  layout: "ranks",
  reps: 2,
  warmup: 1,
  pollInterval: 0.2,
  monitorInterval: 0.2,
  rendezvousTimeout: 30,
};

function shape(o: Observation) {
  const { op, cores, nodes, ranks, threads, rep, warmup, ok, error, unit, size, workload, mode } =
    o;
  return { workload, mode, op, cores, nodes, ranks, threads, rep, warmup, ok, error, unit, size };
}

Deno.test({
  name: "kubernetes: a sweep through the fake cluster records what the local provider records",
  ...opts,
  async fn() {
    const c = await startFakeCluster();
    const out = await Deno.makeTempDir();
    const local = await runSweep({ ...SWEEP, provider: localProvider, output: out, log: () => {} });
    const lines: string[] = [];
    const kube = await runSweep({
      ...SWEEP,
      provider: kubernetesProvider,
      providerSettings: c.settings(),
      output: out,
      verbose: true,
      log: (l) => lines.push(l),
    });
    c.assertNothingLeft();
    assertEquals([kube.status, kube.observations, kube.failed], ["complete", 9, 0]);
    const a = await readRun(local.runDir), b = await readRun(kube.runDir);
    assertEquals(b.observations.map(shape), a.observations.map(shape));
    for (const o of b.observations) assertEquals(o.rank_seconds.length, o.ranks);
    assertEquals(b.manifest.provider.jobs.map((j) => [j.cores, j.state, j.nodes]), [
      [1, "succeeded", ["kind-worker"]],
      [2, "succeeded", ["kind-worker"]],
      [4, "succeeded", ["kind-worker"]],
    ]);
    const logs = [...Deno.readDirSync(`${kube.runDir}/logs`)].map((e) => e.name).sort();
    assertEquals(logs, [
      "p01-c0001.rank0.log",
      "p01-c0001.yaml",
      "p02-c0002.rank0.log",
      "p02-c0002.rank1.log",
      "p02-c0002.yaml",
      "p03-c0004.rank0.log",
      "p03-c0004.rank1.log",
      "p03-c0004.rank2.log",
      "p03-c0004.rank3.log",
      "p03-c0004.yaml",
    ]);
    // secrets: the rendezvous token, the bearer token and the client key appear nowhere
    // the Secret the provider created (deleted since) holds the run's rendezvous token
    const created = c.store.history.find((e) => e.resource === "secrets" && e.type === "ADDED");
    const rdvToken = atob(created?.object.data.token ?? "");
    const secrets = [c.token, c.pki.clientKeyPem.split("\n")[1], rdvToken];
    assert(rdvToken.length >= 32, "the ranks received the token");
    const texts = [lines.join("\n"), Deno.readTextFileSync(`${kube.runDir}/manifest.json`)];
    for (const f of logs) texts.push(Deno.readTextFileSync(`${kube.runDir}/logs/${f}`));
    for (const t of texts) for (const s of secrets) assert(!t.includes(s), "a secret leaked");
    assert(texts.some((t) => t.includes("token: <redacted>")), "manifests show a redacted token");
    await c.close();
    await Deno.remove(out, { recursive: true });
  },
});
