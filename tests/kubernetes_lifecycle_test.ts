// The Kubernetes provider's objects over their life, through the fake cluster: a rank spec too big
// for an environment variable, the backstops that clean up after a scalebench killed with -9
// (activeDeadlineSeconds, ttlSecondsAfterFinished taking the Service and Secret with the Job), and
// the permissions README's Role grants: exactly those a sweep uses.
import assert from "node:assert/strict";
import { parse } from "yaml";
import { assertOutcome, FAULTY } from "./provider_conformance.ts";
import { cliRun, clusterTest, sweep, waitFor } from "./k8s/harness.ts";

clusterTest(
  "kubernetes: a rank spec over Linux's 128 KiB for one environment string reaches the ranks",
  {},
  async (c) => {
    // workload parameters travel in the spec: 140 000 characters of them
    const label = "x".repeat(140_000);
    const r = await sweep(c, { workload: FAULTY, params: { label }, cores: [2] });
    await assertOutcome(r, ["complete", 1, 0]);
    const secret = c.store.history.find((e) => e.resource === "secrets" && e.type === "ADDED");
    const spec = JSON.parse(atob(secret!.object.data["spec.json"]));
    assert.equal(spec.point.params.label, label);
  },
);

clusterTest(
  "kubernetes: after kill -9, a pending Job fails by its deadline and takes its Service and Secret",
  {},
  async (c) => {
    const dir = await Deno.makeTempDir({ prefix: "scalebench-k8s-killed-" });
    // 64 threads in one pod: no fake node has the cpu, the pod stays Pending
    const child = cliRun(c, [
      "amdahl",
      "-c",
      "64",
      "--layout",
      "threads",
      "-r",
      "1",
      "--k8s-active-deadline",
      "2",
      "--k8s-ttl",
      "1",
      "-o",
      dir,
    ]);
    const owned = (r: string) =>
      c.store.list(r, "bench").some((o) => o.metadata.ownerReferences?.[0]?.kind === "Job");
    await waitFor(() => owned("secrets") && owned("services"), 60, "the Job owns its objects");
    child.kill("SIGKILL");
    await child.output();
    const job = c.store.list("jobs", "bench")[0];
    assert.equal(job.spec.activeDeadlineSeconds, 2);
    const left = () =>
      ["jobs", "services", "secrets", "pods"].flatMap((r) => c.store.list(r, "bench"));
    await waitFor(() => left().length === 0, 20, "the backstops deleted everything");
    const reasons = c.store.history.filter((e) => e.resource === "events").map((e) =>
      e.object.reason
    );
    assert.ok(reasons.includes("DeadlineExceeded"), `events: ${reasons}`);
    c.assertNothingLeft();
    await Deno.remove(dir, { recursive: true });
  },
);

/** The Role in README's Kubernetes section, as `verb resource` permissions. */
async function readmeRole(): Promise<Set<string>> {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const block = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1]))
    .find((d) => d?.kind === "Role");
  assert.ok(block, "README has a Role");
  const out = new Set<string>();
  for (const rule of block.rules as { resources: string[]; verbs: string[] }[]) {
    for (const r of rule.resources) for (const v of rule.verbs) out.add(`${v} ${r}`);
  }
  return out;
}

const role = await readmeRole();

clusterTest(
  "kubernetes: README's Role is enough for a sweep and grants nothing it does not use",
  { forbidden: (verb, resource) => !role.has(`${verb} ${resource}`) },
  async (c) => {
    const r = await sweep(c, { cores: [1, 2] });
    await assertOutcome(r, ["complete", 2, 0]);
    assert.deepEqual(Object.keys(c.api.stats.verbs).sort(), [...role].sort());
  },
);
