/**
 * The fake cluster's scheduler: places one pod on a fake node as kube-scheduler's default plugins
 * would — filters (node selector, taints and tolerations, cpu and memory requests against what is
 * left, required pod affinity on the host name, topology spread on the host name with
 * `DoNotSchedule`), then the least allocated node — or says why no node fits, in its words.
 *
 * @module
 */
import type { KObj } from "./store.ts";

/** A fake node. */
export interface FakeNode {
  name: string;
  cpu: number;
  /** Allocatable memory (default 16Gi) */
  memory?: string;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: "NoSchedule" | "NoExecute" }[];
}

const UNITS: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  m: 1e-3,
};

/** A Kubernetes quantity (`500m`, `2`, `512Mi`, `1G`) as a number (cores or bytes). */
export function quantity(text: string | number | undefined): number {
  if (text === undefined) return 0;
  const m = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(String(text));
  if (!m) throw new Error(`bad quantity ${JSON.stringify(text)}`);
  return Number(m[1]) * UNITS[m[2] ?? ""];
}

/** Summed requests (or limits) of a pod's containers. */
export function podResources(pod: KObj, kind: "requests" | "limits"): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of pod.spec?.containers ?? []) {
    for (const [k, v] of Object.entries(c.resources?.[kind] ?? {})) {
      out[k] = (out[k] ?? 0) + quantity(v as string);
    }
  }
  return out;
}

/** Whether a pod occupies its node (scheduled, not ended; a terminating pod still does). */
export function occupies(pod: KObj): boolean {
  return Boolean(pod.spec?.nodeName) && !["Succeeded", "Failed"].includes(pod.status?.phase);
}

function nodeLabels(n: FakeNode): Record<string, string> {
  return { "kubernetes.io/hostname": n.name, ...n.labels };
}

function matchLabels(sel: { matchLabels?: Record<string, string> }, labels = {}): boolean {
  const l = labels as Record<string, string>;
  return Object.entries(sel?.matchLabels ?? {}).every(([k, v]) => l[k] === v);
}

function tolerates(pod: KObj, taint: NonNullable<FakeNode["taints"]>[number]): boolean {
  return (pod.spec?.tolerations ?? []).some((t: Record<string, string>) =>
    (t.key === undefined || t.key === taint.key) &&
    (t.operator === "Exists" || (t.value ?? "") === (taint.value ?? "")) &&
    (!t.effect || t.effect === taint.effect)
  );
}

/** Where `pod` goes among `nodes`, given the pods placed already; or why it cannot go anywhere. */
export function schedule(
  pod: KObj,
  nodes: FakeNode[],
  placed: KObj[],
): { node: string } | { unschedulable: string } {
  const need = podResources(pod, "requests");
  const reasons = new Map<string, number>();
  const reject = (why: string) => reasons.set(why, (reasons.get(why) ?? 0) + 1);
  const on = (n: FakeNode) => placed.filter((p) => occupies(p) && p.spec.nodeName === n.name);
  const selector = pod.spec?.nodeSelector ?? {};
  const eligible = nodes.filter((n) =>
    Object.entries(selector).every(([k, v]) => nodeLabels(n)[k] === v)
  );
  const affinity = pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution
    ?.[0];
  const spread = (pod.spec?.topologySpreadConstraints ?? []).find((c: Record<string, unknown>) =>
    c.whenUnsatisfiable === "DoNotSchedule"
  );
  const count = (n: FakeNode, sel: { matchLabels?: Record<string, string> }) =>
    on(n).filter((p) => matchLabels(sel, p.metadata.labels)).length;
  const peers = affinity ? nodes.filter((n) => count(n, affinity.labelSelector) > 0) : [];
  const minSpread = spread ? Math.min(...eligible.map((n) => count(n, spread.labelSelector))) : 0;
  const fits: { node: FakeNode; free: number }[] = [];
  for (const n of nodes) {
    if (!eligible.includes(n)) {
      reject("node(s) didn't match Pod's node affinity/selector");
      continue;
    }
    const taint = (n.taints ?? []).find((t) => !tolerates(pod, t));
    if (taint) {
      reject(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`);
      continue;
    }
    const used = on(n).map((p) => podResources(p, "requests"));
    const freeCpu = n.cpu - used.reduce((a, r) => a + (r.cpu ?? 0), 0);
    const freeMem = quantity(n.memory ?? "16Gi") - used.reduce((a, r) => a + (r.memory ?? 0), 0);
    let short = false;
    if ((need.cpu ?? 0) > freeCpu) reject("Insufficient cpu"), short = true;
    if ((need.memory ?? 0) > freeMem) reject("Insufficient memory"), short = true;
    if (short) continue;
    if (affinity && peers.length && !peers.includes(n)) {
      reject("node(s) didn't match pod affinity rules");
      continue;
    }
    if (spread && count(n, spread.labelSelector) + 1 - minSpread > (spread.maxSkew ?? 1)) {
      reject("node(s) didn't match pod topology spread constraints");
      continue;
    }
    fits.push({ node: n, free: freeCpu / n.cpu });
  }
  if (fits.length) {
    // NodeResourcesFit's default score: the least allocated node (the first of equals)
    fits.sort((a, b) => b.free - a.free);
    return { node: fits[0].node.name };
  }
  const total = nodes.length;
  const list = [...reasons].sort(([a], [b]) => a.localeCompare(b)).map(([w, k]) => `${k} ${w}`);
  const resourcesOnly = [...reasons.keys()].every((w) => w.startsWith("Insufficient"));
  return {
    unschedulable: `0/${total} nodes are available: ${list.join(", ")}. preemption: 0/${total} ` +
      `nodes are available: ${total} ${
        resourcesOnly
          ? "No preemption victims found for incoming pod."
          : "Preemption is not helpful for scheduling."
      }`,
  };
}
