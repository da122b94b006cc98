/**
 * One submitted batch on Kubernetes: its Secret, Service and Indexed Job, the live view of its pods
 * and of the Job's Events (watched, never polled), a log follower per started pod, and what they
 * mean — running, succeeded, failed with Kubernetes' reason, or pending and why. Problems that
 * Kubernetes keeps retrying (an image pull, a Secret not yet on the node, pods refused at
 * admission or by a quota) fail the batch only when they last; a batch whose pods have not all
 * started within its start timeout fails with the reason they wait.
 *
 * @module
 */
import { errorMessage } from "../../core/errors.ts";
import { RECORD_PREFIX } from "../../core/protocol.ts";
import type { Batch } from "../../core/types.ts";
import type { Collected, JobState } from "../../core/provider.ts";
import { type LineQueue, lineQueue } from "../../core/provider_util.ts";
import { KubeApiError, type KubeClient, type KubeJson, type Resource } from "./client.ts";
import { followLog } from "./logs.ts";
import { type BatchManifests, CONTAINER, LABELS, ownedBy } from "./manifests.ts";
import { viewJobEvents, viewPod } from "./pod_state.ts";
import { Tracker } from "./watch.ts";

/** Knobs with defaults for real clusters; tests make them short. */
export interface KubeTuning {
  /** `timeoutSeconds` of each watch (default: 50 to 70 s) */
  watchTimeoutSeconds?: number;
  /** A watch that brought nothing for this long is given up (default: its timeout + 30 s) */
  watchIdleSeconds?: number;
  /** A log stream quiet for this long is read again (default 120 000 ms) */
  logIdleMs?: number;
  /** A log stream still open this long after its container ended is read again (3000 ms) */
  logEndGraceMs?: number;
  /** A problem Kubernetes retries fails the batch once it lasted this long (default 120 000 ms) */
  problemGraceMs?: number;
  /** How long a teardown waits for the pods to be gone (default 15 000 ms) */
  podsGoneMs?: number;
}

/** What {@linkcode KubeBatch.submit} needs. */
export interface KubeBatchOptions {
  client: KubeClient;
  manifests: BatchManifests;
  logsDir: string;
  /** Seconds the pods may take to start, 0: no bound */
  startTimeout: number;
  /** The flag named when the start timeout hits */
  startTimeoutFlag: string;
  tuning: KubeTuning;
  /** A line for the user (verbose) */
  log(message: string): void;
}

const RESOURCES: Resource[] = ["jobs", "services", "secrets"];

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

/** Delete a batch's Job, Service and Secret (the pods go with the Job). */
export async function deleteObjects(
  client: KubeClient,
  m: { namespace: string; name: string },
  log: (m: string) => void,
): Promise<void> {
  await Promise.all(
    RESOURCES.map((r) =>
      client.remove(r, m.namespace, m.name).catch((err) => log(errorMessage(err)))
    ),
  );
}

/** A submitted batch (the provider's job handle). */
export class KubeBatch {
  readonly batch: Batch;
  readonly jobId: string;
  readonly namespace: string;
  readonly queue: LineQueue = lineQueue();
  readonly pods: Tracker;
  readonly events: Tracker;
  readonly #o: KubeBatchOptions;
  readonly #ranks: number;
  readonly #submitted = Date.now();
  readonly #followers = new Map<string, { index: number; done: Promise<void> }>();
  readonly #streams = new Set<() => void>();
  readonly #succeeded = new Set<number>();
  readonly #started = new Set<number>();
  readonly #seen = new Set<number>();
  readonly #exitCodes: (number | null)[];
  readonly #messages = new Map<number, string>();
  readonly #failedRanks = new Set<number>();
  readonly #nodes = new Set<string>();
  /** Problems Kubernetes retries, by pod (or "" for the Job's Events): since when, and what */
  readonly #problems = new Map<string, { since: number; reason: string; text: string }>();
  #eventsLive = false;
  #failure: string | null = null;
  #waiting: string | null = null;
  #cancelled: string | null = null;
  #closing = false;
  #teardown: Promise<void> | null = null;

  private constructor(batch: Batch, uid: string, options: KubeBatchOptions) {
    const m = options.manifests;
    this.batch = batch;
    this.jobId = m.name;
    this.namespace = m.namespace;
    this.#o = options;
    this.#ranks = batch.point.ranks;
    this.#exitCodes = Array.from({ length: this.#ranks }, () => null);
    const common = {
      client: options.client,
      namespace: m.namespace,
      onChange: () => this.#update(),
      log: options.log,
      timeoutSeconds: options.tuning.watchTimeoutSeconds,
      idleSeconds: options.tuning.watchIdleSeconds,
    };
    // this submission's pods only, not those of a replaced earlier attempt
    this.pods = new Tracker({
      ...common,
      resource: "pods",
      selector: { labels: `${LABELS.job}=${m.name},${LABELS.attempt}=${m.attempt}` },
    });
    this.events = new Tracker({
      ...common,
      resource: "events",
      selector: { fields: `involvedObject.uid=${uid}` },
    });
  }

