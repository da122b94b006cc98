import { assertEquals } from "../../core/_assert.ts";
import type { Json } from "../../core/types.ts";
import { viewPod } from "./pod_state.ts";

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
  assertEquals(
    [v.index, v.phase, v.node, v.started, v.terminated, v.failure, v.waiting],
    [1, "Running", "node-a", true, false, null, null],
  );
});

Deno.test("viewPod() reports exit codes and OOMKilled", () => {
  const exit = viewPod(pod({
    phase: "Failed",
    containerStatuses: state({ terminated: { exitCode: 3, reason: "Error", message: "boom\n" } }),
  }));
  assertEquals([exit.failure, exit.exitCode, exit.message, exit.terminated], [
    "Rank 1 exited with code 3",
    3,
    "boom",
    true,
  ]);
  const oom = viewPod(pod({
    phase: "Failed",
    containerStatuses: state({ terminated: { exitCode: 137, reason: "OOMKilled" } }),
  }));
  assertEquals(oom.failure, "Rank 1 was OOMKilled (exit code 137): raise --mem-per-node");
  const ok = viewPod(pod({
    phase: "Succeeded",
    containerStatuses: state({ terminated: { exitCode: 0, reason: "Completed" } }),
  }));
  assertEquals([ok.failure, ok.exitCode, ok.terminated], [null, 0, true]);
});

Deno.test("viewPod() fails image pull errors and evictions, and explains waiting pods", () => {
  const pull = viewPod(pod({
    phase: "Pending",
    containerStatuses: state({
      waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "x"' },
    }),
  }));
  assertEquals([pull.failure, pull.started], [
    'Rank 1: ImagePullBackOff: Back-off pulling image "x"',
    false,
  ]);
  const evicted = viewPod(pod({ phase: "Failed", reason: "Evicted", message: "low on memory" }));
  assertEquals(evicted.failure, "Rank 1 failed: Evicted: low on memory");
  const unsched = viewPod(pod({
    phase: "Pending",
    conditions: [{
      type: "PodScheduled",
      status: "False",
      reason: "Unschedulable",
      message: "0/1 nodes are available: 1 Insufficient cpu.",
    }],
  }));
  assertEquals([unsched.failure, unsched.waiting], [
    null,
    "Unschedulable: 0/1 nodes are available: 1 Insufficient cpu.",
  ]);
  const creating = viewPod(
    pod({
      phase: "Pending",
      containerStatuses: state({ waiting: { reason: "ContainerCreating" } }),
    }),
  );
  assertEquals([creating.failure, creating.waiting], [null, "ContainerCreating"]);
});

Deno.test("viewPod() reads the index from the annotation and sees a pod being deleted", () => {
  const v = viewPod({
    metadata: {
      name: "p",
      annotations: { "batch.kubernetes.io/job-completion-index": "0" },
      deletionTimestamp: "2025-01-01T00:00:00Z",
    },
  });
  assertEquals([v.index, v.phase, v.deleting, v.node], [0, "Pending", true, null]);
});
