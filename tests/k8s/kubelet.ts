/**
 * The fake cluster's kubelet: for each pod bound to a node it gives the pod an IP (each its own
 * 127.x.y.z, or ::1 in an IPv6 single-stack cluster), pulls the image (once per node, with a delay;
 * or fails to, for missing and flaky images), mounts Secret volumes (a directory per pod: the env
 * values under a mount path are rewritten to it, there are no mount namespaces), resolves env from
 * Secrets (a Secret reaches the kubelet only `secretSyncMs` after its creation), runs the REAL rank
 * command as a local process with the pod network shim preloaded (pod_shim.ts), serves its output
 * as the pod log, and reports phases and container states. Deletion is noticed late
 * (`terminationDelayMs`: terminating pods linger), then graceful (SIGTERM, SIGKILL after the grace).
 *
 * @module
 */
import { PodLog } from "./fake_apiserver.ts";
import type { FakeNode } from "./scheduler.ts";
import type { KObj, Store, StoreEvent } from "./store.ts";

/** How the kubelet behaves. */
export interface KubeletOptions {
  /** The rank command inside the image → the local rank command */
  imageCommand: string[];
  localCommand: string[];
  /** Images that do not exist in the "registry" */
  missingImages: string[];
  /** Images whose first pulls fail (a registry hiccup): image → failed pulls */
  flakyImages: Record<string, number>;
  /** ms an image pull takes on a node (the first pull of an image there): node → ms, or all */
  pullMs: number | Record<string, number>;
  /** ms after its creation before a Secret reaches the kubelet */
  secretSyncMs: number;
  /** ms before the kubelet acts on a pod's deletion */
  terminationDelayMs: number;
  ipFamily: "IPv4" | "IPv6";
  /** `host:port` of the cluster DNS */
  dns: string;
  /** The preload module of the pod network (pod_shim.ts), null: none */
  shim: string | null;
  /** Extra env of every process */
  env: Record<string, string>;
  /** Kill this completion index as OOMKilled once it started */
  oomKillIndex: number | null;
  nodes: FakeNode[];
}

const INDEX = "batch.kubernetes.io/job-completion-index";

function signalNumber(signal: Deno.Signal): number {
  return ({ SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGABRT: 6, SIGSEGV: 11 } as Record<
    string,
    number
  >)[signal] ?? 1;
}

/** The kubelet of every fake node. */
export class FakeKubelet {
  readonly logs = new Map<string, PodLog>();
  readonly #store: Store;
  readonly #o: KubeletOptions;
  readonly #procs = new Map<
    string,
    { child: Deno.ChildProcess; oom: boolean; done: Promise<void> }
  >();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #ipSince = new Map<string, number>();
  readonly #secretsSeen = new Map<string, number>();
  readonly #pulled = new Set<string>();
  readonly #pullAttempts = new Map<string, number>();
  readonly #dirs = new Map<string, string>();
  readonly #starting = new Set<string>();
  #nextIp = 1;
  #closed = false;
  readonly #listener = (e: StoreEvent) => this.#onEvent(e);

