/**
 * The Kubernetes provider: each batch runs as an Indexed `batch/v1` Job (one pod per rank, the
 * rank from JOB_COMPLETION_INDEX) beside a headless Service that gives rank 0 the name
 * `<job>-0.<service>`, and a Secret with the rendezvous token. Pods are watched (list + watch,
 * no polling), their logs followed into logs/, and failures reported with Kubernetes' reasons.
 * The Job, Service and Secret are deleted when the batch ends, fails or is cancelled.
 *
 * @module
 */
import { errorMessage, ValidationError } from "../../core/errors.ts";
import { RECORD_PREFIX } from "../../core/protocol.ts";
import { makeRankSpec } from "../spec.ts";
import type {
  Collected,
  Emitted,
  JobHandle,
  JobState,
  Provider,
  ProviderContext,
} from "../types.ts";
import type { Batch } from "../../core/types.ts";
import {
  connectKube,
  KubeApiError,
  type KubeClient,
  type KubeJson,
  type Resource,
} from "./client.ts";
import { followLog } from "./logs.ts";
import {
  type BatchManifests,
  buildManifests,
  CONTAINER,
  jobSelector,
  manifestsYaml,
  runSelector,
} from "./manifests.ts";
import { viewPod } from "./pod_state.ts";
import { KUBERNETES_SETTINGS, kubeSettings } from "./settings.ts";
import { PodTracker } from "./watch.ts";
import { lineQueue } from "../spec.ts";

interface RunState {
  client: Promise<KubeClient>;
  handles: Set<KubeHandle>;
  namespaces: Set<string>;
}

/** A submitted batch. */
export interface KubeHandle extends JobHandle {
  namespace: string;
  ranks: number;
  logsDir: string;
  client: KubeClient;
  tracker: PodTracker;
  queue: ReturnType<typeof lineQueue>;
  followers: Map<string, { index: number | null; done: Promise<void> }>;
  streams: Set<() => void>;
  succeeded: Set<number>;
  seen: Set<number>;
  exitCodes: (number | null)[];
  messages: Map<number, string>;
  failedRanks: Set<number>;
  nodes: Set<string>;
  failure: string | null;
  waiting: string | null;
  cancelled: string | null;
  closing: boolean;
  teardown: Promise<void> | null;
  log(message: string): void;
}

const runs = new Map<string, RunState>();
const RESOURCES: Resource[] = ["jobs", "services", "secrets"];

function runState(ctx: ProviderContext): RunState {
  let run = runs.get(ctx.runId);
  if (!run) {
    const s = kubeSettings(ctx.settings);
    run = {
      client: connectKube({ kubeconfig: s.kubeconfig, context: s.context }),
      handles: new Set(),
      namespaces: new Set(),
    };
    run.client.catch(() => runs.delete(ctx.runId));
    runs.set(ctx.runId, run);
  }
  return run;
}

function within<T>(p: Promise<T>, ms: number): Promise<T | void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]).finally(() =>
    clearTimeout(timer)
  );
}

/** The last lines of a rank's log that are not records, or "". */
async function logTail(path: string, lines = 15): Promise<string> {
  try {
    const text = await Deno.readTextFile(path);
    return text.split("\n").filter((l) => l.trim() && !l.includes(RECORD_PREFIX)).slice(-lines)
      .join("\n");
  } catch {
    return "";
  }
}

/** Re-read the pods after a change: failures, successes, reasons, log followers. */
function update(h: KubeHandle): void {
  const present = new Set<number>();
  let waiting: string | null = null;
  for (const pod of h.tracker.pods.values()) {
    const v = viewPod(pod, CONTAINER);
    if (v.node) h.nodes.add(v.node);
    if (v.index === null) continue;
    present.add(v.index);
    h.seen.add(v.index);
    if (v.exitCode !== null) h.exitCodes[v.index] = v.exitCode;
    if (v.message) h.messages.set(v.index, v.message);
    if (v.phase === "Succeeded") h.succeeded.add(v.index);
    // pods being deleted (by us, or by the Job controller after a failure) are no news
    if (v.failure && !v.deleting && !h.closing) {
      h.failedRanks.add(v.index);
      h.failure ??= v.failure;
    }
    if (v.waiting && !waiting) waiting = `${v.waiting}`;
    if (v.started && !h.followers.has(v.name)) follow(h, v.name, v.index);
  }
  h.waiting = waiting;
  if (!h.teardown && !h.failure) {
    for (const i of h.seen) {
      if (!present.has(i) && !h.succeeded.has(i)) {
        h.failure = `Rank ${i}'s pod was deleted outside scalebench`;
        h.failedRanks.add(i);
      }
    }
  }
  if (h.failure && !h.teardown) {
    h.log(`[${h.batch.id}] ${h.failure}: stopping job ${h.jobId}`);
    void teardown(h, { keepLogs: true });
  }
}

