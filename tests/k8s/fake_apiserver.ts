/**
 * A fake Kubernetes API server for tests: Deno.serve over TLS on 127.0.0.1, bearer-token auth,
 * and the REST paths the provider uses — create/get/delete/list/deletecollection of jobs,
 * services, secrets and pods, watches with resourceVersion (resumable, 410 Gone once compacted),
 * pod logs with follow/timestamps/sinceTime — answering errors with Status bodies (401, 403, 404,
 * 409, 422, 400). Objects are validated against Kubernetes' OpenAPI schema (kubernetes-models).
 *
 * @module
 */
import { Job } from "kubernetes-models/batch/v1";
import { Pod, Secret, Service } from "kubernetes-models/v1";
import { type KObj, matches, parseSelector, qualified, StatusError, type Store } from "./store.ts";

/** A container's log: timestamped lines, open until the container ends. */
export class PodLog {
  readonly lines: { ts: string; key: string; text: string }[] = [];
  closed = false;
  readonly #listeners = new Set<() => void>();
  #lastMs = 0;
  #seq = 0;

  /** Append one line (without newline), stamped now with an RFC3339Nano timestamp. */
  append(text: string): void {
    const ms = Date.now();
    this.#seq = ms === this.#lastMs ? this.#seq + 1 : 0;
    this.#lastMs = ms;
    const iso = new Date(ms).toISOString(); // 2024-01-01T00:00:00.123Z
    const nanos = (iso.slice(20, 23) + String(this.#seq * 1000 + 7).padStart(6, "0"))
      .replace(/0+$/, "");
    const ts = `${iso.slice(0, 19)}${nanos ? `.${nanos}` : ""}Z`;
    this.lines.push({ ts, key: `${iso.slice(0, 19)}.${nanos.padEnd(9, "0")}`, text });
    this.#notify();
  }

  close(): void {
    this.closed = true;
    this.#notify();
  }

  /** Subscribe to appends and close; returns the unsubscribe function. */
  watch(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #notify(): void {
    for (const l of [...this.#listeners]) l();
  }
}

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
}

/** Counters for tests. */
export interface ApiStats {
  requests: number;
  watches: number;
  gone: number;
  lists: Record<string, number>;
  logs: number;
}

const RESOURCES = new Set(["jobs", "services", "secrets", "pods"]);
const KIND: Record<string, string> = {
  jobs: "Job",
  services: "Service",
  secrets: "Secret",
  pods: "Pod",
};
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

function fail(e: StatusError): Response {
  return json(e.body(), e.code);
}

function validate(resource: string, obj: KObj): void {
  const name = obj.metadata?.name ?? "";
  const kind = KIND[resource];
  const causes: { field: string; message: string }[] = [];
  const nameRule = resource === "services" ? DNS_1035 : DNS_SUBDOMAIN;
  if (!nameRule.test(name) || name.length > (resource === "services" ? 63 : 253)) {
    causes.push({
      field: "metadata.name",
      message: `Invalid value: "${name}": a lowercase RFC 1123 name`,
    });
  }
  if (obj.kind !== kind) causes.push({ field: "kind", message: `must be ${kind}` });
  try {
    const Model = { jobs: Job, services: Service, secrets: Secret, pods: Pod }[resource]!;
    // deno-lint-ignore no-explicit-any
    new Model(obj as any).validate();
  } catch (err) {
    causes.push({ field: "body", message: (err as Error).message });
  }
  if (causes.length) {
    throw new StatusError(
      422,
      "Invalid",
      `${resource === "jobs" ? "Job.batch" : kind} "${name}" is invalid: ${
        causes.map((c) => `${c.field}: ${c.message}`).join(", ")
      }`,
      { name, kind, causes },
    );
  }
}

function gone(from: number, floor: number) {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: `too old resource version: ${from} (${floor})`,
    reason: "Expired",
    code: 410,
  };
}

/** The fake API server. */
export class FakeApiServer {
  readonly stats: ApiStats = { requests: 0, watches: 0, gone: 0, lists: {}, logs: 0 };
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
        : req.method === "DELETE"
        ? (name ? "delete" : "deletecollection")
        : q.get("watch") === "true"
        ? "watch"
        : name
        ? "get"
        : "list";
      if (this.#o.forbidden?.(verb, resource, ns)) {
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
      if (sub === "log") return this.#log(ns, name!, q);
      if (verb === "create") {
        const obj = await req.json() as KObj;
        validate(resource, obj);
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
          : this.#o.store.list(resource, ns, q.get("labelSelector"));
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
        items: this.#o.store.list(resource, ns, q.get("labelSelector")),
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
    const rvText = q.get("resourceVersion");
    const from = rvText && rvText !== "0" ? Number(rvText) : null;
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
        if (!matches(e.object.metadata.labels, sel)) return;
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
      return () => store.listeners.delete(send);
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
