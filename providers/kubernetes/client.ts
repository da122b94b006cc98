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

/** Kinds this provider manages. */
export type Resource = "jobs" | "services" | "secrets" | "pods";

/** An object from the API server, as plain JSON. */
export type KubeJson = { [key: string]: Json };

/** A watch event. */
export type WatchEvent = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

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

/** A connection to one cluster. */
export interface KubeClient {
  /** API server URL */
  readonly server: string;
  /** The kubeconfig context's namespace, else `default` */
  readonly namespace: string;
  create(resource: Resource, namespace: string, body: unknown): Promise<KubeJson>;
  /** null when not found */
  get(resource: Resource, namespace: string, name: string): Promise<KubeJson | null>;
  /** false when it was already gone */
  remove(resource: Resource, namespace: string, name: string): Promise<boolean>;
  /** Delete every object matching a label selector (propagation Background) */
  removeAll(resource: Resource, namespace: string, selector: string): Promise<void>;
  list(
    resource: Resource,
    namespace: string,
    selector: string,
  ): Promise<{ items: KubeJson[]; resourceVersion: string }>;
  /** Watch from a resourceVersion; `onDone` runs once when the watch ends (error or not). */
  watch(resource: Resource, namespace: string, options: {
    selector: string;
    resourceVersion: string;
    onEvent(type: WatchEvent, object: KubeJson): void;
    onDone(err: unknown): void;
  }): Promise<{ stop(): void }>;
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

/** An error thrown by the client, as a KubeApiError that names what was being done. */
export function apiError(err: unknown, doing: string): KubeApiError {
  if (err instanceof KubeApiError) return err;
  const e = err as { code?: unknown; body?: unknown; statusCode?: unknown; cause?: unknown };
  const code = typeof e?.code === "number"
    ? e.code
    : typeof e?.statusCode === "number"
    ? e.statusCode
    : 0;
  if (code > 0) {
    const st = statusOf(e.body);
    const why = st.message ?? (code === 401 ? "Unauthorized: the credentials were refused" : "");
    return new KubeApiError(
      `Cannot ${doing}: ${why || "the API server refused"} (HTTP ${code}${
        st.reason ? ` ${st.reason}` : ""
      })`,
      code,
      st.reason ?? null,
    );
  }
  const cause = e?.cause ? `: ${errorMessage(e.cause)}` : "";
  return new KubeApiError(`Cannot ${doing}: ${errorMessage(err)}${cause}`, 0, null);
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
  type P = never;
  const api = {
    jobs: {
      create: (p: P) => batch.createNamespacedJob(p),
      read: (p: P) => batch.readNamespacedJob(p),
      remove: (p: P) => batch.deleteNamespacedJob(p),
      removeAll: (p: P) => batch.deleteCollectionNamespacedJob(p),
      list: (p: P) => batch.listNamespacedJob(p),
    },
    services: {
      create: (p: P) => core.createNamespacedService(p),
      read: (p: P) => core.readNamespacedService(p),
      remove: (p: P) => core.deleteNamespacedService(p),
      removeAll: (p: P) => core.deleteCollectionNamespacedService(p),
      list: (p: P) => core.listNamespacedService(p),
    },
    secrets: {
      create: (p: P) => core.createNamespacedSecret(p),
      read: (p: P) => core.readNamespacedSecret(p),
      remove: (p: P) => core.deleteNamespacedSecret(p),
      removeAll: (p: P) => core.deleteCollectionNamespacedSecret(p),
      list: (p: P) => core.listNamespacedSecret(p),
    },
    pods: {
      create: (p: P) => core.createNamespacedPod(p),
      read: (p: P) => core.readNamespacedPod(p),
      remove: (p: P) => core.deleteNamespacedPod(p),
      removeAll: (p: P) => core.deleteCollectionNamespacedPod(p),
      list: (p: P) => core.listNamespacedPod(p),
    },
  };
  const path = (r: Resource, ns: string) =>
    `${r === "jobs" ? "/apis/batch/v1" : "/api/v1"}/namespaces/${encodeURIComponent(ns)}/${r}`;

  return {
    server: cluster.server,
    namespace,
    async create(resource, ns, body) {
      const name = (body as { metadata?: { name?: string } })?.metadata?.name ?? "";
      try {
        return plain(await api[resource].create({ namespace: ns, body } as P));
      } catch (err) {
        throw apiError(err, `create ${KIND[resource]} ${quote(name)} in namespace ${quote(ns)}`);
      }
    },
    async get(resource, ns, name) {
      try {
        return plain(await api[resource].read({ name, namespace: ns } as P));
      } catch (err) {
        const e = apiError(err, `read ${KIND[resource]} ${quote(name)} in namespace ${quote(ns)}`);
        if (e.code === 404) return null;
        throw e;
      }
    },
    async remove(resource, ns, name) {
      try {
        await api[resource].remove({ name, namespace: ns, propagationPolicy: "Background" } as P);
        return true;
      } catch (err) {
        const e = apiError(
          err,
          `delete ${KIND[resource]} ${quote(name)} in namespace ${quote(ns)}`,
        );
        if (e.code === 404) return false;
        throw e;
      }
    },
    async removeAll(resource, ns, selector) {
      try {
        await api[resource].removeAll(
          { namespace: ns, labelSelector: selector, propagationPolicy: "Background" } as P,
        );
      } catch (err) {
        throw apiError(err, `delete ${resource} ${quote(selector)} in namespace ${quote(ns)}`);
      }
    },
    async list(resource, ns, selector) {
      try {
        const l = plain(await api[resource].list({ namespace: ns, labelSelector: selector } as P));
        const meta = (l.metadata ?? {}) as { resourceVersion?: string };
        return {
          items: (l.items ?? []) as KubeJson[],
          resourceVersion: meta.resourceVersion ?? "",
        };
      } catch (err) {
        throw apiError(err, `list ${resource} in namespace ${quote(ns)}`);
      }
    },
    async watch(resource, ns, o) {
      const w = new k8s.Watch(kc);
      const controller = await w.watch(
        path(resource, ns),
        {
          labelSelector: o.selector,
          resourceVersion: o.resourceVersion,
          allowWatchBookmarks: true,
        },
        (type: string, obj: KubeJson) => o.onEvent(type as WatchEvent, obj),
        (err: unknown) => o.onDone(err ? apiError(err, `watch ${resource}`) : null),
      );
      return { stop: () => controller.abort() };
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
        throw apiError(err, `read the log of pod ${quote(pod)}`);
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
