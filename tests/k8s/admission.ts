/**
 * The fake API server's admission of pods, per namespace: Pod Security "restricted" (the checks
 * of the Pod Security Standards that a rank pod can fail, with the PodSecurity admission
 * plugin's messages) and a ResourceQuota on pods, cpu and memory (requests and limits) that counts
 * every pod not yet ended — terminating ones too — with the quota admission plugin's messages.
 *
 * @module
 */
import { podResources, quantity } from "./scheduler.ts";
import { type KObj, StatusError } from "./store.ts";

/** A namespace's policies. */
export interface NamespacePolicy {
  /** `pod-security.kubernetes.io/enforce` */
  podSecurity?: "privileged" | "baseline" | "restricted";
  /** A ResourceQuota: name and hard limits (`pods`, `requests.cpu`, `limits.memory`…) */
  quota?: { name: string; hard: Record<string, string> };
}

const SAFE_VOLUMES = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
]);

/** What Pod Security "restricted" finds wrong with a pod ([] when it passes). */
export function restrictedViolations(pod: KObj): string[] {
  const spec = pod.spec ?? {};
  const psc = spec.securityContext ?? {};
  const containers: { name: string; securityContext?: Record<string, unknown> }[] = [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
  ];
  const names = (pred: (c: (typeof containers)[number]) => boolean) =>
    containers.filter(pred).map((c) => `"${c.name}"`);
  const plural = (n: string[]) => (n.length > 1 ? `containers ${n.join(", ")}` : `container ${n}`);
  const out: string[] = [];
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) {
    out.push("host namespaces (hostNetwork=true, hostPID=true or hostIPC=true)");
  }
  const privileged = names((c) =>
    Boolean((c.securityContext as { privileged?: boolean })?.privileged)
  );
  if (privileged.length) {
    out.push(`privileged (${plural(privileged)} must not set privileged=true)`);
  }
  const badVolumes = (spec.volumes ?? []).filter((v: Record<string, unknown>) =>
    !Object.keys(v).some((k) => SAFE_VOLUMES.has(k))
  ).map((v: { name: string }) => `"${v.name}"`);
  if (badVolumes.length) out.push(`restricted volume types (volumes ${badVolumes.join(", ")})`);
  const escalation = names((c) => c.securityContext?.allowPrivilegeEscalation !== false);
  if (escalation.length) {
    out.push(
      `allowPrivilegeEscalation != false (${
        plural(escalation)
      } must set securityContext.allowPrivilegeEscalation=false)`,
    );
  }
  const caps = names((c) => {
    const cap = (c.securityContext?.capabilities ?? {}) as { drop?: string[]; add?: string[] };
    return !(cap.drop ?? []).includes("ALL") ||
      (cap.add ?? []).some((a) => a !== "NET_BIND_SERVICE");
  });
  if (caps.length) {
    out.push(
      `unrestricted capabilities (${
        plural(caps)
      } must set securityContext.capabilities.drop=["ALL"])`,
    );
  }
  const nonRoot = names((c) =>
    (c.securityContext?.runAsNonRoot ?? psc.runAsNonRoot) !== true ||
    (c.securityContext?.runAsUser ?? psc.runAsUser) === 0
  );
  if (nonRoot.length) {
    out.push(
      `runAsNonRoot != true (pod or ${plural(nonRoot)} must set securityContext.runAsNonRoot=true)`,
    );
  }
  const seccomp = names((c) => {
    const t = ((c.securityContext?.seccompProfile ?? psc.seccompProfile) as { type?: string })
      ?.type;
    return t !== "RuntimeDefault" && t !== "Localhost";
  });
  if (seccomp.length) {
    out.push(
      `seccompProfile (pod or ${
        plural(seccomp)
      } must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`,
    );
  }
  return out;
}

/** Admit a new pod into a namespace holding `pods`, or throw the 403 the API server answers. */
export function admitPod(pod: KObj, policy: NamespacePolicy | undefined, pods: KObj[]): void {
  const name = pod.metadata.name;
  const forbid = (why: string) => {
    throw new StatusError(403, "Forbidden", `pods "${name}" is forbidden: ${why}`, {
      name,
      kind: "pods",
    });
  };
  if (policy?.podSecurity === "restricted") {
    const v = restrictedViolations(pod);
    if (v.length) forbid(`violates PodSecurity "restricted:latest": ${v.join(", ")}`);
  }
  const quota = policy?.quota;
  if (!quota) return;
  const amount = (p: KObj, key: string): number => {
    if (key === "pods") return 1;
    const [kind, res] = key.split(".") as ["requests" | "limits", string];
    return podResources(p, kind)[res] ?? 0;
  };
  const keys = Object.keys(quota.hard).sort();
  // a quota on a compute resource needs every container to say how much it wants
  const missing = keys.filter((k) => k !== "pods").filter((k) => {
    const [kind, res] = k.split(".");
    return (pod.spec?.containers ?? []).some((c: { resources?: Record<string, object> }) =>
      !(c.resources?.[kind] as Record<string, string> | undefined)?.[res]
    );
  });
  if (missing.length) {
    const container = pod.spec.containers[0].name;
    forbid(
      `failed quota: ${quota.name}: must specify ${
        missing.map((k) => `${k} for: ${container}`).join("; ")
      }`,
    );
  }
  const live = pods.filter((p) => !["Succeeded", "Failed"].includes(p.status?.phase));
  const over = keys.filter((k) =>
    live.reduce((a, p) => a + amount(p, k), 0) + amount(pod, k) > quantity(quota.hard[k])
  );
  if (over.length) {
    const show = (k: string, v: number) =>
      k === "pods"
        ? String(v)
        : k.endsWith("cpu")
        ? `${Math.round(v * 1000)}m`
        : `${Math.round(v / 1024 ** 2)}Mi`;
    const part = (f: (k: string) => string) => over.map((k) => `${k}=${f(k)}`).join(",");
    forbid(
      `exceeded quota: ${quota.name}, requested: ${part((k) => show(k, amount(pod, k)))}, used: ${
        part((k) => show(k, live.reduce((a, p) => a + amount(p, k), 0)))
      }, limited: ${part((k) => quota.hard[k])}`,
    );
  }
}
