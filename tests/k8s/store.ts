/**
 * The fake API server's object store: objects by resource, namespace and name, a global
 * resourceVersion, an event history that watches resume from (and that can be compacted, so old
 * resourceVersions get 410 Gone), label selectors, and Kubernetes Status errors.
 *
 * @module
 */

/** Object metadata, as far as the fake cares. */
export interface Meta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string }[];
  [key: string]: unknown;
}

/** A stored object. */
export interface KObj {
  apiVersion?: string;
  kind?: string;
  metadata: Meta;
  // deno-lint-ignore no-explicit-any
  [key: string]: any;
}

/** One change. */
export interface StoreEvent {
  rv: number;
  resource: string;
  namespace: string;
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: KObj;
}

/** A Kubernetes Status error (what the API server answers with). */
export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The Status body. */
  body(): Record<string, unknown> {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      details: this.details,
      code: this.code,
    };
  }
}

/** Group-qualified resource names, as in Kubernetes messages (`jobs.batch`). */
export function qualified(resource: string): string {
  return resource === "jobs" ? "jobs.batch" : resource;
}

export type Requirement = { key: string; op: "=" | "!=" | "exists" | "!exists"; value?: string };

/** Parse an equality-based label selector (`a=b,c!=d,e,!f`). */
export function parseSelector(text: string | null): Requirement[] {
  if (!text) return [];
  return text.split(",").map((part) => part.trim()).filter(Boolean).map((part) => {
    const ne = part.indexOf("!=");
    if (ne > 0) return { key: part.slice(0, ne), op: "!=" as const, value: part.slice(ne + 2) };
    const eq = part.indexOf("=");
    if (eq > 0) {
      return {
        key: part.slice(0, eq),
        op: "=" as const,
        value: part.slice(eq).replace(/^==?/, ""),
      };
    }
    if (part.startsWith("!")) return { key: part.slice(1), op: "!exists" as const };
    return { key: part, op: "exists" as const };
  });
}

/** The value of a field path (`involvedObject.uid`, `status.phase`) of an object, as a string. */
export function fieldOf(obj: KObj, path: string): string | undefined {
  // deno-lint-ignore no-explicit-any
  let v: any = obj;
  for (const part of path.split(".")) v = v?.[part];
  return v === undefined || v === null ? undefined : String(v);
}

/** Whether an object's fields satisfy a parsed field selector (`a.b=c,d!=e`). */
export function fieldsMatch(obj: KObj, sel: Requirement[]): boolean {
  return sel.every((r) => {
    const v = fieldOf(obj, r.key) ?? "";
    return r.op === "!=" ? v !== r.value : v === (r.value ?? "");
  });
}

/** Whether labels satisfy a parsed selector. */
export function matches(labels: Record<string, string> | undefined, sel: Requirement[]): boolean {
  const l = labels ?? {};
  return sel.every((r) =>
    r.op === "="
      ? l[r.key] === r.value
      : r.op === "!="
      ? l[r.key] !== r.value
      : r.op === "exists"
      ? r.key in l
      : !(r.key in l)
  );
}

/** The store. */
export class Store {
  rv = 1000;
  /** Events with rv ≤ floor are gone from the history */
  floor = 0;
  readonly history: StoreEvent[] = [];
  readonly listeners = new Set<(e: StoreEvent) => void>();
  readonly #objects = new Map<string, KObj>();

  #key(resource: string, ns: string, name: string): string {
    return `${resource}/${ns}/${name}`;
  }

  #emit(resource: string, ns: string, type: StoreEvent["type"], object: KObj): void {
    const e: StoreEvent = {
      rv: this.rv,
      resource,
      namespace: ns,
      type,
      object: structuredClone(object),
    };
    this.history.push(e);
    for (const l of [...this.listeners]) l(e);
  }

  /** Create; 409 AlreadyExists when the name is taken. */
  create(resource: string, ns: string, obj: KObj): KObj {
    const key = this.#key(resource, ns, obj.metadata.name);
    if (this.#objects.has(key)) {
      throw new StatusError(
        409,
        "AlreadyExists",
        `${qualified(resource)} "${obj.metadata.name}" already exists`,
        { name: obj.metadata.name, kind: resource },
      );
    }
    const o = structuredClone(obj);
    o.metadata.namespace = ns;
    o.metadata.uid = crypto.randomUUID();
    o.metadata.resourceVersion = String(++this.rv);
    o.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    this.#objects.set(key, o);
    this.#emit(resource, ns, "ADDED", o);
    return structuredClone(o);
  }

  /** A copy of an object, or null. */
  get(resource: string, ns: string, name: string): KObj | null {
    const o = this.#objects.get(this.#key(resource, ns, name));
    return o ? structuredClone(o) : null;
  }

  /** Change an object in place (a MODIFIED event); null when it does not exist. */
  update(resource: string, ns: string, name: string, change: (o: KObj) => void): KObj | null {
    const o = this.#objects.get(this.#key(resource, ns, name));
    if (!o) return null;
    change(o);
    o.metadata.resourceVersion = String(++this.rv);
    this.#emit(resource, ns, "MODIFIED", o);
    return structuredClone(o);
  }

  /** Remove an object now (a DELETED event); null when it did not exist. */
  remove(resource: string, ns: string, name: string): KObj | null {
    const key = this.#key(resource, ns, name);
    const o = this.#objects.get(key);
    if (!o) return null;
    this.#objects.delete(key);
    o.metadata.resourceVersion = String(++this.rv);
    this.#emit(resource, ns, "DELETED", o);
    return structuredClone(o);
  }

  /** Objects of a resource (in a namespace, or all with ns null) matching label and field selectors. */
  list(
    resource: string,
    ns: string | null,
    selector: string | null = null,
    fields: string | null = null,
  ): KObj[] {
    const sel = parseSelector(selector);
    const fsel = parseSelector(fields);
    const out: KObj[] = [];
    for (const [key, o] of this.#objects) {
      const [r, n] = key.split("/");
      if (
        r === resource && (ns === null || n === ns) && matches(o.metadata.labels, sel) &&
        fieldsMatch(o, fsel)
      ) {
        out.push(structuredClone(o));
      }
    }
    return out.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  /** Forget the event history: watches from an older resourceVersion get 410 Gone. */
  compact(): void {
    this.floor = this.rv;
    this.history.length = 0;
  }

  /** Every object left, as `resource/namespace/name`. */
  keys(): string[] {
    return [...this.#objects.keys()].sort();
  }
}