  /** Create the batch's objects and start watching them. */
  static async submit(batch: Batch, options: KubeBatchOptions): Promise<KubeBatch> {
    const { client, manifests: m } = options;
    const created: Resource[] = [];
    let uid = "";
    try {
      for (const r of ["secrets", "services", "jobs"] as Resource[]) {
        const obj = await createFresh(client, r, m);
        created.push(r);
        uid = String((obj.metadata as { uid?: string } | undefined)?.uid ?? "");
      }
    } catch (err) {
      await Promise.all(created.map((r) => client.remove(r, m.namespace, m.name).catch(() => {})));
      throw err;
    }
    // the Job owns the Secret and the Service: its ttlSecondsAfterFinished takes them too
    await Promise.all(
      (["secrets", "services"] as const).map((r) =>
        client.patch(r, m.namespace, m.name, ownedBy({ name: m.name, uid })).catch((err) =>
          options.log(`[${batch.id}] ${errorMessage(err)}`)
        )
      ),
    );
    const b = new KubeBatch(batch, uid, options);
    try {
      await b.pods.start();
    } catch (err) {
      await b.#tear({ keepLogs: false });
      throw err;
    }
    try {
      await b.events.start();
      b.#eventsLive = true;
    } catch (err) {
      // without Events, refusals at admission show only as a start timeout
      options.log(`[${batch.id}] Job events unavailable: ${errorMessage(err)}`);
    }
    return b;
  }