function follow(h: KubeHandle, pod: string, index: number): void {
  const done = followLog({
    client: h.client,
    namespace: h.namespace,
    pod,
    container: CONTAINER,
    file: `${h.logsDir}/${h.batch.id}.rank${index}.log`,
    onLine: index === 0 ? (line) => h.queue.push(line) : undefined,
    status: () => {
      const p = h.tracker.pods.get(pod);
      return { terminated: p ? viewPod(p, CONTAINER).terminated : true, gone: !p || h.closing };
    },
    changed: () => h.tracker.changed(),
    onStream: (stop) => {
      h.streams.add(stop);
      return () => h.streams.delete(stop);
    },
  }).catch((err) => h.log(`[${h.batch.id}] Log of pod ${pod} lost: ${errorMessage(err)}`));
  h.followers.set(pod, { index, done });
  // rank 0's output has ended once its log has
  if (index === 0) done.then(() => h.queue.end());
}

/** Delete the batch's objects and wait (briefly) for its pods to go; idempotent. */
function teardown(h: KubeHandle, options: { keepLogs: boolean }): Promise<void> {
  h.teardown ??= (async () => {
    if (options.keepLogs) {
      // keep the logs of the ranks that ended (the failed one's say why) before pods go
      const ended = [...h.followers].filter(([pod]) => {
        const p = h.tracker.pods.get(pod);
        return !p || viewPod(p, CONTAINER).terminated;
      });
      await within(Promise.all(ended.map(([, f]) => f.done)), 3000);
    }
    await deleteObjects(h.client, h.namespace, h.jobId, h.log);
    await h.tracker.until(() => h.tracker.pods.size === 0, 4000);
    h.closing = true;
    for (const stop of h.streams) stop();
    await within(Promise.all([...h.followers.values()].map((f) => f.done)), 1000);
    h.queue.end();
    await h.tracker.stop();
  })();
  return h.teardown;
}

async function deleteObjects(
  client: KubeClient,
  namespace: string,
  name: string,
  log: (m: string) => void,
): Promise<void> {
  await Promise.all(
    RESOURCES.map((r) => client.remove(r, namespace, name).catch((err) => log(errorMessage(err)))),
  );
}

/** Create an object; one left over by an earlier attempt of the same batch is replaced. */
async function createFresh(
  client: KubeClient,
  resource: Resource,
  m: BatchManifests,
): Promise<KubeJson> {
  const body = resource === "jobs" ? m.job : resource === "services" ? m.service : m.secret;
  try {
    return await client.create(resource, m.namespace, body);
  } catch (err) {
    if (!(err instanceof KubeApiError) || err.code !== 409) throw err;
    await client.remove(resource, m.namespace, m.name);
    return await client.create(resource, m.namespace, body);
  }
}

function manifestsFor(batch: Batch, ctx: ProviderContext, namespace: string, token?: string) {
  const settings = kubeSettings(ctx.settings);
  const spec = makeRankSpec(batch, ctx, { host: "", port: 0 });
  return buildManifests(batch, { runId: ctx.runId, settings, namespace, spec, token });
}

async function namespaceOf(ctx: ProviderContext): Promise<string> {
  const s = kubeSettings(ctx.settings);
  return s.namespace ?? (await runState(ctx).client).namespace;
}

