/**
 * Pure builders of what a batch submits to Kubernetes: a Secret with the rendezvous token, a
 * headless Service (the pods' subdomain, so rank 0 is `<job>-0.<service>`) and an Indexed
 * `batch/v1` Job whose pods run the rank command of the image. Names are DNS-1123 labels derived
 * from the run and batch ids (shortened with a hash when too long).
 *
 * @module
 */
import type { RankSpec } from "../../core/protocol.ts";
import type { Batch, Json } from "../../core/types.ts";
import type { KubeSettings } from "./settings.ts";

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
  secret: KubeObject;
  service: KubeObject;
  job: KubeObject;
}

/** Labels every object of a run carries. */
export const LABELS = {
  runId: "scalebench.io/run-id",
  batch: "scalebench.io/batch",
  job: "scalebench.io/job",
} as const;

/** Container name of a rank. */
export const CONTAINER = "rank";
/** Key of the token in the Secret. */
export const TOKEN_KEY = "token";
/** What saved manifests show instead of the token. */
export const REDACTED = "<redacted>";

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

/** cpu and memory of one rank: requests = limits. */
export function rankResources(
  point: Batch["point"],
  memPerNodeGi: number | null,
): Record<string, string> {
  const out: Record<string, string> = { cpu: String(point.threads) };
  if (memPerNodeGi !== null) {
    const perNode = Math.ceil(point.ranks / Math.max(1, point.nodes));
    out.memory = `${Math.max(1, Math.floor((memPerNodeGi * 1024) / perNode))}Mi`;
  }
  return out;
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
}

/** The Secret, Service and Job of a batch. */
export function buildManifests(batch: Batch, options: ManifestOptions): BatchManifests {
  const { settings: s, namespace } = options;
  const name = jobName(s.jobPrefix, options.runId, batch.id);
  const labels = {
    "app.kubernetes.io/name": "scalebench",
    "app.kubernetes.io/managed-by": "scalebench",
    [LABELS.runId]: labelValue(options.runId),
    [LABELS.batch]: labelValue(batch.id),
  };
  const meta = (extra: Record<string, string> = {}) => ({
    name,
    namespace,
    labels: { ...labels, ...extra },
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
    stringData: { [TOKEN_KEY]: options.token ?? REDACTED },
  };
  const service: KubeObject = {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(),
    spec: {
      clusterIP: "None",
      publishNotReadyAddresses: true,
      selector: { [LABELS.job]: name },
      ports: [{ name: "rendezvous", port: s.port, targetPort: s.port, protocol: "TCP" }],
    },
  };
  const env: Json[] = [
    { name: "SCALEBENCH_SPEC", value: JSON.stringify(spec) },
    {
      name: "SCALEBENCH_TOKEN",
      valueFrom: { secretKeyRef: { name, key: TOKEN_KEY } },
    },
  ];
  const container: { [key: string]: Json } = {
    name: CONTAINER,
    image: s.image,
    command: s.rankCommand,
    env,
    resources: {
      requests: rankResources(batch.point, s.memPerNode),
      limits: rankResources(batch.point, s.memPerNode),
    },
    ports: [{ name: "rendezvous", containerPort: s.port, protocol: "TCP" }],
    terminationMessagePolicy: "FallbackToLogsOnError",
  };
  if (s.imagePullPolicy) container.imagePullPolicy = s.imagePullPolicy;
  const pod: { [key: string]: Json } = {
    subdomain: name,
    restartPolicy: "Never",
    terminationGracePeriodSeconds: 5,
    enableServiceLinks: false,
    automountServiceAccountToken: false,
    containers: [container],
  };
  if (s.useTls && s.certSecret) {
    env.push({ name: "SCALEBENCH_TLS_DIR", value: s.certDir });
    container.volumeMounts = [{ name: "tls", mountPath: s.certDir, readOnly: true }];
    pod.volumes = [{ name: "tls", secret: { secretName: s.certSecret } }];
  }
  if (s.serviceAccount) pod.serviceAccountName = s.serviceAccount;
  if (Object.keys(s.nodeSelector).length) pod.nodeSelector = s.nodeSelector;
  if (s.affinity) pod.affinity = s.affinity;
  if (s.tolerations) pod.tolerations = s.tolerations;
  if (s.imagePullSecrets.length) {
    pod.imagePullSecrets = s.imagePullSecrets.map((n) => ({ name: n }));
  }
  const job: KubeObject = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: meta(),
    spec: {
      completionMode: "Indexed",
      completions: batch.point.ranks,
      parallelism: batch.point.ranks,
      backoffLimit: 0,
      ttlSecondsAfterFinished: s.ttlSeconds,
      template: {
        metadata: { labels: { ...labels, [LABELS.job]: name } },
        spec: pod,
      },
    },
  };
  return { namespace, name, secret, service, job };
}

/** The objects of a batch as YAML documents, Secret first (its token redacted unless given). */
export async function manifestsYaml(m: BatchManifests, header?: string): Promise<string> {
  // loaded on use: `scalebench run -p local` does not need it
  const { stringify } = await import("yaml");
  const docs = [m.secret, m.service, m.job].map((o) => stringify(o, { lineWidth: 0 }));
  // every document starts with `---`, so that batches printed one after another stay valid YAML
  return (header ? `# ${header}\n` : "") + docs.map((d) => `---\n${d}`).join("");
}