  /** The state now, as the sweep driver polls it. */
  state(): JobState {
    this.#checkClocks();
    const nodes = [...this.#nodes].sort();
    let state: JobState;
    if (this.#cancelled) state = { state: "cancelled", reason: this.#cancelled };
    else if (this.#failure) state = { state: "failed", reason: this.#failure };
    else if (this.#succeeded.size >= this.#ranks) state = { state: "succeeded" };
    else if (this.#started.size > 0) state = { state: "running" };
    else state = { state: "pending", ...(this.#waiting ? { reason: this.#waiting } : {}) };
    return nodes.length ? { ...state, nodes } : state;
  }

  /** Wait for the log followers (briefly), delete everything, and say what failed. */
  async collect(): Promise<Collected & { exitCodes: (number | null)[] }> {
    await within(Promise.all([...this.#followers.values()].map((f) => f.done)), 5000);
    await this.#tear({ keepLogs: false });
    const tails: string[] = [];
    for (const i of [...this.#failedRanks].sort((a, b) => a - b)) {
      const tail = await logTail(this.#logFile(i)) ||
        (this.#messages.get(i) ?? "").split("\n").slice(-15).join("\n");
      if (tail) tails.push(`rank ${i}: ${tail}`);
    }
    return {
      stderrTail: tails.join("\n") || undefined,
      nodes: [...this.#nodes].sort(),
      exitCodes: this.#exitCodes,
    };
  }

  /** Stop the batch; one that ended already keeps its state. */
  async cancel(reason: string): Promise<void> {
    if (!this.#failure && this.#succeeded.size < this.#ranks) this.#cancelled ??= reason;
    await this.#tear({ keepLogs: false });
  }

  #logFile(index: number): string {
    return `${this.#o.logsDir}/${this.batch.id}.rank${index}.log`;
  }

  #fail(reason: string, ranks: number[] = []): void {
    if (this.#failure || this.#teardown || this.#closing) return;
    this.#failure = reason;
    for (const r of ranks) this.#failedRanks.add(r);
    this.#o.log(`[${this.batch.id}] ${reason}: stopping job ${this.jobId}`);
    void this.#tear({ keepLogs: true });
  }

  /** Problems that lasted, and pods that did not start in time, fail the batch. */
  #checkClocks(): void {
    if (this.#failure || this.#teardown) return;
    const now = Date.now(), grace = this.#o.tuning.problemGraceMs ?? 120_000;
    for (const p of this.#problems.values()) {
      if (now - p.since >= grace) {
        return this.#fail(`${p.text} (for ${Math.round((now - p.since) / 1000)} s)`);
      }
    }
    const limit = this.#o.startTimeout;
    if (limit > 0 && this.#started.size < this.#ranks && now - this.#submitted > limit * 1000) {
      const why = this.#waiting ? `: ${this.#waiting}` : "";
      this.#fail(
        `${
          this.#ranks - this.#started.size
        } pod(s) did not start within ${limit} s (${this.#o.startTimeoutFlag})${why}`,
      );
    }
  }

  /** Re-read the pods and Events after a change: failures, successes, reasons, followers. */
  #update(): void {
    const present = new Set<number>();
    let waiting: string | null = null;
    const problems = new Map<string, { reason: string; text: string }>();
    for (const pod of this.pods.objects.values()) {
      const v = viewPod(pod, CONTAINER);
      if (v.node) this.#nodes.add(v.node);
      if (v.index === null) continue;
      present.add(v.index);
      this.#seen.add(v.index);
      if (v.started) this.#started.add(v.index);
      if (v.exitCode !== null) this.#exitCodes[v.index] = v.exitCode;
      if (v.message) this.#messages.set(v.index, v.message);
      if (v.phase === "Succeeded") this.#succeeded.add(v.index);
      // pods being deleted (by us, or by the Job controller after a failure) are no news
      if (v.failure && !v.deleting && !this.#closing) this.#fail(v.failure, [v.index]);
      if (v.problem && !v.deleting) problems.set(v.name, v.problem);
      if (v.waiting && !waiting) waiting = v.waiting;
      if (v.started && !this.#followers.has(v.name)) this.#follow(v.name, v.index);
    }
    const events = viewJobEvents(this.events.objects.values());
    if (events.failure) this.#fail(events.failure);
    // pods refused (admission, quota): the Job controller retries; say why meanwhile
    if (events.problem && present.size < this.#ranks) {
      problems.set("", { reason: "FailedCreate", text: events.problem });
      waiting ??= events.problem;
    }
    for (const key of [...this.#problems.keys()]) {
      if (!problems.has(key)) this.#problems.delete(key);
    }
    for (const [key, now] of problems) {
      const p = this.#problems.get(key);
      if (!p) this.#problems.set(key, { since: Date.now(), ...now });
      // the back-off says less than the pull error it follows
      else if (now.reason !== "ImagePullBackOff") Object.assign(p, now);
    }
    this.#waiting = waiting;
    if (!this.#teardown) {
      for (const i of this.#seen) {
        if (!present.has(i) && !this.#succeeded.has(i)) {
          this.#fail(`Rank ${i}'s pod was deleted outside scalebench`, [i]);
        }
      }
    }
    this.#checkClocks();
  }

  #follow(pod: string, index: number): void {
    const done = followLog({
      client: this.#o.client,
      namespace: this.namespace,
      pod,
      container: CONTAINER,
      file: this.#logFile(index),
      onLine: index === 0 ? (line) => this.queue.push(line) : undefined,
      status: () => {
        const p = this.pods.objects.get(pod);
        return {
          terminated: p ? viewPod(p, CONTAINER).terminated : true,
          gone: !p || this.#closing,
        };
      },
      changed: () => this.pods.changed(),
      onStream: (stop) => {
        this.#streams.add(stop);
        return () => this.#streams.delete(stop);
      },
      idleMs: this.#o.tuning.logIdleMs,
      endGraceMs: this.#o.tuning.logEndGraceMs,
    }).catch((err) =>
      this.#o.log(`[${this.batch.id}] Log of pod ${pod} lost: ${errorMessage(err)}`)
    );
    this.#followers.set(pod, { index, done });
    // rank 0's output has ended once its log has
    if (index === 0) done.then(() => this.queue.end());
  }

  /** Delete the batch's objects and wait for its pods to go; idempotent. */
  #tear(options: { keepLogs: boolean }): Promise<void> {
    this.#teardown ??= (async () => {
      if (options.keepLogs) {
        // keep the logs of the ranks that ended (the failed one's say why) before pods go
        const ended = [...this.#followers].filter(([pod]) => {
          const p = this.pods.objects.get(pod);
          return !p || viewPod(p, CONTAINER).terminated;
        });
        await within(Promise.all(ended.map(([, f]) => f.done)), 3000);
      }
      const { client, manifests } = this.#o;
      await deleteObjects(client, manifests, this.#o.log);
      // gone, not terminating: their processes have stopped, and a quota counts them no more
      await this.pods.until(
        () => this.pods.objects.size === 0,
        this.#o.tuning.podsGoneMs ?? 15_000,
      );
      this.#closing = true;
      for (const stop of this.#streams) stop();
      await within(Promise.all([...this.#followers.values()].map((f) => f.done)), 1000);
      this.queue.end();
      await Promise.all([this.pods.stop(), this.#eventsLive ? this.events.stop() : null]);
    })();
    return this.#teardown;
  }
}
