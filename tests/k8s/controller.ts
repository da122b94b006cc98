/**
 * A simulated control plane and kubelet for the fake API server: the Job controller creates the
 * indexed pods of a Job (`<job>-<i>-<suffix>`, with Kubernetes' labels and hostname/subdomain) and
 * tracks their outcome (backoffLimit, Complete/Failed); the scheduler places pods on fake nodes by
 * cpu request (or marks them Unschedulable); the kubelet pulls images (or fails to), resolves env
 * from Secrets, runs the REAL rank command as a local process, serves its output as the pod log
 * and reports phases and container states; deletion is graceful (SIGTERM, then SIGKILL) and the
 * garbage collector removes a Job's pods when it is deleted with propagation Background.
 *
 * @module
 */
import { PodLog } from "./fake_apiserver.ts";
import type { KObj, Store, StoreEvent } from "./store.ts";

/** A fake node. */
export interface FakeNode {
  name: string;
  cpu: number;
}

/** How the simulation behaves. */
export interface ControllerOptions {
  nodes: FakeNode[];
  /** The rank command inside the image → the local rank command */
  imageCommand: string[];
  localCommand: string[];
  /** Images that do not exist in the "registry" */
  missingImages: string[];
  /** Extra env of every process (the test host plays cluster DNS: SCALEBENCH_RDV_HOST) */
  env: Record<string, string>;
  /** Kill this completion index as OOMKilled once it printed something */
  oomKillIndex?: number | null;
}

const INDEX = "batch.kubernetes.io/job-completion-index";

function cpuOf(pod: KObj): number {
  const c = pod.spec?.containers?.[0]?.resources?.requests?.cpu ?? "0";
  return String(c).endsWith("m") ? Number.parseInt(c) / 1000 : Number(c);
}

function later(fn: () => void, ms = 5): void {
  setTimeout(fn, ms);
}

/** The simulation. */
export class FakeController {
  readonly #store: Store;
  readonly #o: ControllerOptions;
  readonly logs = new Map<string, PodLog>();
  readonly #procs = new Map<
    string,
    { child: Deno.ChildProcess; oom: boolean; done: Promise<void> }
  >();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #closed = false;
  readonly #listener = (e: StoreEvent) => this.#onEvent(e);

