/**
 * A fake Kubernetes API server for tests: Deno.serve over TLS on 127.0.0.1, bearer-token auth,
 * and the REST paths the provider uses — create/get/patch/delete/list/deletecollection of jobs,
 * services, secrets and pods, list and watch of events, label and field selectors, watches with
 * resourceVersion (resumable, 410 Gone once compacted) that the server ends after
 * `timeoutSeconds` and keeps alive with a bookmark a minute, as kube-apiserver does, pod logs with
 * follow/timestamps/sinceTime — answering errors with Status bodies (401, 403, 404, 409, 422,
 * 400). Pods pass admission (Pod Security, quotas: admission.ts). Objects are validated against
 * Kubernetes' OpenAPI schema (kubernetes-models).
 *
 * @module
 */
import { applyPatch, gone, KIND, PodLog, RESOURCES, validate } from "./objects.ts";
import {
  fieldsMatch,
  type KObj,
  matches,
  parseSelector,
  qualified,
  StatusError,
  type Store,
} from "./store.ts";

export { PodLog };

/** Hooks between the API server and the simulated controllers. */
export interface ApiServerOptions {
  store: Store;
  token: string;
  cert: string;
  key: string;
  /** The log of a pod's container, once it started */
  podLog(ns: string, pod: string): PodLog | undefined;
  /** A DELETE of an object (the controllers do graceful pod deletion and garbage collection) */
  onDelete(resource: string, obj: KObj, propagation: string): void;
  /** Deny a request with 403 */
  forbidden?(verb: string, resource: string, ns: string): boolean;
  /** Admission of a pod created through the API (throws the refusal) */
  admit?(ns: string, pod: KObj): void;
  /** End watches after their `timeoutSeconds` (default true; false: a server that forgets) */
  honorWatchTimeout?: boolean;
  /** Seconds between bookmarks on a quiet watch (default 60, as kube-apiserver) */
  bookmarkSeconds?: number;
}

/** Counters for tests. */
export interface ApiStats {
  requests: number;
  watches: number;
  /** Watches the server ended after their timeoutSeconds */
  watchTimeouts: number;
  gone: number;
  lists: Record<string, number>;
  logs: number;
  /** Requests by `verb resource` */
  verbs: Record<string, number>;
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

function fail(e: StatusError): Response {
  return json(e.body(), e.code);
}

/** The fake API server. */
export class FakeApiServer {
  readonly stats: ApiStats = {
    requests: 0,
    watches: 0,
    watchTimeouts: 0,
    gone: 0,
    lists: {},
    logs: 0,
    verbs: {},
  };
  readonly #o: ApiServerOptions;
  readonly #streams = new Map<
    ReadableStreamDefaultController<Uint8Array>,
    { kind: string; stop: () => void }
  >();
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly url: string;

  constructor(options: ApiServerOptions) {
    this.#o = options;
    this.#server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      cert: options.cert,
      key: options.key,
      onListen: () => {},
    }, (req) => this.#handle(req));
    this.url = `https://127.0.0.1:${this.#server.addr.port}`;
  }

  /** Close every open watch stream at once (a dropped connection). */
  dropWatches(): number {
    return this.#dropStreams("watch");
  }

