/**
 * A provider may suggest the node size (`Provider.defaultCoresPerNode`) for a run that gives no
 * `--cores-per-node`: runSweep plans with it and records it in the run's configuration, so
 * `--resume` plans the same points. The ssh provider suggests the smallest slot count of its hosts.
 */
import assert from "node:assert/strict";
import { ValidationError } from "../core/errors.ts";
import type { Provider } from "../core/provider.ts";
import { readRun } from "../core/results.ts";
import { type RunOptions, runSweep } from "../core/run.ts";
import { localProvider } from "../providers/local.ts";
import { sshProvider } from "../providers/ssh/mod.ts";
import { builtinWorkloads } from "../workloads/mod.ts";

/** The local provider, suggesting `n` cores per node and counting the calls. */
function suggesting(n: number | null): Provider & { calls: number } {
  const p = {
    ...localProvider,
    calls: 0,
    defaultCoresPerNode() {
      p.calls++;
      return Promise.resolve(n);
    },
  };
  return p;
}

function sweep(provider: Provider, extra: Partial<RunOptions> = {}) {
  return runSweep({
    provider,
    workloads: builtinWorkloads,
    workload: "amdahl",
    params: { work: 10 },
    cores: [1, 2, 4],
    layout: "ranks",
    reps: 1,
    monitorInterval: 0,
    log: () => {},
    ...extra,
  });
}

const nodes = (r: { plan: { points: { nodes: number }[] } }) => r.plan.points.map((p) => p.nodes);

Deno.test({
  name: "runSweep() plans with the provider's defaultCoresPerNode() and records it for --resume",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "scalebench-cpn-" });
    const provider = suggesting(2);
    const r = await sweep(provider, { output: out, cores: [1, 4], pollInterval: 0.2 });
    assert.deepEqual([r.status, r.plan.cores_per_node, nodes(r), r.config.coresPerNode], [
      "complete",
      2,
      [1, 2],
      2,
    ]);
    const { manifest } = await readRun(r.runDir);
    assert.deepEqual([manifest.config?.coresPerNode, manifest.plan.cores_per_node], [2, 2]);
    // a resume plans with the recorded value; the provider is not asked again
    const resumed = await sweep(suggesting(4), { resume: r.runDir, cores: undefined });
    assert.deepEqual([resumed.status, resumed.plan.cores_per_node, nodes(resumed)], [
      "complete",
      2,
      [1, 2],
    ]);
    await Deno.remove(out, { recursive: true });
  },
});

Deno.test("runSweep() prefers a given coresPerNode, and takes the planner's default on null", async () => {
  const given = suggesting(1);
  const r = await sweep(given, { coresPerNode: 4, dryRun: true });
  assert.deepEqual([r.plan.cores_per_node, nodes(r), given.calls], [4, [1, 1, 1], 0]);
  const none = suggesting(null);
  const d = await sweep(none, { dryRun: true });
  assert.deepEqual([d.plan.cores_per_node, d.config.coresPerNode, none.calls], [4, null, 1]);
});

Deno.test("runSweep() refuses a suggestion that is not a whole number ≥ 1", async () => {
  await assert.rejects(
    sweep(suggesting(0), { dryRun: true }),
    new ValidationError("Cores per node (--cores-per-node) must be a whole number ≥ 1 (got '0')"),
  );
});

Deno.test("ssh: without --cores-per-node a node is the smallest slot count of the hosts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scalebench-cpn-" });
  await Deno.writeTextFile(`${dir}/hosts`, "a slots=4\nb:2\nc\n");
  // settings → the recorded coresPerNode, the plan's, each point's nodes, the 4-core point's hosts
  const cases: [Record<string, unknown>, number | null, number, number[], string[]][] = [
    [{ hosts: ["a:2,b:2"] }, 2, 2, [1, 1, 2], ["a", "b"]],
    [{ hostfile: `${dir}/hosts` }, 2, 2, [1, 1, 2], ["a", "b"]],
    [{ hosts: ["a:3", "b:8", "c"] }, 3, 3, [1, 1, 2], ["a", "b"]],
    [{ hosts: ["a,b"] }, null, 4, [1, 1, 1], ["a"]], // no slots: the planner's default, one node
  ];
  for (const [settings, recorded, perNode, expected, last] of cases) {
    const r = await sweep(sshProvider, { providerSettings: settings as never, dryRun: true });
    const submit = r.jobs![2].submit as { hosts: { host: string }[] };
    assert.deepEqual(
      [r.config.coresPerNode, r.plan.cores_per_node, nodes(r), submit.hosts.map((h) => h.host)],
      [recorded, perNode, expected, last],
      JSON.stringify(settings),
    );
  }
  await Deno.remove(dir, { recursive: true });
});
