/**
 * Reading a rank pod's status: its completion index, whether its container started or ended,
 * and why it failed or waits — in the words of Kubernetes (ErrImagePull, OOMKilled,
 * Unschedulable…).
 *
 * @module
 */
import type { KubeJson } from "./client.ts";

/** Label and annotation with a pod's completion index (Indexed Jobs). */
export const INDEX_KEY = "batch.kubernetes.io/job-completion-index";

/** Waiting reasons that retrying cannot cure: the rank failed. */
export const FATAL_WAITING: ReadonlySet<string> = new Set([
  "InvalidImageName",
  "ErrImageNeverPull",
]);

/**
 * Waiting reasons that Kubernetes keeps retrying, and that often go away by themselves (a registry
 * hiccup, a Secret that has not reached the node yet): a problem only when they last.
 */
export const RETRIED_WAITING: ReadonlySet<string> = new Set([
  "ErrImagePull",
  "ImagePullBackOff",
  "CreateContainerConfigError",
  "CreateContainerError",
  "RunContainerError",
  "CrashLoopBackOff",
]);

/** What a pod's status says. */
export interface PodView {
  name: string;
  /** Completion index (the rank), or null when not labelled */
  index: number | null;
  phase: string;
  node: string | null;
  /** The container is running or has run */
  started: boolean;
  /** The container has ended */
  terminated: boolean;
  exitCode: number | null;
  /** Why the rank failed, when it did */
  failure: string | null;
  /** Why the pod waits (Unschedulable, ContainerCreating…), when it does */
  waiting: string | null;
  /** A waiting reason Kubernetes retries (ErrImagePull…): fatal only when it lasts */
  problem: { reason: string; text: string } | null;
  /** The termination message (the log's end when the container failed) */
  message: string | null;
  deleting: boolean;
}

interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode?: number; signal?: number; reason?: string; message?: string };
}

interface PodShape {
  metadata?: {
    name?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
  };
  spec?: { nodeName?: string };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
    containerStatuses?: { name?: string; state?: ContainerState }[];
  };
}

function detail(reason: string, message?: string): string {
  const m = (message ?? "").trim().split("\n")[0];
  return m ? `${reason}: ${m}` : reason;
}

/** Read a pod. */
export function viewPod(pod: KubeJson, container = "rank"): PodView {
  const p = pod as PodShape;
  const meta = p.metadata ?? {};
  const indexText = meta.labels?.[INDEX_KEY] ?? meta.annotations?.[INDEX_KEY];
  const index = indexText !== undefined && /^\d+$/.test(indexText) ? Number(indexText) : null;
  const status = p.status ?? {};
  const phase = status.phase ?? "Pending";
  const cs = (status.containerStatuses ?? []).find((c) => c.name === container) ??
    status.containerStatuses?.[0];
  const state = cs?.state ?? {};
  const term = state.terminated;
  const rank = index === null ? `Pod ${meta.name}` : `Rank ${index}`;
  let failure: string | null = null, waiting: string | null = null;
  let problem: PodView["problem"] = null;
  if (term && (term.exitCode ?? 0) !== 0) {
    failure = term.reason === "OOMKilled"
      ? `${rank} was OOMKilled (exit code ${term.exitCode}): raise --mem-per-node`
      : `${rank} exited with code ${term.exitCode}`;
  } else if (phase === "Failed") {
    failure = detail(`${rank} failed: ${status.reason ?? "pod failed"}`, status.message);
  } else if (state.waiting?.reason && FATAL_WAITING.has(state.waiting.reason)) {
    failure = `${rank}: ${detail(state.waiting.reason, state.waiting.message)}`;
  }
  if (!failure && phase === "Pending") {
    const sched = (status.conditions ?? []).find((c) => c.type === "PodScheduled");
    if (sched?.status === "False") waiting = detail(sched.reason ?? "Unschedulable", sched.message);
    else if (state.waiting?.reason) waiting = detail(state.waiting.reason, state.waiting.message);
    if (state.waiting?.reason && RETRIED_WAITING.has(state.waiting.reason)) {
      problem = { reason: state.waiting.reason, text: `${rank}: ${waiting}` };
    }
  }
  return {
    name: meta.name ?? "",
    index,
    phase,
    node: p.spec?.nodeName ?? null,
    started: Boolean(state.running || term),
    terminated: Boolean(term) || phase === "Succeeded" || phase === "Failed",
    exitCode: term?.exitCode ?? null,
    failure,
    waiting,
    problem,
    message: term?.message?.trim() || null,
    deleting: Boolean(meta.deletionTimestamp),
  };
}

/** What the Events of a Job say. */
export interface JobEvents {
  /** Why the Job makes no pods (admission, quota): `FailedCreate: …`, the latest */
  problem: string | null;
  /** Why the Job failed as a whole (activeDeadlineSeconds…), when it did */
  failure: string | null;
}

interface EventShape {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  metadata?: { creationTimestamp?: string };
}

/** Job reasons that end it: the Job controller has stopped its pods. */
const JOB_FAILED = new Set(["DeadlineExceeded", "BackoffLimitExceeded"]);

/** Read the Events of a Job (its `involvedObject`). */
export function viewJobEvents(events: Iterable<KubeJson>): JobEvents {
  const when = (e: EventShape) =>
    e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? "";
  const warnings = [...events].map((e) => e as EventShape).filter((e) => e.type === "Warning")
    .sort((a, b) => when(a).localeCompare(when(b)));
  let problem: string | null = null, failure: string | null = null;
  for (const e of warnings) {
    if (e.reason === "FailedCreate") problem = detail("FailedCreate", e.message);
    if (e.reason && JOB_FAILED.has(e.reason)) failure ??= detail(`Job ${e.reason}`, e.message);
  }
  return { problem, failure };
}
