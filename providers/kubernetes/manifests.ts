/**
 * Pure builders of what a batch submits to Kubernetes: the run's Secret (the rendezvous token and
 * the rank spec, as files mounted in every pod), a headless Service (the pods' subdomain, so rank 0
 * is `<job>-0.<service>`) and an Indexed `batch/v1` Job whose pods run the rank command of the
 * image. Pods pass Pod Security "restricted" and always request memory (what a ResourceQuota
 * counts); they are spread over nodes as the plan assumes. Names are DNS-1123 labels derived from
 * the run and batch ids (shortened with a hash when too long).
 *
 * @module
 */
import type { RankSpec } from "../../core/protocol.ts";
import type { Batch, Json } from "../../core/types.ts";
import type { PatchOp } from "./client.ts";
import type { KubeSettings } from "./settings.ts";
import { REDACTED } from "../../core/settings.ts";

/** Metadata of the objects built here. */
export type KubeMeta = {
  name: string;
  namespace: string;
  labels: { [key: string]: string };
  annotations: { [key: string]: string };
};

/** A Kubernetes object as plain JSON. */
export type KubeObject = { [key: string]: Json } & {
  apiVersion: string;
  kind: string;
  metadata: KubeMeta;
};

/** What one batch submits. */
export interface BatchManifests {
  namespace: string;
  /** Job name (also the Service's and the Secret's) */
  name: string;
  /** The submission's id (label {@linkcode LABELS.attempt}) */
  attempt: string;
  secret: KubeObject;
  service: KubeObject;
  job: KubeObject;
}

/** Labels every object of a run carries. */
export const LABELS = {
  runId: "scalebench.io/run-id",
  batch: "scalebench.io/batch",
  job: "scalebench.io/job",
  /** One submission of a batch: a resumed run's Service never selects the pods of an older one */
  attempt: "scalebench.io/attempt",
} as const;

/** Container name of a rank. */
export const CONTAINER = "rank";
/** Where the run's Secret is mounted in the pods. */
export const RUN_FILES_DIR = "/var/run/scalebench";
/** Keys (file names) of the run's Secret. */
export const SECRET_FILES = { token: "token", spec: "spec.json" } as const;
/** Key of the token in the Secret. */
export const TOKEN_KEY = SECRET_FILES.token;
/** Group of the rank processes that may read the mounted Secrets (the image's user is 10001). */
export const POD_FS_GROUP = 10001;
/** The node label pods are spread over. */
export const HOSTNAME_KEY = "kubernetes.io/hostname";

/** 32-bit FNV-1a of a string, as 8 hex digits. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

function clean(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/-+/g, "-").replace(
    /^-+|-+$/g,
    "",
  );
}

/**
 * The Job name of a batch: `<prefix>-<run id>-<batch id>` as a DNS-1035 label of at most `max`
 * characters (pod hostnames `<job>-<index>` must fit in 63); when too long, the run id is
 * shortened and a hash of the full name keeps it unique.
 */
export function jobName(prefix: string, runId: string, batchId: string, max = 52): string {
  let batch = clean(batchId);
  let head = clean(`${prefix}-${runId}`);
  if (!/^[a-z]/.test(head)) head = `sb-${head}`;
  const full = clean(`${head}-${batch}`);
  if (full.length <= max) return full;
  const hash = shortHash(`${prefix}\n${runId}\n${batchId}`);
  batch = batch.slice(0, Math.max(0, max - 11 - hash.length)).replace(/-+$/, "");
  const room = max - hash.length - batch.length - 2;
  head = head.slice(0, Math.max(1, room)).replace(/-+$/, "");
  return [head, hash, batch].filter(Boolean).join("-").slice(0, max).replace(/-+$/, "");
}

/** A valid label value for any text: kept when valid, else cleaned, shortened and hashed. */
export function labelValue(text: string): string {
  if (text.length <= 63 && /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/.test(text)) return text;
  const body = text.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, 54)
    .replace(/[^A-Za-z0-9]+$/, "");
  return body ? `${body}-${shortHash(text)}` : shortHash(text);
}

/** Label selector of every object of run `runId`. */
export function runSelector(runId: string): string {
  return `${LABELS.runId}=${labelValue(runId)}`;
}

/** Label selector of the pods of one batch's Job. */
export function jobSelector(name: string): string {
  return `${LABELS.job}=${name}`;
}

