/**
 * What the fake API server does to objects, apart from serving them: validation against
 * Kubernetes' OpenAPI schema (kubernetes-models) and its name and size rules, JSON Patch and merge
 * patch, the Status of an expired watch, and a container's log.
 *
 * @module
 */
import { Job } from "kubernetes-models/batch/v1";
import { Pod, Secret, Service } from "kubernetes-models/v1";
import { type KObj, StatusError } from "./store.ts";

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

/** The resources served. */
export const RESOURCES: ReadonlySet<string> = new Set([
  "jobs",
  "services",
  "secrets",
  "pods",
  "events",
]);
/** Kinds by resource. */
export const KIND: Record<string, string> = {
  jobs: "Job",
  services: "Service",
  secrets: "Secret",
  pods: "Pod",
  events: "Event",
};

/** Apply an RFC 6902 JSON Patch (add/replace/remove) or an RFC 7386 merge patch. */
export function applyPatch(obj: KObj, patch: unknown, type: string): KObj {
  const out = structuredClone(obj);
  if (type.startsWith("application/merge-patch")) {
    const merge = (t: Record<string, unknown>, p: Record<string, unknown>) => {
      for (const [k, v] of Object.entries(p)) {
        if (v === null) delete t[k];
        else if (typeof v === "object" && !Array.isArray(v) && typeof t[k] === "object") {
          merge(t[k] as Record<string, unknown>, v as Record<string, unknown>);
        } else t[k] = v;
      }
    };
    merge(out, patch as Record<string, unknown>);
    return out;
  }
  if (!type.startsWith("application/json-patch") || !Array.isArray(patch)) {
    throw new StatusError(
      415,
      "UnsupportedMediaType",
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json`,
    );
  }
  for (const op of patch as { op: string; path: string; value?: unknown }[]) {
    const parts = op.path.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
    const last = parts.pop()!;
    // deno-lint-ignore no-explicit-any
    let at: any = out;
    for (const p of parts) at = at?.[p];
    if (at === undefined || at === null) {
      throw new StatusError(422, "Invalid", `doc is missing path: "${op.path}"`);
    }
    if (op.op === "remove") delete at[last];
    else if (op.op === "add" || op.op === "replace") at[last] = op.value;
    else throw new StatusError(422, "Invalid", `Unexpected kind: ${op.op}`);
  }
  return out;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Check a new or changed object as the API server would; a 422 Invalid StatusError if not. */
export function validate(resource: string, obj: KObj): void {
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
  if (resource === "secrets") {
    const size = [obj.data ?? {}, obj.stringData ?? {}].flatMap((d) => Object.values(d))
      .reduce((n: number, v) => n + String(v).length, 0);
    if (size > 1024 * 1024) {
      causes.push({ field: "data", message: "Too long: must have at most 1048576 bytes" });
    }
  }
  if (resource !== "events") {
    try {
      const Model = { jobs: Job, services: Service, secrets: Secret, pods: Pod }[resource]!;
      // deno-lint-ignore no-explicit-any
      new Model(obj as any).validate();
    } catch (err) {
      causes.push({ field: "body", message: (err as Error).message });
    }
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

/** The Status of a watch from a compacted resourceVersion (410 Gone). */
export function gone(from: number, floor: number) {
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