  constructor(store: Store, options: KubeletOptions) {
    this.#store = store;
    this.#o = options;
    store.listeners.add(this.#listener);
  }

  /** When a pod (by uid) got its IP. */
  ipSince(uid: string): number | undefined {
    return this.#ipSince.get(uid);
  }

  /** Processes still running, by pod key. */
  running(): string[] {
    return [...this.#procs.keys()];
  }

  /** Graceful deletion: mark now, stop the container later (SIGTERM, then SIGKILL), remove. */
  deletePod(ns: string, name: string): void {
    const pod = this.#store.get("pods", ns, name);
    if (!pod) return;
    if (!pod.spec.nodeName) {
      this.#store.remove("pods", ns, name); // never bound: nothing to stop
      return;
    }
    if (pod.metadata.deletionTimestamp) return;
    const grace = Math.min(pod.spec.terminationGracePeriodSeconds ?? 30, 2);
    this.#store.update("pods", ns, name, (p) => {
      p.metadata.deletionTimestamp = new Date().toISOString();
      p.metadata.deletionGracePeriodSeconds = grace;
    });
    this.#timer(() => {
      const key = `${ns}/${name}`;
      const proc = this.#procs.get(key);
      if (!proc) return this.#remove(ns, name);
      this.#kill(proc.child, "SIGTERM");
      const t = this.#timer(() => this.#kill(proc.child, "SIGKILL"), grace * 1000);
      proc.done.then(() => {
        clearTimeout(t);
        this.#remove(ns, name);
      });
    }, this.#o.terminationDelayMs);
  }

  /** Stop everything (kill processes, cancel timers). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#store.listeners.delete(this.#listener);
    for (const t of this.#timers) clearTimeout(t);
    for (const p of this.#procs.values()) this.#kill(p.child, "SIGKILL");
    await Promise.all([...this.#procs.values()].map((p) => p.done));
    for (const dir of this.#dirs.values()) await Deno.remove(dir, { recursive: true });
  }

  #remove(ns: string, name: string): void {
    const pod = this.#store.remove("pods", ns, name);
    const dir = this.#dirs.get(`${ns}/${name}`);
    this.#dirs.delete(`${ns}/${name}`);
    if (dir) Deno.remove(dir, { recursive: true }).catch(() => {});
    if (pod) this.#ipSince.delete(pod.metadata.uid!);
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
    if (e.resource === "secrets" && e.type === "ADDED") {
      this.#secretsSeen.set(`${e.namespace}/${e.object.metadata.name}`, Date.now());
    }
    const pod = e.object;
    const key = `${e.namespace}/${pod.metadata.name}`;
    if (
      e.resource === "pods" && e.type !== "DELETED" && pod.spec?.nodeName && !pod.status?.podIP &&
      !this.#starting.has(key)
    ) {
      this.#starting.add(key);
      this.#timer(() => this.#sandbox(e.namespace, pod.metadata.name), 5);
    }
  }

  #secret(ns: string, name: string): KObj | null {
    const seen = this.#secretsSeen.get(`${ns}/${name}`);
    if (seen === undefined || Date.now() - seen < this.#o.secretSyncMs) return null;
    return this.#store.get("secrets", ns, name);
  }

  #setContainer(ns: string, name: string, state: Record<string, unknown>, phase?: string): void {
    this.#store.update("pods", ns, name, (o) => {
      o.status.containerStatuses[0].state = state;
      if (phase) o.status.phase = phase;
    });
  }

  /** The pod's sandbox: its IP, then the image. */
  #sandbox(ns: string, name: string): void {
    const pod = this.#store.get("pods", ns, name);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const n = this.#nextIp++;
    const ip = this.#o.ipFamily === "IPv6" ? "::1" : `127.1.${n >> 8}.${n & 255}`;
    this.#ipSince.set(pod.metadata.uid!, Date.now());
    this.#store.update("pods", ns, name, (o) => {
      o.status.podIP = ip;
      o.status.podIPs = [{ ip }];
      o.status.hostIP = "127.0.0.1";
    });
    this.#pull(ns, name);
  }

  #pull(ns: string, name: string): void {
    const pod = this.#store.get("pods", ns, name);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const image = pod.spec.containers[0].image as string;
    const node = pod.spec.nodeName as string;
    if (this.#pulled.has(`${node}/${image}`)) return void this.#prepare(ns, name);
    const attempts = (this.#pullAttempts.get(`${node}/${image}`) ?? 0) + 1;
    this.#pullAttempts.set(`${node}/${image}`, attempts);
    const missing = this.#o.missingImages.includes(image);
    if (missing || attempts <= (this.#o.flakyImages[image] ?? 0)) {
      const msg = missing
        ? `rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/${image}": not found`
        : `rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/${image}": unexpected status from HEAD request: 503 Service Unavailable`;
      this.#setContainer(ns, name, { waiting: { reason: "ErrImagePull", message: msg } });
      this.#timer(() => {
        if (!this.#store.get("pods", ns, name)) return;
        this.#setContainer(ns, name, {
          waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${image}"` },
        });
        this.#timer(() => this.#pull(ns, name), 700); // the kubelet's back-off, shortened
      }, 300);
      return;
    }
    const ms = typeof this.#o.pullMs === "number" ? this.#o.pullMs : this.#o.pullMs[node] ?? 0;
    this.#timer(() => {
      this.#pulled.add(`${node}/${image}`);
      void this.#prepare(ns, name);
    }, ms);
  }

  /** Volumes and env, retried while a Secret has not reached the node. */
  async #prepare(ns: string, name: string): Promise<void> {
    const pod = this.#store.get("pods", ns, name);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const key = `${ns}/${name}`;
    const c = pod.spec.containers[0];
    const retry = () => this.#timer(() => this.#prepare(ns, name), 300);
    const dir = this.#dirs.get(key) ?? await Deno.makeTempDir({ prefix: "scalebench-fake-pod-" });
    this.#dirs.set(key, dir);
    const mounts: [string, string][] = [];
    for (const v of pod.spec.volumes ?? []) {
      if (!v.secret) continue;
      const secret = this.#secret(ns, v.secret.secretName);
      if (!secret) {
        // the kubelet keeps the container waiting (FailedMount) until the Secret is there
        this.#setContainer(ns, name, { waiting: { reason: "ContainerCreating" } });
        return void retry();
      }
      await Deno.mkdir(`${dir}/${v.name}`, { recursive: true });
      for (const [file, b64] of Object.entries(secret.data ?? {})) {
        await Deno.writeTextFile(`${dir}/${v.name}/${file}`, atob(b64 as string));
      }
      const mount = c.volumeMounts?.find((m: { name: string }) => m.name === v.name);
      if (mount) mounts.push([mount.mountPath, `${dir}/${v.name}`]);
    }
    const env: Record<string, string> = {};
    for (const e of c.env ?? []) {
      if (e.value !== undefined) {
        const m = mounts.find(([path]) => e.value === path || e.value.startsWith(`${path}/`));
        env[e.name] = m ? m[1] + e.value.slice(m[0].length) : e.value;
      }
      const ref = e.valueFrom?.secretKeyRef;
      if (!ref) continue;
      const value = this.#secret(ns, ref.name)?.data?.[ref.key];
      if (value === undefined) {
        this.#setContainer(ns, name, {
          waiting: {
            reason: "CreateContainerConfigError",
            message: `secret "${ref.name}" not found`,
          },
        });
        return void retry();
      }
      env[e.name] = atob(value);
    }
    this.#run(ns, pod, env);
  }

  #run(ns: string, pod: KObj, env: Record<string, string>): void {
    const name = pod.metadata.name;
    const c = pod.spec.containers[0];
    if (JSON.stringify(c.command) !== JSON.stringify(this.#o.imageCommand)) {
      const msg = `failed to create containerd task: exec: "${
        c.command?.[0]
      }": executable file not found in $PATH`;
      this.#setContainer(ns, name, {
        terminated: { exitCode: 128, reason: "StartError", message: msg },
      }, "Failed");
      return;
    }
    const index = pod.metadata.labels![INDEX];
    const argv = [...this.#o.localCommand];
    if (this.#o.shim && argv[1] === "run") argv.splice(2, 0, "--preload", this.#o.shim);
    const v6 = this.#o.ipFamily === "IPv6";
    const net = {
      ip: pod.status.podIP,
      ...(v6 ? { ipv4Unreachable: "127.0.0.1" } : {}),
      dns: this.#o.dns,
      search: [`${ns}.svc.cluster.local`, "svc.cluster.local", "cluster.local"],
      ndots: 5,
    };
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(argv[0], {
        args: argv.slice(1),
        env: {
          ...env,
          ...this.#o.env,
          SCALEBENCH_FAKE_POD: JSON.stringify(net),
          JOB_COMPLETION_INDEX: index,
          HOSTNAME: pod.spec.hostname ?? name,
        },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (err) {
      // e.g. E2BIG: an environment string over Linux's 128 KiB, as runc reports it
      const why = (err as Error).message.includes("Argument list too long")
        ? "argument list too long"
        : (err as Error).message;
      this.#setContainer(ns, name, {
        terminated: {
          exitCode: 128,
          reason: "StartError",
          message:
            `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "${
              c.command[0]
            }": ${why}`,
        },
      }, "Failed");
      return;
    }
    const log = new PodLog();
    const key = `${ns}/${name}`;
    this.logs.set(key, log);
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
      o.status.startTime = new Date().toISOString();
      o.status.containerStatuses[0].ready = true;
      o.status.containerStatuses[0].state = { running: { startedAt: new Date().toISOString() } };
    });
  }
}