  /** End every open watch with a 410 Gone ERROR event (the watch cache fell behind). */
  expireWatches(): number {
    this.#o.store.compact();
    let n = 0;
    for (const [c, s] of [...this.#streams]) {
      if (s.kind !== "watch") continue;
      try {
        c.enqueue(
          new TextEncoder().encode(JSON.stringify({ type: "ERROR", object: gone(0, 0) }) + "\n"),
        );
      } catch { /* closed */ }
      this.stats.gone++;
      this.#end(c);
      n++;
    }
    return n;
  }

  /** Close every open log stream at once, mid-log. */
  dropLogStreams(): number {
    return this.#dropStreams("log");
  }

  /** Open log streams send nothing more and never end (a connection gone without a word). */
  stallLogStreams(): number {
    let n = 0;
    for (const [c, s] of [...this.#streams]) {
      if (s.kind !== "log") continue;
      s.stop();
      this.#streams.set(c, { kind: "stalled", stop: () => {} });
      n++;
    }
    return n;
  }

  #dropStreams(kind: string): number {
    let n = 0;
    for (const [c, s] of [...this.#streams]) {
      if (s.kind !== kind) continue;
      this.#end(c);
      n++;
    }
    return n;
  }

  /** Close the streams and stop serving. */
  async close(): Promise<void> {
    this.#dropStreams("watch");
    this.#dropStreams("log");
    this.#dropStreams("stalled");
    await this.#server.shutdown();
  }

  #end(c: ReadableStreamDefaultController<Uint8Array>): void {
    const s = this.#streams.get(c);
    this.#streams.delete(c);
    s?.stop();
    try {
      c.close();
    } catch { /* already closed */ }
  }

  #stream(kind: string, start: (c: ReadableStreamDefaultController<Uint8Array>) => () => void) {
    let ctl: ReadableStreamDefaultController<Uint8Array>;
    return new ReadableStream<Uint8Array>({
      start: (c) => {
        ctl = c;
        const entry = { kind, stop: () => {} };
        this.#streams.set(c, entry);
        const stop = start(c);
        if (this.#streams.has(c)) entry.stop = stop;
        else stop();
      },
      cancel: () => this.#end(ctl),
    });
  }

  async #handle(req: Request): Promise<Response> {
    this.stats.requests++;
    try {
      if (req.headers.get("authorization") !== `Bearer ${this.#o.token}`) {
        throw new StatusError(401, "Unauthorized", "Unauthorized");
      }
      const url = new URL(req.url);
      const m = url.pathname.match(
        /^\/(?:api\/v1|apis\/batch\/v1)\/namespaces\/([^/]+)\/([a-z]+)(?:\/([^/]+))?(?:\/(log))?$/,
      );
      const resource = m?.[2] ?? "";
      if (
        !m || !RESOURCES.has(resource) ||
        url.pathname.startsWith("/apis/batch") !== (resource === "jobs")
      ) {
        throw new StatusError(404, "NotFound", "the server could not find the requested resource");
      }
      const [, ns, , name, sub] = m;
      const q = url.searchParams;
      const verb = req.method === "POST"
        ? "create"
        : req.method === "PATCH"
        ? "patch"
        : req.method === "DELETE"
        ? (name ? "delete" : "deletecollection")
        : q.get("watch") === "true"
        ? "watch"
        : name
        ? "get"
        : "list";
      if (
        this.#o.forbidden?.(sub === "log" ? "get" : verb, sub ? `${resource}/${sub}` : resource, ns)
      ) {
        const group = resource === "jobs" ? "batch" : "";
        throw new StatusError(
          403,
          "Forbidden",
          `${
            qualified(resource)
          } is forbidden: User "scalebench-tester" cannot ${verb} resource "${resource}" in API group "${group}" in the namespace "${ns}"`,
          { kind: resource, group },
        );
      }
      const counted = `${sub === "log" ? "get" : verb} ${sub ? `${resource}/${sub}` : resource}`;
      this.stats.verbs[counted] = (this.stats.verbs[counted] ?? 0) + 1;
      if (sub === "log") return this.#log(ns, name!, q);
      if (verb === "patch") {
        const current = this.#found(resource, ns, name!);
        const patched = applyPatch(
          current,
          await req.json(),
          req.headers.get("content-type") ?? "",
        );
        validate(resource, patched);
        const meta = patched.metadata;
        const out = this.#o.store.update(resource, ns, name!, (o) => {
          Object.assign(o, patched, { metadata: { ...meta, uid: o.metadata.uid } });
        });
        return json(out);
      }
      if (verb === "create") {
        const obj = await req.json() as KObj;
        validate(resource, obj);
        if (resource === "pods") {
          obj.metadata.namespace = ns;
          this.#o.admit?.(ns, obj);
        }
        if (resource === "secrets" && obj.stringData) {
          obj.data = { ...obj.data };
          for (const [k, v] of Object.entries(obj.stringData as Record<string, string>)) {
            obj.data[k] = btoa(v);
          }
          delete obj.stringData;
        }
        return json(this.#o.store.create(resource, ns, obj), 201);
      }
      if (verb === "get") return json(this.#found(resource, ns, name!));
      if (verb === "delete" || verb === "deletecollection") {
        const body = req.headers.get("content-length") !== "0" ? await req.text() : "";
        const opts = body ? JSON.parse(body) : {};
        // Kubernetes' REST default for Jobs is to orphan their pods
        const propagation = q.get("propagationPolicy") ?? opts.propagationPolicy ??
          (resource === "jobs" ? "Orphan" : "Background");
        const targets = verb === "delete"
          ? [this.#found(resource, ns, name!)]
          : this.#o.store.list(resource, ns, q.get("labelSelector"), q.get("fieldSelector"));
        for (const t of targets) this.#o.onDelete(resource, t, propagation);
        if (verb === "delete") {
          return json({
            kind: "Status",
            apiVersion: "v1",
            metadata: {},
            status: "Success",
            details: { name, kind: resource, uid: targets[0].metadata.uid },
          });
        }
        return json({
          kind: `${KIND[resource]}List`,
          apiVersion: "v1",
          metadata: {},
          items: targets,
        });
      }
      if (verb === "watch") return this.#watch(resource, ns, q);
      this.stats.lists[resource] = (this.stats.lists[resource] ?? 0) + 1;
      return json({
        kind: `${KIND[resource]}List`,
        apiVersion: resource === "jobs" ? "batch/v1" : "v1",
        metadata: { resourceVersion: String(this.#o.store.rv) },
        items: this.#o.store.list(resource, ns, q.get("labelSelector"), q.get("fieldSelector")),
      });
    } catch (err) {
      if (err instanceof StatusError) return fail(err);
      if (err instanceof SyntaxError) return fail(new StatusError(400, "BadRequest", err.message));
      throw err;
    }
  }

  #found(resource: string, ns: string, name: string): KObj {
    const o = this.#o.store.get(resource, ns, name);
    if (!o) {
      throw new StatusError(404, "NotFound", `${qualified(resource)} "${name}" not found`, {
        name,
        kind: resource,
      });
    }
    return o;
  }

  #watch(resource: string, ns: string, q: URLSearchParams): Response {
    this.stats.watches++;
    const store = this.#o.store;
    const sel = parseSelector(q.get("labelSelector"));
    const fsel = parseSelector(q.get("fieldSelector"));
    const rvText = q.get("resourceVersion");
    const from = rvText && rvText !== "0" ? Number(rvText) : null;
    const timeout = Number(q.get("timeoutSeconds") ?? 0);
    const bookmarks = q.get("allowWatchBookmarks") === "true";
    const enc = new TextEncoder();
    const line = (type: string, object: unknown) =>
      enc.encode(JSON.stringify({ type, object }) + "\n");
    const body = this.#stream("watch", (c) => {
      if (from !== null && from < store.floor) {
        this.stats.gone++;
        c.enqueue(line("ERROR", gone(from, store.floor)));
        this.#end(c);
        return () => {};
      }
      const send = (e: { resource: string; namespace: string; type: string; object: KObj }) => {
        if (e.resource !== resource || e.namespace !== ns) return;
        if (!matches(e.object.metadata.labels, sel) || !fieldsMatch(e.object, fsel)) return;
        try {
          c.enqueue(line(e.type, e.object));
        } catch { /* closed */ }
      };
      if (from === null) {
        for (const o of store.list(resource, ns)) {
          send({ resource, namespace: ns, type: "ADDED", object: o });
        }
      } else {
        for (const e of store.history) if (e.rv > from) send(e);
      }
      store.listeners.add(send);
      const timers: ReturnType<typeof setTimeout>[] = [];
      if (timeout > 0 && this.#o.honorWatchTimeout !== false) {
        timers.push(setTimeout(() => {
          this.stats.watchTimeouts++;
          this.#end(c);
        }, timeout * 1000));
      }
      if (bookmarks) {
        timers.push(setInterval(() => {
          try {
            c.enqueue(line("BOOKMARK", {
              kind: KIND[resource],
              apiVersion: resource === "jobs" ? "batch/v1" : "v1",
              metadata: { resourceVersion: String(store.rv) },
            }));
          } catch { /* closed */ }
        }, (this.#o.bookmarkSeconds ?? 60) * 1000));
      }
      return () => {
        store.listeners.delete(send);
        for (const t of timers) clearTimeout(t);
      };
    });
    return new Response(body, { headers: { "content-type": "application/json" } });
  }

  #log(ns: string, name: string, q: URLSearchParams): Response {
    this.stats.logs++;
    const pod = this.#found("pods", ns, name);
    const container = q.get("container") ?? pod.spec.containers[0].name;
    if (!pod.spec.containers.some((c: { name: string }) => c.name === container)) {
      throw new StatusError(
        400,
        "BadRequest",
        `container ${container} is not valid for pod ${name}`,
      );
    }
    const log = this.#o.podLog(ns, name);
    if (!log) {
      throw new StatusError(
        400,
        "BadRequest",
        `container "${container}" in pod "${name}" is waiting to start: ContainerCreating`,
      );
    }
    const stamps = q.get("timestamps") === "true";
    const since = q.get("sinceTime");
    const sinceKey = since ? `${since.slice(0, 19)}.000000000` : "";
    const follow = q.get("follow") === "true";
    const enc = new TextEncoder();
    const body = this.#stream("log", (c) => {
      let sent = 0;
      const flush = () => {
        try {
          for (; sent < log.lines.length; sent++) {
            const l = log.lines[sent];
            if (l.key < sinceKey) continue;
            c.enqueue(enc.encode(`${stamps ? `${l.ts} ` : ""}${l.text}\n`));
          }
          if (log.closed || !follow) this.#end(c);
        } catch { /* closed */ }
      };
      flush();
      return log.watch(flush);
    });
    return new Response(body, { headers: { "content-type": "text/plain" } });
  }
}
