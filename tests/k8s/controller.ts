/**
 * The fake cluster's control plane: the Job controller creates the indexed pods of a Job
 * (`<job>-<i>-<suffix>`, with Kubernetes' labels and hostname/subdomain) through admission — a
 * refused pod becomes a `FailedCreate` Warning Event on the Job and is retried with back-off — and
 * tracks the Job's outcome (backoffLimit, activeDeadlineSeconds, Complete/Failed, with Events);
 * the scheduler binds pods to fake nodes (scheduler.ts) or marks them Unschedulable; the
 * garbage collector deletes the dependents of a deleted object (its `ownerReferences`), and the
 * TTL controller deletes finished Jobs after `ttlSecondsAfterFinished`. The kubelet (kubelet.ts)
 * runs the pods.
 *
 * @module
 */
import type { FakeKubelet } from "./kubelet.ts";
import { type FakeNode, schedule } from "./scheduler.ts";
import type { KObj, Store, StoreEvent } from "./store.ts";

/** What the control plane needs. */
export interface ControllerOptions {
  nodes: FakeNode[];
  kubelet: FakeKubelet;
  /** Admission of a new pod in a namespace: throws the API server's StatusError when refused */
  admit(ns: string, pod: KObj): void;
}

const INDEX = "batch.kubernetes.io/job-completion-index";

/** The simulation. */
export class FakeController {
  readonly #store: Store;
  readonly #o: ControllerOptions;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  /** Pod-creation back-off by Job uid */
  readonly #backoff = new Map<string, number>();
  #closed = false;
  readonly #listener = (e: StoreEvent) => this.#onEvent(e);