/** The Kubernetes provider. */
export const kubernetesProvider: Provider<KubeHandle> = {
  name: "kubernetes",
  summary: "Indexed Jobs on a Kubernetes cluster (one pod per rank)",
  settings: KUBERNETES_SETTINGS,

  async validate(ctx) {
    const s = kubeSettings(ctx.settings);
    const client = await runState(ctx).client;
    const namespace = s.namespace ?? client.namespace;
    runState(ctx).namespaces.add(namespace);
    try {
      await client.list("pods", namespace, runSelector(ctx.runId));
    } catch (err) {
      const e = err as KubeApiError;
      if (e.code === 401 || e.code === 403) {
        throw new ValidationError(`${e.message} (check --kubeconfig and --k8s-namespace)`);
      }
      if (e.code === 0) {
        throw new ValidationError(
          `Kubernetes API server ${client.server} unreachable: ${e.message}`,
        );
      }
      throw err;
    }
    if (ctx.plan.workload_ref.startsWith("file://")) {
      ctx.log(
        `Workload file ${
          new URL(ctx.plan.workload_ref).pathname
        } must exist at the same path in image ${s.image} (scalebench image --workload FILE)`,
      );
    }
  },

  emit(batch, ctx): Promise<Emitted> {
    const s = kubeSettings(ctx.settings);
    // a dry run reads no kubeconfig: without --k8s-namespace it shows `default`
    const connected = runs.get(ctx.runId);
    const ns = s.namespace ??
      (connected ? connected.client.then((c) => c.namespace) : Promise.resolve("default"));
    return Promise.resolve(ns).then(async (namespace) => {
      const m = manifestsFor(batch, ctx, namespace);
      const p = batch.point;
      const yaml = await manifestsYaml(
        m,
        `scalebench batch ${batch.id}: ${p.ranks} rank(s) × ${p.threads} thread(s), ${p.nodes} node(s)`,
      );
      return {
        files: { [`${batch.id}.yaml`]: yaml },
        dryRun: { namespace, job: m.name, yaml, manifests: [m.secret, m.service, m.job] },
      };
    });
  },

  async submit(batch, _emitted, ctx) {
    const run = runState(ctx);
    const client = await run.client;
    const namespace = await namespaceOf(ctx);
    const m = manifestsFor(batch, ctx, namespace, ctx.token);
    run.namespaces.add(namespace);
    const log = (msg: string) => ctx.log(msg);
    const created: Resource[] = [];
    let uid = "";
    try {
      for (const r of ["secrets", "services", "jobs"] as Resource[]) {
        const obj = await createFresh(client, r, m);
        created.push(r);
        uid = String((obj.metadata as { uid?: string } | undefined)?.uid ?? "");
      }
    } catch (err) {
      await Promise.all(created.map((r) => client.remove(r, namespace, m.name).catch(() => {})));
      throw err;
    }
    if (ctx.verbose) log(`[${batch.id}] Created Job ${m.name} in namespace ${namespace}`);
    const h: KubeHandle = {
      batch,
      jobId: m.name,
      namespace,
      ranks: batch.point.ranks,
      logsDir: ctx.logsDir,
      client,
      tracker: null as unknown as PodTracker,
      queue: lineQueue(),
      followers: new Map(),
      streams: new Set(),
      succeeded: new Set(),
      seen: new Set(),
      exitCodes: Array.from({ length: batch.point.ranks }, () => null),
      messages: new Map(),
      failedRanks: new Set(),
      nodes: new Set(),
      failure: null,
      waiting: null,
      cancelled: null,
      closing: false,
      teardown: null,
      log: (msg) => ctx.verbose && log(msg),
    };
    h.tracker = new PodTracker({
      client,
      namespace,
      // this Job's pods only, not those of a replaced earlier attempt
      selector: uid ? `controller-uid=${uid}` : jobSelector(m.name),
      onChange: () => update(h),
      log: h.log,
    });
    run.handles.add(h);
    try {
      await h.tracker.start();
    } catch (err) {
      await teardown(h, { keepLogs: false });
      throw err;
    }
    return h;
  },

  poll(h): Promise<JobState> {
    const nodes = [...h.nodes].sort();
    let state: JobState;
    if (h.cancelled) state = { state: "cancelled", reason: h.cancelled };
    else if (h.failure) state = { state: "failed", reason: h.failure };
    else if (h.succeeded.size >= h.ranks) state = { state: "succeeded" };
    else if ([...h.tracker.pods.values()].some((p) => viewPod(p).started)) {
      state = { state: "running" };
    } else state = { state: "pending", ...(h.waiting ? { reason: h.waiting } : {}) };
    return Promise.resolve(nodes.length ? { ...state, nodes } : state);
  },

  lines(h) {
    return h.queue;
  },

  async collect(h): Promise<Collected> {
    await within(Promise.all([...h.followers.values()].map((f) => f.done)), 5000);
    await teardown(h, { keepLogs: false });
    const tails: string[] = [];
    for (const i of [...h.failedRanks].sort((a, b) => a - b)) {
      const tail = await logTail(`${h.logsDir}/${h.batch.id}.rank${i}.log`) ||
        (h.messages.get(i) ?? "").split("\n").slice(-15).join("\n");
      if (tail) tails.push(`rank ${i}: ${tail}`);
    }
    return {
      stderrTail: tails.join("\n") || undefined,
      nodes: [...h.nodes].sort(),
      exitCodes: h.exitCodes,
    };
  },

  async cancel(h, reason) {
    // a job that ended already keeps its state
    if (!h.failure && h.succeeded.size < h.ranks) h.cancelled ??= reason;
    await teardown(h, { keepLogs: false });
  },

  async cleanup(ctx) {
    const run = runs.get(ctx.runId);
    if (!run) return;
    runs.delete(ctx.runId);
    await Promise.all([...run.handles].map((h) => this.cancel(h, "Cleanup")));
    const client = await run.client;
    const selector = runSelector(ctx.runId);
    try {
      for (const ns of run.namespaces) {
        // pods too: orphans of a Job someone deleted without propagation
        await Promise.all(
          [...RESOURCES, "pods" as const].map((r) => client.removeAll(r, ns, selector)),
        );
      }
    } catch (err) {
      ctx.log(`Cleanup of run ${ctx.runId}: ${errorMessage(err)}`);
    } finally {
      await client.close();
    }
  },
};
