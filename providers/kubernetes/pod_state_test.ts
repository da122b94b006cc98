import assert from "node:assert/strict";
import type { Json } from "../../core/types.ts";
import { viewJobEvents, viewPod } from "./pod_state.ts";

const pod = (status: { [k: string]: Json }, extra: { [k: string]: Json } = {}) => ({
  metadata: {
    name: "job-1-abcde",
    labels: { "batch.kubernetes.io/job-completion-index": "1" },
    ...extra,
  },
  spec: { nodeName: "node-a" },
  status,
});

const state = (s: { [k: string]: Json }) => [{ name: "rank", state: s }];

Deno.test("viewPod() reads a running rank", () => {
  const v = viewPod(
    pod({ phase: "Running", containerStatuses: state({ running: { startedAt: "t" } }) }),
  );
  assert.deepEqual(
    [v.index, v.phase, v.node, v.started, v.terminated, v.failure, v.waiting],
    [1, "Running", "node-a", true, false, null, null],
  );
});

Deno.test("viewPod() reports exit codes and OOMKilled", () => {
  const exit = viewPod(pod({
    phase: "Failed",
    containerStatuses: state({ terminated: { exitCode: 3, reason: "Error", message: "boom\n" } }),
  }));
  assert.deepEqual([exit.failure, exit.exitCode, exit.message, exit.terminated], [
    "Rank 1 exited with code 3",
    3,
    "boom",
    true,
  ]);
  const oom = viewPod(pod({
    phase: "Failed",
    containerStatuses: state({ terminated: { exitCode: 137, reason: "OOMKilled" } }),
  }));
  assert.deepEqual(oom.failure, "Rank 1 was OOMKilled (exit code 137): raise --mem-per-node");
  const ok = viewPod(pod({
    phase: "Succeeded",
    containerStatuses: state({ terminated: { exitCode: 0, reason: "Completed" } }),
  }));
  assert.deepEqual([ok.failure, ok.exitCode, ok.terminated], [null, 0, true]);
});

Deno.test("viewPod() fails evictions and bad image names, and explains waiting pods", () => {
  const bad = viewPod(pod({
    phase: "Pending",
    containerStatuses: state({
      waiting: { reason: "InvalidImageName", message: 'couldn\'t parse image name "x:"' },
    }),
  }));
  assert.deepEqual([bad.failure, bad.started, bad.problem], [
    'Rank 1: InvalidImageName: couldn\'t parse image name "x:"',
    false,
    null,
  ]);
  const evicted = viewPod(pod({ phase: "Failed", reason: "Evicted", message: "low on memory" }));
  assert.deepEqual(evicted.failure, "Rank 1 failed: Evicted: low on memory");
  const unsched = viewPod(pod({
    phase: "Pending",
    conditions: [{
      type: "PodScheduled",
      status: "False",
      reason: "Unschedulable",
      message: "0/1 nodes are available: 1 Insufficient cpu.",
    }],
  }));
  assert.deepEqual([unsched.failure, unsched.waiting], [
    null,
    "Unschedulable: 0/1 nodes are available: 1 Insufficient cpu.",
  ]);
  const creating = viewPod(
    pod({
      phase: "Pending",
      containerStatuses: state({ waiting: { reason: "ContainerCreating" } }),
    }),
  );
  assert.deepEqual([creating.failure, creating.waiting], [null, "ContainerCreating"]);
});

Deno.test("viewPod() reads the index from the annotation and sees a pod being deleted", () => {
  const v = viewPod({
    metadata: {
      name: "p",
      annotations: { "batch.kubernetes.io/job-completion-index": "0" },
      deletionTimestamp: "2025-01-01T00:00:00Z",
    },
  });
  assert.deepEqual([v.index, v.phase, v.deleting, v.node], [0, "Pending", true, null]);
});

Deno.test("viewPod() sees what Kubernetes retries as a problem, not a failure", () => {
  for (
    const [reason, message] of [
      ["ErrImagePull", "rpc error: code = Unknown desc = 503 Service Unavailable"],
      ["ImagePullBackOff", 'Back-off pulling image "x"'],
      ["CreateContainerConfigError", 'secret "s" not found'],
    ]
  ) {
    const v = viewPod(pod({
      phase: "Pending",
      containerStatuses: state({ waiting: { reason, message } }),
    }));
    assert.deepEqual([v.failure, v.waiting, v.problem], [
      null,
      `${reason}: ${message}`,
      { reason, text: `Rank 1: ${reason}: ${message}` },
    ]);
  }
});

Deno.test("viewJobEvents() says why a Job makes no pods, and why it failed", () => {
  const event = (reason: string, message: string, lastTimestamp: string, type = "Warning") => ({
    type,
    reason,
    message,
    lastTimestamp,
    count: 1,
  });
  assert.deepEqual(viewJobEvents([]), { problem: null, failure: null });
  const refused = 'Error creating: pods "j-0-abcde" is forbidden: exceeded quota: q';
  assert.deepEqual(
    viewJobEvents([
      event("FailedCreate", "Error creating: older", "2026-01-01T00:00:01Z"),
      event("FailedCreate", refused, "2026-01-01T00:00:05Z"),
      event("SuccessfulCreate", "Created pod: j-1-xyzab", "2026-01-01T00:00:09Z", "Normal"),
    ]),
    { problem: `FailedCreate: ${refused}`, failure: null },
  );
  assert.deepEqual(
    viewJobEvents([
      event("DeadlineExceeded", "Job was active longer than specified deadline", "t"),
    ]),
    {
      problem: null,
      failure: "Job DeadlineExceeded: Job was active longer than specified deadline",
    },
  );
});