/** cpu and memory of one rank: cpu requests = limits = threads; memory see below. */
export function rankResources(
  point: Batch["point"],
  memory: { perNodeGi: number | null; request: string },
): { requests: Record<string, string>; limits: Record<string, string> } {
  const cpu = String(point.threads);
  if (memory.perNodeGi === null) {
    // no limit, but a request: a namespace with a ResourceQuota on memory refuses pods without
    return { requests: { cpu, memory: memory.request }, limits: { cpu } };
  }
  const perNode = Math.ceil(point.ranks / Math.max(1, point.nodes));
  const mem = `${Math.max(1, Math.floor((memory.perNodeGi * 1024) / perNode))}Mi`;
  return { requests: { cpu, memory: mem }, limits: { cpu, memory: mem } };
}

/** What {@linkcode buildManifests} needs. */
export interface ManifestOptions {
  runId: string;
  settings: KubeSettings;
  /** Namespace to use (the setting, else the kubeconfig context's, else `default`) */
  namespace: string;
  /** The batch's rank spec without rendezvous host/port (filled in here) */
  spec: RankSpec;
  /** The rendezvous token; absent: the Secret shows {@linkcode REDACTED} */
  token?: string;
  /** This submission's id, a label value (default: a hash of the run and batch ids) */
  attempt?: string;
  /** With TLS: the name rank 0's certificate is for (SCALEBENCH_TLS_SERVER_NAME) */
  tlsServerName?: string | null;
  /** More files for the run's Secret, name → content (mounted beside the token and the spec) */
  secretFiles?: Record<string, string>;
  /** `--tls` with the run's own CA: its files are among `secretFiles` (SCALEBENCH_TLS_DIR is there) */
  runTls?: boolean;
}

/** How the pods of a point are placed: spread as the plan assumes (`nodes` nodes, even). */
export function placement(
  point: Batch["point"],
  match: Record<string, string>,
): { affinity?: { [key: string]: Json }; topologySpreadConstraints?: Json[] } {
  if (point.ranks < 2) return {};
  const labelSelector = { matchLabels: match };
  if (point.nodes <= 1) {
    // one node: every rank beside the others (the first pod goes where it fits)
    return {
      affinity: {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [{
            labelSelector,
            topologyKey: HOSTNAME_KEY,
          }],
        },
      },
    };
  }
  // several nodes: at most one rank more on a node than on another
  return {
    topologySpreadConstraints: [{
      maxSkew: 1,
      topologyKey: HOSTNAME_KEY,
      whenUnsatisfiable: "DoNotSchedule",
      labelSelector,
    }],
  };
}

/** The patch that makes the Job own an object: deleting the Job (its TTL) deletes it too. */
export function ownedBy(job: { name: string; uid: string }): PatchOp[] {
  return [{
    op: "add",
    path: "/metadata/ownerReferences",
    value: [{
      apiVersion: "batch/v1",
      kind: "Job",
      name: job.name,
      uid: job.uid,
      blockOwnerDeletion: false,
    }],
  }];
}