  constructor(store: Store, options: ControllerOptions) {
    this.#store = store;
    this.#o = options;
    store.listeners.add(this.#listener);
  }

  /** Processes still running, by pod key. */
  running(): string[] {
    return [...this.#procs.keys()];
  }

  /** Called by the API server for each DELETE: graceful pods, garbage collection. */
  onDelete(resource: string, obj: KObj, propagation: string): void {
    const ns = obj.metadata.namespace!;
    if (resource !== "pods") {
      this.#store.remove(resource, ns, obj.metadata.name);
      if (resource !== "jobs") return;
      for (const pod of this.#store.list("pods", ns)) {
        if (!pod.metadata.ownerReferences?.some((r) => r.uid === obj.metadata.uid)) continue;
        if (propagation === "Orphan") {
          this.#store.update(
            "pods",
            ns,
            pod.metadata.name,
            (p) => delete p.metadata.ownerReferences,
          );
        } else this.#timer(() => this.deletePod(ns, pod.metadata.name), 10);
      }
      return;
    }
    this.deletePod(ns, obj.metadata.name);
  }

  /** Graceful deletion: mark, stop the container (SIGTERM, then SIGKILL), then remove. */
  deletePod(ns: string, name: string): void {
    const key = `${ns}/${name}`;
    const pod = this.#store.get("pods", ns, name);
    if (!pod) return;
    const proc = this.#procs.get(key);
    if (!proc) {
      this.#store.remove("pods", ns, name);
      return;
    }
    if (pod.metadata.deletionTimestamp) return;
    const grace = Math.min(pod.spec.terminationGracePeriodSeconds ?? 30, 2);
    this.#store.update("pods", ns, name, (p) => {
      p.metadata.deletionTimestamp = new Date().toISOString();
      p.metadata.deletionGracePeriodSeconds = grace;
    });
    this.#kill(proc.child, "SIGTERM");
    const t = this.#timer(() => this.#kill(proc.child, "SIGKILL"), grace * 1000);
    proc.done.then(() => {
      clearTimeout(t);
      this.#store.remove("pods", ns, name);
    });
  }

  /** Stop everything (kill processes, cancel timers). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#store.listeners.delete(this.#listener);
    for (const t of this.#timers) clearTimeout(t);
    for (const p of this.#procs.values()) this.#kill(p.child, "SIGKILL");
    await Promise.all([...this.#procs.values()].map((p) => p.done));
  }

  #timer(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (!this.#closed) fn();
    }, ms);
    this.#timers.add(t);
    return t;
  }

  #kill(child: Deno.ChildProcess, signal: Deno.Signal): void {
    try {
      child.kill(signal);
    } catch { /* exited */ }
  }

  #onEvent(e: StoreEvent): void {
    if (this.#closed) return;
    if (e.resource === "jobs" && e.type === "ADDED") later(() => this.#createPods(e.object));
    if (e.resource === "pods") {
      const owner = e.object.metadata.ownerReferences?.[0];
      if (owner) later(() => this.#syncJob(e.namespace, owner.name, owner.uid));
      // freed resources may let waiting pods in
      if (e.type === "DELETED" || e.object.status?.phase !== "Pending") {
        later(() => this.#schedule(e.namespace));
      }
    }
  }

  #createPods(job: KObj): void {
    const ns = job.metadata.namespace!;
    if (!this.#store.get("jobs", ns, job.metadata.name)) return;
    const tpl = job.spec.template;
    for (let i = 0; i < job.spec.completions; i++) {
      const suffix = Math.random().toString(36).slice(2, 7).padEnd(5, "x");
      const hostname = `${job.metadata.name}-${i}`;
      this.#store.create("pods", ns, {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          name: `${hostname}-${suffix}`,
          labels: {
            ...tpl.metadata?.labels,
            "job-name": job.metadata.name,
            "batch.kubernetes.io/job-name": job.metadata.name,
            "controller-uid": job.metadata.uid!,
            "batch.kubernetes.io/controller-uid": job.metadata.uid!,
            [INDEX]: String(i),
          },
          annotations: { [INDEX]: String(i) },
          ownerReferences: [{
            apiVersion: "batch/v1",
            kind: "Job",
            name: job.metadata.name,
            uid: job.metadata.uid!,
          }],
        },
        spec: { ...structuredClone(tpl.spec), hostname },
        status: { phase: "Pending" },
      });
    }
    this.#schedule(ns);
  }

  #schedule(ns: string): void {
    const pods = this.#store.list("pods", ns);
    const used = new Map<string, number>();
    for (const p of pods) {
      if (p.spec.nodeName && !["Succeeded", "Failed"].includes(p.status?.phase)) {
        used.set(p.spec.nodeName, (used.get(p.spec.nodeName) ?? 0) + cpuOf(p));
      }
    }
    for (const p of pods) {
      if (p.spec.nodeName || p.metadata.deletionTimestamp) continue;
      const need = cpuOf(p);
      const node = this.#o.nodes.find((n) => n.cpu - (used.get(n.name) ?? 0) >= need);
      if (!node) {
        const n = this.#o.nodes.length;
        const message = `0/${n} nodes are available: ${n} Insufficient cpu. preemption: 0/${n} ` +
          `nodes are available: ${n} No preemption victims found for incoming pod.`;
        if (p.status?.conditions?.[0]?.message === message) continue;
        this.#store.update("pods", ns, p.metadata.name, (o) => {
          o.status.conditions = [{
            type: "PodScheduled",
            status: "False",
            reason: "Unschedulable",
            message,
            lastTransitionTime: new Date().toISOString(),
          }];
        });
        continue;
      }
      used.set(node.name, (used.get(node.name) ?? 0) + need);
      this.#store.update("pods", ns, p.metadata.name, (o) => {
        o.spec.nodeName = node.name;
        o.status.conditions = [{ type: "PodScheduled", status: "True" }];
        o.status.containerStatuses = [{
          name: o.spec.containers[0].name,
          ready: false,
          restartCount: 0,
          image: o.spec.containers[0].image,
          state: { waiting: { reason: "ContainerCreating" } },
        }];
      });
      later(() => this.#startPod(ns, p.metadata.name), 10);
    }
  }

  #setContainer(ns: string, name: string, state: Record<string, unknown>, phase?: string): void {
    this.#store.update("pods", ns, name, (o) => {
      o.status.containerStatuses[0].state = state;
      if (phase) o.status.phase = phase;
    });
  }

  #startPod(ns: string, name: string): void {
    const pod = this.#store.get("pods", ns, name);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const c = pod.spec.containers[0];
    if (this.#o.missingImages.includes(c.image)) {
      const msg = `rpc error: code = NotFound desc = failed to pull and unpack image ` +
        `"docker.io/library/${c.image}": not found`;
      this.#setContainer(ns, name, { waiting: { reason: "ErrImagePull", message: msg } });
      this.#timer(() =>
        this.#setContainer(ns, name, {
          waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${c.image}"` },
        }), 300);
      return;
    }
    const env: Record<string, string> = {};
    for (const e of c.env ?? []) {
      if (e.value !== undefined) env[e.name] = e.value;
      const ref = e.valueFrom?.secretKeyRef;
      if (!ref) continue;
      const secret = this.#store.get("secrets", ns, ref.name);
      const value = secret?.data?.[ref.key];
      if (value === undefined) {
        this.#setContainer(ns, name, {
          waiting: {
            reason: "CreateContainerConfigError",
            message: `secret "${ref.name}" not found`,
          },
        });
        return;
      }
      env[e.name] = atob(value);
    }
    const known = JSON.stringify(c.command) === JSON.stringify(this.#o.imageCommand);
    if (!known) {
      const msg = `failed to create containerd task: exec: "${
        c.command?.[0]
      }": executable file not found in $PATH`;
      this.#setContainer(ns, name, {
        terminated: { exitCode: 128, reason: "StartError", message: msg },
      }, "Failed");
      return;
    }
    const index = pod.metadata.labels![INDEX];
    const argv = this.#o.localCommand;
    const child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      env: { ...env, ...this.#o.env, JOB_COMPLETION_INDEX: index, HOSTNAME: pod.spec.hostname },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const log = new PodLog();
    this.logs.set(`${ns}/${name}`, log);
    const entry = { child, oom: false, done: Promise.resolve() };
    const pump = async (stream: ReadableStream<Uint8Array>) => {
      let rest = "";
      const decoder = new TextDecoder();
      for await (const chunk of stream) {
        const parts = (rest + decoder.decode(chunk, { stream: true })).split("\n");
        rest = parts.pop()!;
        for (const p of parts) log.append(p);
      }
      if (rest) log.append(rest);
    };
    const key = `${ns}/${name}`;
    entry.done = Promise.all([pump(child.stdout), pump(child.stderr), child.status]).then(
      ([, , status]) => {
        log.close();
        this.#procs.delete(key);
        const code = entry.oom
          ? 137
          : status.signal
          ? 128 + signalNumber(status.signal)
          : status.code;
        const message = code !== 0
          ? log.lines.slice(-80).map((l) => l.text).join("\n").slice(-2048)
          : undefined;
        this.#setContainer(ns, name, {
          terminated: {
            exitCode: code,
            reason: entry.oom ? "OOMKilled" : code === 0 ? "Completed" : "Error",
            ...(message ? { message } : {}),
            finishedAt: new Date().toISOString(),
          },
        }, code === 0 ? "Succeeded" : "Failed");
      },
    );
    this.#procs.set(key, entry);
    if (this.#o.oomKillIndex === Number(index)) {
      // the kernel's OOM killer, as the kubelet reports it
      this.#timer(() => {
        entry.oom = true;
        this.#kill(child, "SIGKILL");
      }, 300);
    }
    this.#store.update("pods", ns, name, (o) => {
      o.status.phase = "Running";
      o.status.podIP = "127.0.0.1";
      o.status.startTime = new Date().toISOString();
      o.status.containerStatuses[0].ready = true;
      o.status.containerStatuses[0].state = { running: { startedAt: new Date().toISOString() } };
    });
  }

  #syncJob(ns: string, name: string, uid: string): void {
    const job = this.#store.get("jobs", ns, name);
    if (!job || job.metadata.uid !== uid || job.status?.conditions?.length) return;
    const pods = this.#store.list("pods", ns, `controller-uid=${uid}`);
    const count = (phase: string) => pods.filter((p) => p.status?.phase === phase).length;
    const succeeded = count("Succeeded"), failed = count("Failed");
    const active = pods.length - succeeded - failed;
    const now = new Date().toISOString();
    let condition: Record<string, string> | null = null;
    if (failed > (job.spec.backoffLimit ?? 6)) {
      condition = {
        type: "Failed",
        status: "True",
        reason: "BackoffLimitExceeded",
        message: "Job has reached the specified backoff limit",
        lastTransitionTime: now,
      };
    } else if (succeeded >= job.spec.completions) {
      condition = { type: "Complete", status: "True", lastTransitionTime: now };
    }
    this.#store.update("jobs", ns, name, (o) => {
      o.status = { active, succeeded, failed, ...(condition ? { conditions: [condition] } : {}) };
    });
    if (condition?.type === "Failed") {
      for (const p of pods) {
        if (!["Succeeded", "Failed"].includes(p.status?.phase)) {
          this.deletePod(ns, p.metadata.name);
        }
      }
    }
  }
}

function signalNumber(signal: Deno.Signal): number {
  return ({ SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGABRT: 6, SIGSEGV: 11 } as Record<
    string,
    number
  >)[signal] ?? 1;
}
