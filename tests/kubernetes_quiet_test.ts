// Quiet ranks on Kubernetes: watches the API server ends (timeoutSeconds) and quiet periods longer
// than the client's 30 s, log streams that go silent without a word — through the fake cluster
// and the real @kubernetes/client-node.
import assert from "node:assert/strict";
import { clusterTest, sweep, testWorkload } from "./k8s/harness.ts";
import { assertOutcome } from "./provider_conformance.ts";

const SLEEPY = testWorkload("sleepy");

/**
 * Stall the log streams of both ranks: at rank 0's "ready" the provider may not have opened rank
 * 1's stream yet (a loaded machine), so stall each stream as it appears, until there are two.
 */
async function stallBothLogStreams(c: { api: { stallLogStreams(): number } }): Promise<number> {
  let n = 0;
  for (let i = 0; i < 200 && n < 2; i++) {
    n += c.api.stallLogStreams();
    if (n < 2) await new Promise((r) => setTimeout(r, 20));
  }
  return n;
}

clusterTest(
  "kubernetes: a 2-rank point quiet for 45 s ends with its pods (watches ended by the server resume)",
  {},
  async (c) => {
    const r = await sweep(c, {
      workload: SLEEPY,
      params: { seconds: 45 },
      cores: [2],
      // not even monitor samples: rank 0's log is as quiet as the pods
      monitorInterval: 0,
      tuning: { watchTimeoutSeconds: 20 },
      limitSeconds: 150,
    });
    await assertOutcome(r, ["complete", 1, 0]);
    const o = r.run.observations[0];
    assert.ok((o.seconds ?? 0) >= 45, `the point was quiet for ${o.seconds} s`);
    // the server ended the watches twice or more; each resumed from its resourceVersion
    assert.ok(c.api.stats.watchTimeouts >= 2, `watch timeouts: ${c.api.stats.watchTimeouts}`);
    assert.deepEqual(c.api.stats.gone, 0);
    // one log stream per rank, not one request a second
    assert.ok(c.api.stats.logs <= 4, `log requests: ${c.api.stats.logs}`);
  },
);

clusterTest(
  "kubernetes: a log stream that goes silent is read again: a quiet rank's last word is kept",
  {},
  async (c) => {
    let stalled: Promise<number> = Promise.resolve(0);
    const r = await sweep(c, {
      workload: SLEEPY,
      params: { seconds: 4, late_crash: 1 },
      cores: [2],
      monitorInterval: 0,
      tuning: { logIdleMs: 1500 },
      onEvent: (e) => {
        if (e.type === "ready") stalled = stallBothLogStreams(c);
      },
    });
    assert.deepEqual(await stalled, 2);
    await assertOutcome(r, ["failed", 1, 1]);
    const log = r.logs["p01-c0002.rank1.log"] ?? "";
    assert.ok(log.includes("rank 1 dies after 4 s of silence"), log);
    // rank 0 says what it saw; the failed rank's own last word follows
    assert.equal(
      r.run.observations[0].error,
      "Rank 1 disconnected from the rendezvous\nrank 1: rank 1 dies after 4 s of silence",
    );
  },
);

clusterTest(
  "kubernetes: rank 0's records arrive through a log stream that went silent (--monitor-interval 0)",
  {},
  async (c) => {
    let stalled: Promise<number> = Promise.resolve(0);
    const r = await sweep(c, {
      workload: SLEEPY,
      params: { seconds: 1.5 },
      cores: [2],
      reps: 4,
      monitorInterval: 0,
      tuning: { logIdleMs: 1000 },
      onEvent: (e) => {
        if (e.type === "ready") stalled = stallBothLogStreams(c);
      },
    });
    assert.deepEqual(await stalled, 2);
    await assertOutcome(r, ["complete", 4, 0]);
    assert.deepEqual(r.run.observations.map((o) => o.rep), [0, 1, 2, 3]);
    assert.ok(c.api.stats.logs >= 4, "the stalled streams were read again");
  },
);