  constructor(store: Store, options: ControllerOptions) {
    this.#store = store;
    this.#o = options;
    store.listeners.add(this.#listener);
  }

  /** Called by the API server for each DELETE: graceful pods, garbage collection. */
  onDelete(resource: string, obj: KObj, propagation: string): void {
    const ns = obj.metadata.namespace!;
    if (resource === "pods") return this.#o.kubelet.deletePod(ns, obj.metadata.name);
    this.#store.remove(resource, ns, obj.metadata.name);
    this.#collect(ns, obj.metadata.uid!, propagation);
  }

  /** Stop (cancel timers). */
  close(): void {
    this.#closed = true;
    this.#store.listeners.delete(this.#listener);
    for (const t of this.#timers) clearTimeout(t);
  }

  #timer(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (!this.#closed) fn();
    }, ms);
    this.#timers.add(t);
  }

  /** The garbage collector: the dependents of a deleted owner go too, or are orphaned. */
  #collect(ns: string, uid: string, propagation: string): void {
    for (const resource of ["pods", "secrets", "services", "events"]) {
      for (const o of this.#store.list(resource, ns)) {
        const refs = o.metadata.ownerReferences ?? [];
        if (!refs.some((r) => r.uid === uid)) continue;
        if (propagation === "Orphan") {
          this.#store.update(resource, ns, o.metadata.name, (p) => {
            p.metadata.ownerReferences = refs.filter((r) => r.uid !== uid);
          });
        } else {
          this.#timer(() => this.onDelete(resource, o, "Background"), 10);
        }
      }
    }
  }

  #onEvent(e: StoreEvent): void {
    if (this.#closed) return;
    if (e.resource === "jobs" && e.type === "ADDED") {
      this.#timer(() => this.#syncPods(e.namespace, e.object.metadata.name), 5);
      const deadline = e.object.spec.activeDeadlineSeconds;
      if (deadline) {
        this.#timer(() => this.#deadline(e.namespace, e.object), deadline * 1000);
      }
    }
    if (e.resource === "pods") {
      const owner = e.object.metadata.ownerReferences?.[0];
      if (owner) this.#timer(() => this.#syncJob(e.namespace, owner.name, owner.uid), 5);
      // freed resources may let waiting pods in
      if (e.type === "DELETED" || e.object.status?.phase !== "Pending" || e.type === "ADDED") {
        this.#timer(() => this.#schedule(), 5);
      }
    }
  }

  /** Record an Event about an object, or count one more of the same. */
  event(
    ns: string,
    obj: KObj,
    e: { type: "Normal" | "Warning"; reason: string; message: string },
  ): void {
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const same = this.#store.list("events", ns, null, `involvedObject.uid=${obj.metadata.uid}`)
      .find((x) => x.reason === e.reason && x.message === e.message);
    if (same) {
      this.#store.update("events", ns, same.metadata.name, (x) => {
        x.count = (x.count ?? 1) + 1;
        x.lastTimestamp = now;
      });
      return;
    }
    this.#store.create("events", ns, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `${obj.metadata.name}.${crypto.randomUUID().slice(0, 16)}` },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: ns,
        uid: obj.metadata.uid,
      },
      ...e,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: "job-controller" },
    });
  }

  /** Create the Job's missing pods, through admission; refused ones are retried. */
  #syncPods(ns: string, name: string): void {
    const job = this.#store.get("jobs", ns, name);
    if (!job || job.status?.conditions?.length) return;
    const uid = job.metadata.uid!;
    const have = new Set(
      this.#store.list("pods", ns, `controller-uid=${uid}`).map((p) => p.metadata.labels![INDEX]),
    );
    const tpl = job.spec.template;
    let refused = false;
    for (let i = 0; i < job.spec.completions; i++) {
      if (have.has(String(i))) continue;
      const suffix = Math.random().toString(36).slice(2, 7).padEnd(5, "x");
      const hostname = `${name}-${i}`;
      const pod: KObj = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          name: `${hostname}-${suffix}`,
          labels: {
            ...tpl.metadata?.labels,
            "job-name": name,
            "batch.kubernetes.io/job-name": name,
            "controller-uid": uid,
            "batch.kubernetes.io/controller-uid": uid,
            [INDEX]: String(i),
          },
          annotations: { [INDEX]: String(i) },
          ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name, uid }],
        },
        spec: { ...structuredClone(tpl.spec), hostname },
        status: { phase: "Pending" },
      };
      try {
        this.#o.admit(ns, pod);
      } catch (err) {
        refused = true;
        this.event(ns, job, {
          type: "Warning",
          reason: "FailedCreate",
          message: `Error creating: ${(err as Error).message}`,
        });
        continue;
      }
      this.#store.create("pods", ns, pod);
    }
    if (refused) {
      const wait = Math.min(4000, this.#backoff.get(uid) ?? 500);
      this.#backoff.set(uid, wait * 2);
      this.#timer(() => this.#syncPods(ns, name), wait);
    }
  }

  #schedule(): void {
    const all = this.#store.list("pods", null);
    for (const p of all) {
      if (p.spec.nodeName || p.metadata.deletionTimestamp || p.status?.phase !== "Pending") {
        continue;
      }
      const ns = p.metadata.namespace!;
      const where = schedule(p, this.#o.nodes, all);
      if ("unschedulable" in where) {
        if (p.status?.conditions?.[0]?.message === where.unschedulable) continue;
        this.#store.update("pods", ns, p.metadata.name, (o) => {
          o.status.conditions = [{
            type: "PodScheduled",
            status: "False",
            reason: "Unschedulable",
            message: where.unschedulable,
            lastTransitionTime: new Date().toISOString(),
          }];
        });
        continue;
      }
      const bound = this.#store.update("pods", ns, p.metadata.name, (o) => {
        o.spec.nodeName = where.node;
        o.status.conditions = [{ type: "PodScheduled", status: "True" }];
        o.status.containerStatuses = [{
          name: o.spec.containers[0].name,
          ready: false,
          restartCount: 0,
          image: o.spec.containers[0].image,
          state: { waiting: { reason: "ContainerCreating" } },
        }];
      });
      // the next pods see this one where it is
      if (bound) all.splice(all.indexOf(p), 1, bound);
    }
  }

  #finish(ns: string, job: KObj, condition: Record<string, string>): void {
    const now = new Date().toISOString();
    const pods = this.#store.list("pods", ns, `controller-uid=${job.metadata.uid}`);
    const count = (phase: string) => pods.filter((p) => p.status?.phase === phase).length;
    this.#store.update("jobs", ns, job.metadata.name, (o) => {
      o.status = {
        ...o.status,
        active: pods.length - count("Succeeded") - count("Failed"),
        succeeded: count("Succeeded"),
        failed: count("Failed"),
        conditions: [{ ...condition, status: "True", lastTransitionTime: now }],
        ...(condition.type === "Complete" ? { completionTime: now } : {}),
      };
    });
    if (condition.type === "Failed") {
      this.event(ns, job, {
        type: "Warning",
        reason: condition.reason,
        message: condition.message,
      });
      for (const p of pods) {
        if (!["Succeeded", "Failed"].includes(p.status?.phase)) {
          this.#o.kubelet.deletePod(ns, p.metadata.name);
        }
      }
    }
    const ttl = job.spec.ttlSecondsAfterFinished;
    if (ttl !== undefined && ttl !== null) {
      this.#timer(() => {
        const j = this.#store.get("jobs", ns, job.metadata.name);
        if (j && j.metadata.uid === job.metadata.uid) this.onDelete("jobs", j, "Background");
      }, ttl * 1000);
    }
  }

  #deadline(ns: string, created: KObj): void {
    const job = this.#store.get("jobs", ns, created.metadata.name);
    if (!job || job.metadata.uid !== created.metadata.uid || job.status?.conditions?.length) return;
    this.#finish(ns, job, {
      type: "Failed",
      reason: "DeadlineExceeded",
      message: "Job was active longer than specified deadline",
    });
  }

  #syncJob(ns: string, name: string, uid: string): void {
    const job = this.#store.get("jobs", ns, name);
    if (!job || job.metadata.uid !== uid || job.status?.conditions?.length) return;
    const pods = this.#store.list("pods", ns, `controller-uid=${uid}`);
    const count = (phase: string) => pods.filter((p) => p.status?.phase === phase).length;
    const succeeded = count("Succeeded"), failed = count("Failed");
    if (failed > (job.spec.backoffLimit ?? 6)) {
      return this.#finish(ns, job, {
        type: "Failed",
        reason: "BackoffLimitExceeded",
        message: "Job has reached the specified backoff limit",
      });
    }
    if (succeeded >= job.spec.completions) return this.#finish(ns, job, { type: "Complete" });
    this.#store.update("jobs", ns, name, (o) => {
      o.status = { active: pods.length - succeeded - failed, succeeded, failed };
    });
  }
}