/** The Secret, Service and Job of a batch. */
export function buildManifests(batch: Batch, options: ManifestOptions): BatchManifests {
  const { settings: s, namespace } = options;
  const name = jobName(s.jobPrefix, options.runId, batch.id);
  const attempt = options.attempt ?? shortHash(`${options.runId}\n${batch.id}`);
  const labels = {
    "app.kubernetes.io/name": "scalebench",
    "app.kubernetes.io/managed-by": "scalebench",
    [LABELS.runId]: labelValue(options.runId),
    [LABELS.batch]: labelValue(batch.id),
  };
  const meta = () => ({
    name,
    namespace,
    labels: { ...labels },
    annotations: { "scalebench.io/run-id": options.runId },
  });
  const spec: RankSpec = {
    ...options.spec,
    rendezvous: { ...options.spec.rendezvous, host: `${name}-0.${name}`, port: s.port },
  };
  delete spec.rendezvous.bind;
  delete spec.rendezvous.file;
  const secret: KubeObject = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: meta(),
    type: "Opaque",
    stringData: {
      [SECRET_FILES.token]: options.token ?? REDACTED,
      [SECRET_FILES.spec]: JSON.stringify(spec),
      ...options.secretFiles,
    },
  };
  const podLabels = { [LABELS.job]: name, [LABELS.attempt]: attempt };
  const service: KubeObject = {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(),
    spec: {
      clusterIP: "None",
      publishNotReadyAddresses: true,
      selector: podLabels,
      ports: [{ name: "rendezvous", port: s.port, targetPort: s.port, protocol: "TCP" }],
    },
  };
  // the spec and the token are files: an environment string is capped at 128 KiB
  const env: Json[] = [
    { name: "SCALEBENCH_SPEC_FILE", value: `${RUN_FILES_DIR}/${SECRET_FILES.spec}` },
    { name: "SCALEBENCH_TOKEN_FILE", value: `${RUN_FILES_DIR}/${SECRET_FILES.token}` },
  ];
  const mounts: Json[] = [{ name: "run", mountPath: RUN_FILES_DIR, readOnly: true }];
  const volumes: Json[] = [{ name: "run", secret: { secretName: name, defaultMode: 0o440 } }];
  const resources = rankResources(batch.point, {
    perNodeGi: s.memPerNode,
    request: s.memRequest,
  });
  const container: { [key: string]: Json } = {
    name: CONTAINER,
    image: s.image,
    command: s.rankCommand,
    env,
    resources,
    ports: [{ name: "rendezvous", containerPort: s.port, protocol: "TCP" }],
    volumeMounts: mounts,
    terminationMessagePolicy: "FallbackToLogsOnError",
    // Pod Security "restricted"
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
  };
  if (s.imagePullPolicy) container.imagePullPolicy = s.imagePullPolicy;
  const placed = placement(batch.point, podLabels);
  const pod: { [key: string]: Json } = {
    subdomain: name,
    restartPolicy: "Never",
    terminationGracePeriodSeconds: 5,
    enableServiceLinks: false,
    automountServiceAccountToken: false,
    securityContext: {
      runAsNonRoot: true,
      fsGroup: POD_FS_GROUP,
      seccompProfile: { type: "RuntimeDefault" },
    },
    containers: [container],
    volumes,
  };
  if (options.runTls) {
    env.push({ name: "SCALEBENCH_TLS_DIR", value: RUN_FILES_DIR });
    env.push({ name: "SCALEBENCH_TLS_SERVER_NAME", value: options.tlsServerName ?? "" });
  } else if ((s.useTls || spec.rendezvous.tls) && s.certSecret) {
    env.push({ name: "SCALEBENCH_TLS_DIR", value: s.certDir });
    if (options.tlsServerName) {
      env.push({ name: "SCALEBENCH_TLS_SERVER_NAME", value: options.tlsServerName });
    }
    mounts.push({ name: "tls", mountPath: s.certDir, readOnly: true });
    volumes.push({ name: "tls", secret: { secretName: s.certSecret, defaultMode: 0o440 } });
  }
  if (s.serviceAccount) pod.serviceAccountName = s.serviceAccount;
  if (Object.keys(s.nodeSelector).length) pod.nodeSelector = s.nodeSelector;
  // the user's affinity wins over ours, kind by kind
  if (placed.affinity || s.affinity) pod.affinity = { ...placed.affinity, ...s.affinity };
  if (placed.topologySpreadConstraints) {
    pod.topologySpreadConstraints = placed.topologySpreadConstraints;
  }
  if (s.tolerations) pod.tolerations = s.tolerations;
  if (s.imagePullSecrets.length) {
    pod.imagePullSecrets = s.imagePullSecrets.map((n) => ({ name: n }));
  }
  const jobSpec: { [key: string]: Json } = {
    completionMode: "Indexed",
    completions: batch.point.ranks,
    parallelism: batch.point.ranks,
    backoffLimit: 0,
    ttlSecondsAfterFinished: s.ttlSeconds,
    template: {
      metadata: { labels: { ...labels, ...podLabels } },
      spec: pod,
    },
  };
  if (s.activeDeadline > 0) jobSpec.activeDeadlineSeconds = s.activeDeadline;
  const job: KubeObject = { apiVersion: "batch/v1", kind: "Job", metadata: meta(), spec: jobSpec };
  return { namespace, name, attempt, secret, service, job };
}

/** The objects of a batch as YAML documents, Secret first (its token redacted unless given). */
export async function manifestsYaml(m: BatchManifests, header?: string): Promise<string> {
  // loaded on use: `scalebench run -p local` does not need it
  const { stringify } = await import("yaml");
  const docs = [m.secret, m.service, m.job].map((o) => stringify(o, { lineWidth: 0 }));
  // every document starts with `---`, so that batches printed one after another stay valid YAML
  return (header ? `# ${header}\n` : "") + docs.map((d) => `---\n${d}`).join("");
}
