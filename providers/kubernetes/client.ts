/**
 * A small wrapper of `@kubernetes/client-node`: the only file that loads it, with a dynamic
 * import when a Kubernetes run connects, so that local runs and rank processes never pay for it.
 *
 * API errors become {@linkcode KubeApiError}s built from the server's Status (never from the
 * client's exception text, which quotes request details); credentials never reach a message.
 *
 * @module
 */
import { errorMessage, quote, ValidationError } from "../../core/errors.ts";
import type { Json } from "../../core/types.ts";

/** Kinds this provider creates, reads and deletes. */
export type Resource = "jobs" | "services" | "secrets" | "pods";
/** Kinds it lists and watches: those, and the Events that say why a Job makes no pods. */
export type Listable = Resource | "events";

/** An object from the API server, as plain JSON. */
export type KubeJson = { [key: string]: Json };

/** A watch event. */
export type WatchEvent = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

/** Label and field selectors (`a=b,c!=d`), either may be empty. */
export interface Selector {
  labels?: string;
  fields?: string;
}

/** One RFC 6902 JSON Patch operation. */
export type PatchOp = { op: "add" | "replace" | "remove"; path: string; value?: Json };

/** An error the API server answered with (a Status), or a transport failure (code 0). */
export class KubeApiError extends Error {
  override name = "KubeApiError";
  readonly code: number;
  readonly reason: string | null;
  constructor(message: string, code: number, reason: string | null) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

/** The server answered with an HTTP error status (and maybe a Status body). */
export class HttpFailure {
  constructor(readonly status: number, readonly body: unknown) {}
}

/** How a watch is asked for. */
export interface WatchOptions {
  selector: Selector;
  resourceVersion: string;
  /** The server ends the watch after this long (`timeoutSeconds`) */
  timeoutSeconds: number;
  /** Give up on a connection that brought nothing for this long (default: timeoutSeconds + 30) */
  idleSeconds?: number;
  onEvent(type: WatchEvent, object: KubeJson): void;
  /** Runs once when the watch ends: null when the server closed it (or `stop()`), else why */
  onDone(err: KubeApiError | null): void;
}

/** A connection to one cluster. */
export interface KubeClient {
  /** API server URL */
  readonly server: string;
  /** The kubeconfig context's namespace, else `default` */
  readonly namespace: string;
  create(resource: Resource, namespace: string, body: unknown): Promise<KubeJson>;
  /** null when not found */
  get(resource: Resource, namespace: string, name: string): Promise<KubeJson | null>;
  /** Apply a JSON Patch; null when the object is gone */
  patch(resource: Resource, namespace: string, name: string, ops: PatchOp[]): Promise<
    KubeJson | null
  >;
  /** false when it was already gone */
  remove(resource: Resource, namespace: string, name: string): Promise<boolean>;
  /** Delete every object matching a label selector (propagation Background) */
  removeAll(resource: Resource, namespace: string, labels: string): Promise<void>;
  list(
    resource: Listable,
    namespace: string,
    selector: Selector,
  ): Promise<{ items: KubeJson[]; resourceVersion: string }>;
  /** Watch from a resourceVersion until the server ends it, it fails, or `stop()`. */
  watch(resource: Listable, namespace: string, options: WatchOptions): Promise<{ stop(): void }>;
  /** Follow a container's log (with timestamps); the iterable ends when the stream ends. */
  logs(namespace: string, pod: string, options: { container: string; sinceTime?: string }): Promise<
    { chunks: AsyncIterable<Uint8Array>; stop(): void }
  >;
  close(): Promise<void>;
}

/** Options of {@linkcode connectKube}. */
export interface ConnectOptions {
  /** kubeconfig path(s), ':'-separated; null: the default file, else in-cluster */
  kubeconfig: string | null;
  context: string | null;
}

const NO_CONFIG =
  "No Kubernetes configuration found: set --kubeconfig or KUBECONFIG, create ~/.kube/config, " +
  "or run inside a cluster";

function statusOf(body: unknown): { message?: string; reason?: string } {
  let b = body;
  if (typeof b === "string") {
    try {
      b = JSON.parse(b);
    } catch {
      return {};
    }
  }
  return b && typeof b === "object" ? b as { message?: string; reason?: string } : {};
}

/**
 * An error of a request as a KubeApiError that names what was being done: an HTTP status (with
 * the server's Status message) for an {@linkcode HttpFailure}, code 0 for anything else (no
 * connection, TLS, a timeout). Never the client's own exception text, which quotes the request.
 */
export function apiError(err: unknown, doing: string): KubeApiError {
  if (err instanceof KubeApiError) return err;
  if (err instanceof HttpFailure) {
    const code = err.status;
    const st = statusOf(err.body);
    const why = st.message ?? (code === 401 ? "Unauthorized: the credentials were refused" : "");
    return new KubeApiError(
      `Cannot ${doing}: ${why || "the API server refused"} (HTTP ${code}${
        st.reason ? ` ${st.reason}` : ""
      })`,
      code,
      st.reason ?? null,
    );
  }
  if (err instanceof DOMException && err.name === "TimeoutError") {
    return new KubeApiError(`Cannot ${doing}: no answer in time`, 0, "Timeout");
  }
  const cause = (err as { cause?: unknown })?.cause;
  return new KubeApiError(
    `Cannot ${doing}: ${errorMessage(err)}${cause ? `: ${errorMessage(cause)}` : ""}`,
    0,
    null,
  );
}

/**
 * The client module, imported at run time by its full npm specifier (the version deno.json maps):
 * a specifier the bundler cannot see keeps its 16 MB out of dist/scalebench.js, which every rank
 * process of a bundle would otherwise parse (+1.3 s start, +80 MB resident per rank).
 */
export const CLIENT_SPECIFIER = "npm:@kubernetes/client-node@2.0.1";

async function loadClient(): Promise<typeof import("@kubernetes/client-node")> {
  const specifier = CLIENT_SPECIFIER;
  return await import(specifier);
}

const KIND: Record<Resource, string> = {
  jobs: "Job",
  services: "Service",
  secrets: "Secret",
  pods: "Pod",
};

/** Load the kubeconfig and make a client; a missing or bad configuration → ValidationError. */
export async function connectKube(options: ConnectOptions): Promise<KubeClient> {
  const k8s = await loadClient();
  const kc = new k8s.KubeConfig();
  if (options.kubeconfig) {
    const files = options.kubeconfig.split(":").filter(Boolean);
    for (const [i, file] of files.entries()) {
      const one = i === 0 ? kc : new k8s.KubeConfig();
      try {
        one.loadFromFile(file);
      } catch (err) {
        // parser messages quote the file's lines, which may hold credentials: name the file only
        const why = err instanceof Error && "code" in err && err.code === "ENOENT"
          ? "does not exist"
          : "is not a readable kubeconfig file";
        throw new ValidationError(
          `Kubeconfig ${quote(file, 200)} (--kubeconfig, KUBECONFIG) ${why}`,
        );
      }
      if (one !== kc) kc.mergeConfig(one);
    }
  } else {
    try {
      kc.loadFromDefault();
    } catch {
      throw new ValidationError(NO_CONFIG);
    }
    const c = kc.getCurrentCluster();
    if (!c || (c.name === "cluster" && c.server === "http://localhost:8080")) {
      throw new ValidationError(NO_CONFIG);
    }
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      throw new ValidationError(
        `Unknown kubeconfig context ${quote(options.context)} (--k8s-context; known: ${
          kc.getContexts().map((c) => c.name).join(", ") || "none"
        })`,
      );
    }
    kc.setCurrentContext(options.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new ValidationError(
      "The kubeconfig has no current context: set one with --k8s-context or kubectl config use-context",
    );
  }
  // One dispatcher for every request, on HTTP/1.1: the client makes a new undici Agent per request
  // and lets it negotiate HTTP/2, whose GOAWAY handling crashes Deno's node:http2 (nghttp2 assert).
  type Patchable = {
    createDispatcherOptions(c: unknown, a: unknown): { type: string; connect?: object };
    createDispatcher(c: unknown, a: unknown): { destroy(): Promise<void> } | undefined;
  };
  const patch = kc as unknown as Patchable;
  const makeOptions = patch.createDispatcherOptions.bind(kc);
  const makeDispatcher = patch.createDispatcher.bind(kc);
  let dispatcher: { destroy(): Promise<void> } | undefined;
  patch.createDispatcherOptions = (c, a) => {
    const o = makeOptions(c, a);
    if (o.connect) o.connect = { ...o.connect, allowH2: false };
    return o;
  };
  patch.createDispatcher = (c, a) => (dispatcher ??= makeDispatcher(c, a));

  const batch = kc.makeApiClient(k8s.BatchV1Api);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const namespace = kc.getContextObject(kc.getCurrentContext())?.namespace || "default";
  const plain = (o: unknown) => JSON.parse(JSON.stringify(o ?? null)) as KubeJson;
  // the client's exceptions, by type: an ApiException carries the HTTP status and the Status body
  const failure = (err: unknown, doing: string) =>
    apiError(err instanceof k8s.ApiException ? new HttpFailure(err.code, err.body) : err, doing);
  type P = never;
  const api = {
    jobs: {
      create: (p: P) => batch.createNamespacedJob(p),
      read: (p: P) => batch.readNamespacedJob(p),
      patch: (p: P) => batch.patchNamespacedJob(p),
      remove: (p: P) => batch.deleteNamespacedJob(p),
      removeAll: (p: P) => batch.deleteCollectionNamespacedJob(p),
      list: (p: P) => batch.listNamespacedJob(p),
    },
    services: {
      create: (p: P) => core.createNamespacedService(p),
      read: (p: P) => core.readNamespacedService(p),
      patch: (p: P) => core.patchNamespacedService(p),
      remove: (p: P) => core.deleteNamespacedService(p),
      removeAll: (p: P) => core.deleteCollectionNamespacedService(p),
      list: (p: P) => core.listNamespacedService(p),
    },
    secrets: {
      create: (p: P) => core.createNamespacedSecret(p),
      read: (p: P) => core.readNamespacedSecret(p),
      patch: (p: P) => core.patchNamespacedSecret(p),
      remove: (p: P) => core.deleteNamespacedSecret(p),
      removeAll: (p: P) => core.deleteCollectionNamespacedSecret(p),
      list: (p: P) => core.listNamespacedSecret(p),
    },
    pods: {
      create: (p: P) => core.createNamespacedPod(p),
      read: (p: P) => core.readNamespacedPod(p),
      patch: (p: P) => core.patchNamespacedPod(p),
      remove: (p: P) => core.deleteNamespacedPod(p),
      removeAll: (p: P) => core.deleteCollectionNamespacedPod(p),
      list: (p: P) => core.listNamespacedPod(p),
    },
  };
  const lists: Record<Listable, (p: P) => Promise<unknown>> = {
    ...Object.fromEntries(Object.entries(api).map(([r, a]) => [r, a.list])) as Record<
      Resource,
      (p: P) => Promise<unknown>
    >,
    events: (p: P) => core.listNamespacedEvent(p),
  };
  const path = (r: Listable, ns: string) =>
    `${r === "jobs" ? "/apis/batch/v1" : "/api/v1"}/namespaces/${encodeURIComponent(ns)}/${r}`;
  const where = (r: Resource, name: string, ns: string) =>
    `${KIND[r]} ${quote(name)} in namespace ${quote(ns)}`;

  return {
    server: cluster.server,
    namespace,
    async create(resource, ns, body) {
      const name = (body as { metadata?: { name?: string } })?.metadata?.name ?? "";
      try {
        return plain(await api[resource].create({ namespace: ns, body } as P));
      } catch (err) {
        throw failure(err, `create ${where(resource, name, ns)}`);
      }
    },
    async get(resource, ns, name) {
      try {
        return plain(await api[resource].read({ name, namespace: ns } as P));
      } catch (err) {
        const e = failure(err, `read ${where(resource, name, ns)}`);
        if (e.code === 404) return null;
        throw e;
      }
    },
    async patch(resource, ns, name, ops) {
      try {
        return plain(await api[resource].patch({ name, namespace: ns, body: ops } as P));
      } catch (err) {
        const e = failure(err, `patch ${where(resource, name, ns)}`);
        if (e.code === 404) return null;
        throw e;
      }
    },
    async remove(resource, ns, name) {
      try {
        await api[resource].remove({ name, namespace: ns, propagationPolicy: "Background" } as P);
        return true;
      } catch (err) {
        const e = failure(err, `delete ${where(resource, name, ns)}`);
        if (e.code === 404) return false;
        throw e;
      }
    },
    async removeAll(resource, ns, labels) {
      try {
        await api[resource].removeAll(
          { namespace: ns, labelSelector: labels, propagationPolicy: "Background" } as P,
        );
      } catch (err) {
        throw failure(err, `delete ${resource} ${quote(labels)} in namespace ${quote(ns)}`);
      }
    },
    async list(resource, ns, selector) {
      try {
        const l = plain(
          await lists[resource](
            {
              namespace: ns,
              labelSelector: selector.labels || undefined,
              fieldSelector: selector.fields || undefined,
            } as P,
          ),
        );
        const meta = (l.metadata ?? {}) as { resourceVersion?: string };
        return {
          items: (l.items ?? []) as KubeJson[],
          resourceVersion: meta.resourceVersion ?? "",
        };
      } catch (err) {
        throw failure(err, `list ${resource} in namespace ${quote(ns)}`);
      }
    },
    async watch(resource, ns, o) {
      const w = new k8s.Watch(kc);
      const idle = o.idleSeconds ?? o.timeoutSeconds + 30;
      // the client aborts a connection that brought nothing (not even a bookmark) for this long
      (w as unknown as { requestTimeoutMs: number }).requestTimeoutMs = idle * 1000;
      let ended = false, stopping = false;
      const end = (err: unknown) => {
        if (ended) return;
        ended = true;
        if (stopping || !err) return o.onDone(null);
        const status = (err as { statusCode?: unknown }).statusCode;
        o.onDone(
          err instanceof DOMException && err.name === "TimeoutError"
            ? new KubeApiError(
              `Cannot watch ${resource}: nothing came for ${idle} s (the connection is gone)`,
              0,
              "Timeout",
            )
            : failure(
              typeof status === "number" ? new HttpFailure(status, null) : err,
              `watch ${resource} in namespace ${quote(ns)}`,
            ),
        );
      };
      const controller = await w.watch(
        path(resource, ns),
        {
          labelSelector: o.selector.labels || undefined,
          fieldSelector: o.selector.fields || undefined,
          resourceVersion: o.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: o.timeoutSeconds,
        },
        (type: string, obj: KubeJson) => ended || o.onEvent(type as WatchEvent, obj),
        end,
      );
      // Under Deno the body of an aborted response neither ends nor errors, so the client's own
      // `done` never comes after its idle timeout: end the watch on the abort itself (a turn later,
      // so that a `done` the client does call, just after aborting, comes first).
      const aborted = () => setTimeout(() => end(controller.signal.reason ?? new Error("aborted")));
      if (controller.signal.aborted) aborted();
      else controller.signal.addEventListener("abort", aborted, { once: true });
      return {
        stop() {
          stopping = true;
          controller.abort();
        },
      };
    },
    async logs(ns, pod, o) {
      const { PassThrough } = await import("node:stream");
      const out = new PassThrough();
      // the client pipes the response into `out` and leaves it open if the response fails
      out.on("unpipe", () => queueMicrotask(() => out.writableEnded || out.end()));
      let controller: AbortController;
      try {
        controller = await new k8s.Log(kc).log(ns, pod, o.container, out, {
          follow: true,
          timestamps: true,
          sinceTime: o.sinceTime,
        });
      } catch (err) {
        out.destroy();
        throw failure(err, `read the log of pod ${quote(pod)}`);
      }
      return {
        chunks: out as AsyncIterable<Uint8Array>,
        stop() {
          controller.abort();
          if (!out.writableEnded) out.end();
        },
      };
    },
    async close() {
      // destroy, not close: close() would wait for the open watch and log streams to end
      await dispatcher?.destroy().catch(() => {});
      dispatcher = undefined;
    },
  };
}
