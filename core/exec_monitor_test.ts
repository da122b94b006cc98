import assert from "node:assert/strict";
import { TreeMonitor, type TreeSample, treeUsage } from "./exec_monitor.ts";

Deno.test("treeUsage() counts a child's memory and CPU with the parent's", async () => {
  const before = treeUsage(Deno.pid)!;
  const child = new Deno.Command("/bin/sh", {
    args: ["-c", "i=0; while [ $i -lt 1000000 ]; do i=$((i+1)); done; sleep 60"],
    stdout: "null",
  }).spawn();
  try {
    // the child's CPU stays counted once it sleeps: wait until its busy loop is done
    let during = treeUsage(Deno.pid)!;
    for (let i = 0; i < 100 && during.cpuSeconds - before.cpuSeconds < 0.2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      during = treeUsage(Deno.pid)!;
    }
    assert.ok(during.cpuSeconds - before.cpuSeconds >= 0.2, "the child's CPU time is counted");
    const own = Number(/VmRSS:\s+(\d+)/.exec(Deno.readTextFileSync("/proc/self/status"))![1]) *
      1024;
    assert.ok(during.rssBytes > own, "the child's memory is added to this process's");
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
  // reaped: its CPU time moved into this process's cutime, so the total does not fall back
  assert.ok(treeUsage(Deno.pid)!.cpuSeconds >= before.cpuSeconds + 0.2);
});

Deno.test("TreeMonitor samples at phase changes, tagging each with the phase that ends", () => {
  const samples: TreeSample[] = [];
  const m = new TreeMonitor(Deno.pid, (s) => samples.push(s));
  m.start(0);
  m.phase("op:exec");
  m.phase("idle");
  m.stop();
  assert.deepEqual(samples.map((s) => s.phase), ["start", "start", "op:exec"]);
  assert.equal(samples[0].cpu_percent, null);
  assert.ok(samples.every((s) => s.rss_bytes > 0));
});
