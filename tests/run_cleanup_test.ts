/**
 * Cleanup is guaranteed: a provider whose session throws from any method, in turn, leaves no rank
 * process behind, a manifest that ended (`failed`, with the error) and a run that `--resume`
 * completes. The provider is the local one with one method made to throw on the second point.
 */
import assert from "node:assert/strict";
import type { JobHandle, Provider, ProviderSession } from "../core/provider.ts";
import { readRun } from "../core/results.ts";
import { runSweep } from "../core/run.ts";
import { localProvider } from "../providers/local.ts";
import { builtinWorkloads } from "../workloads/mod.ts";
import { assertNoRanksLeft, assertOutcome, FAULTY } from "./provider_conformance.ts";

type Method = keyof ProviderSession;

class Injected extends Error {}

/** The local provider, with `method` throwing for the point of `cores` cores. */
function throwing(method: Method | "open", cores = 2): Provider {
  const boom = (what: string) => new Injected(`${what} failed on purpose`);
  const hit = (h: { batch: JobHandle["batch"] } | JobHandle["batch"]) =>
    ("batch" in h ? h.batch : h).point.cores === cores;
  return {
    ...localProvider,
    async open(ctx) {
      if (method === "open") throw boom("open");
      const s: ProviderSession = await (localProvider as Provider).open(ctx);
      return {
        emit: (b) => method === "emit" && hit(b) ? Promise.reject(boom("emit")) : s.emit(b),
        submit: (b, e) =>
          method === "submit" && hit(b) ? Promise.reject(boom("submit")) : s.submit(b, e),
        poll: (h) => method === "poll" && hit(h) ? Promise.reject(boom("poll")) : s.poll(h),
        lines: (h) =>
          method === "lines" && hit(h)
            ? (async function* () {
              for await (const line of s.lines(h)) {
                yield line;
                throw boom("lines");
              }
            })()
            : s.lines(h),
        collect: (h) =>
          method === "collect" && hit(h) ? Promise.reject(boom("collect")) : s.collect(h),
        cancel: async (h, r) => {
          if (method === "cancel") throw boom("cancel");
          await s.cancel(h, r);
        },
        close: async () => {
          await s.close();
          if (method === "close") throw boom("close");
        },
      };
    },
  };
}

async function sweep(provider: Provider, output: string, extra: Record<string, unknown> = {}) {
  return await runSweep({
    provider,
    workloads: builtinWorkloads,
    workload: "amdahl",
    params: { work: 10 },
    cores: [1, 2],
    layout: "ranks",
    reps: 2,
    output,
    pollInterval: 0.2,
    monitorInterval: 0,
    log: () => {},
    ...extra,
  });
}

for (const method of ["emit", "poll", "lines", "collect", "close"] as const) {
  Deno.test({
    name: `runSweep() with a session whose ${method}() throws: nothing left, run failed, resumable`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const out = await Deno.makeTempDir({ prefix: "scalebench-cleanup-" });
      await assert.rejects(sweep(throwing(method), out), Injected);
      const [dir] = [...Deno.readDirSync(out)].map((e) => `${out}/${e.name}`);
      await assertNoRanksLeft(dir, 0.1);
      const run = await readRun(dir);
      assert.equal(run.manifest.status, "failed");
      assert.equal(run.manifest.error, `${method} failed on purpose`);
      assert.ok(run.manifest.ended_at !== null, "ended_at recorded");
      // the first point's observations were recorded before the failure (close: all of them)
      const before = run.observations.length;
      assert.ok(before >= 2, `${before} observations before the failure`);
      const resumed = await sweep(localProvider, out, { resume: dir });
      assert.deepEqual([resumed.status, resumed.recorded, resumed.observations], [
        "complete",
        4 - before,
        4,
      ]);
      await assertNoRanksLeft(dir, 0.1);
      await Deno.remove(out, { recursive: true });
    },
  });
}

Deno.test({
  name:
    "runSweep() with a session whose submit() throws: that point's observations fail with the reason",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "scalebench-cleanup-" });
    const r = await sweep(throwing("submit"), out);
    await assertOutcome(r, ["failed", 4, 2]);
    const run = await readRun(r.runDir);
    assert.deepEqual(
      run.observations.filter((o) => !o.ok).map((o) => [o.cores, o.error]),
      [[2, "Submission failed: submit failed on purpose"], [
        2,
        "Submission failed: submit failed on purpose",
      ]],
    );
    await assertNoRanksLeft(r.runDir, 0.1);
    await Deno.remove(out, { recursive: true });
  },
});

Deno.test({
  name: "runSweep() with a session whose cancel() throws (at a --timeout): nothing left, resumable",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "scalebench-cleanup-" });
    const hang = { workload: FAULTY, params: { fault: "hang", at_cores: 2, rank: 1 }, timeout: 1 };
    await assert.rejects(sweep(throwing("cancel"), out, hang), Injected);
    const [dir] = [...Deno.readDirSync(out)].map((e) => `${out}/${e.name}`);
    await assertNoRanksLeft(dir, 0.1);
    const run = await readRun(dir);
    assert.deepEqual([run.manifest.status, run.observations.length], ["failed", 2]);
    const resumed = await sweep(localProvider, out, { ...hang, resume: dir });
    // the hanging point runs again, times out and is recorded as failed this time
    assert.deepEqual([resumed.status, resumed.recorded, resumed.failed], ["failed", 2, 2]);
    await assertNoRanksLeft(dir, 0.1);
    await Deno.remove(out, { recursive: true });
  },
});

Deno.test("runSweep() whose provider refuses to open leaves no run directory", async () => {
  const out = await Deno.makeTempDir({ prefix: "scalebench-cleanup-" });
  await assert.rejects(sweep(throwing("open"), out), Injected);
  assert.deepEqual([...Deno.readDirSync(out)], []);
  await Deno.remove(out, { recursive: true });
});
