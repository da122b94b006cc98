/**
 * Settings of the Kubernetes provider, declared once (core/settings.ts): each with its flag and
 * environment keys, scalebench's own `SCALEBENCH_K8S_*` first, then dask-bench's
 * (`KUBE_NAMESPACE`, `CONTAINER_IMAGE`, `KUBECLUSTER_NAME`, `USE_SSL`, `SECRET_CERT_NAME`,
 * `MEM_PER_NODE`). dask-bench's `CERT_DIR` (a directory of certificates on the client),
 * `SCHEDULER_CORES` and `SCHEDULER_MEM` have no meaning here: the certificate comes from the
 * secret, and rank 0 hosts the rendezvous itself. {@linkcode kubeSettings} turns the typed record
 * into what the manifests use (label maps, parsed JSON) and checks what no single setting can.
 *
 * @module
 */
import { defineSettings, type SettingsOf } from "../../core/settings.ts";
import type { Json } from "../../core/types.ts";
import { VERSION } from "../../core/version.ts";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_NAME =
  /^(\*\.)?[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$/;
const QUANTITY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function dnsLabel(v: string): string | undefined {
  return v.length <= 63 && DNS_LABEL.test(v)
    ? undefined
    : "expects a DNS-1123 label: lowercase letters, digits and '-', at most 63";
}

function jsonOf(kind: "object" | "array") {
  return (v: string): string | undefined => {
    if (v === "") return undefined;
    try {
      const parsed = JSON.parse(v);
      const ok = kind === "array"
        ? Array.isArray(parsed)
        : parsed !== null && typeof parsed === "object" && !Array.isArray(parsed);
      return ok ? undefined : `expects a JSON ${kind}`;
    } catch {
      return `expects a JSON ${kind}`;
    }
  };
}

function selector(v: string[]): string | undefined {
  for (const entry of v) {
    const [key, value, extra] = entry.split("=");
    if (extra !== undefined || value === undefined || !LABEL_KEY.test(key)) {
      return `expects label=value entries (got '${entry}')`;
    }
    if (value.length > 63 || !LABEL_VALUE.test(value)) {
      return `has a bad label value in '${entry}'`;
    }
  }
  return undefined;
}

const seconds = (v: number) => (v >= 0 ? undefined : "expects seconds ≥ 0");

/** The provider's settings. */
export const KUBERNETES_SETTINGS = defineSettings({
  kubeconfig: {
    flag: "--kubeconfig <file>",
    env: ["SCALEBENCH_K8S_KUBECONFIG", "KUBECONFIG"],
    type: "string",
    default: null,
    help: "kubeconfig file(s), ':'-separated (default: ~/.kube/config, else in-cluster)",
  },
  context: {
    flag: "--k8s-context <name>",
    env: ["SCALEBENCH_K8S_CONTEXT"],
    type: "string",
    default: null,
    help: "kubeconfig context (default: the current context)",
  },
  namespace: {
    flag: "--k8s-namespace <ns>",
    env: ["SCALEBENCH_K8S_NAMESPACE", "KUBE_NAMESPACE"],
    type: "string",
    default: null,
    help: "Namespace of the Jobs (default: the context's, else 'default')",
    validate: dnsLabel,
  },
  image: {
    flag: "--k8s-image <image>",
    env: ["SCALEBENCH_K8S_IMAGE", "CONTAINER_IMAGE"],
    type: "string",
    default: `scalebench:${VERSION}`,
    help: "Container image with scalebench (build one: scalebench image)",
  },
  imagePullPolicy: {
    flag: "--k8s-image-pull-policy <policy>",
    env: ["SCALEBENCH_K8S_IMAGE_PULL_POLICY"],
    type: "string",
    default: null,
    choices: ["Always", "IfNotPresent", "Never"],
    help: "Always, IfNotPresent or Never (default: Kubernetes')",
  },
  jobPrefix: {
    flag: "--k8s-job-prefix <name>",
    env: ["SCALEBENCH_K8S_JOB_PREFIX", "KUBECLUSTER_NAME"],
    type: "string",
    default: "scalebench",
    help: "Prefix of Job, Service and Secret names",
    validate: dnsLabel,
  },
  memPerNode: {
    // the flag is shared with the Slurm provider (GB there)
    flag: "--mem-per-node <n>",
    env: ["SCALEBENCH_K8S_MEM_PER_NODE", "SCALEBENCH_MEM_PER_NODE", "MEM_PER_NODE"],
    type: "float",
    default: null,
    help: "Memory of one node in Gi, shared by its ranks (requests = limits; default: no limit)",
    validate: (v) => (v > 0 ? undefined : "expects Gi > 0"),
  },
  memRequest: {
    flag: "--k8s-mem-request <quantity>",
    env: ["SCALEBENCH_K8S_MEM_REQUEST"],
    type: "string",
    default: "512Mi",
    help:
      "Memory request of a rank without --mem-per-node (what a ResourceQuota counts; no limit then)",
    validate: (v) => (QUANTITY.test(v) ? undefined : "expects a quantity such as 512Mi"),
  },
  useTls: {
    flag: "--k8s-tls",
    env: ["SCALEBENCH_K8S_TLS", "USE_SSL"],
    type: "bool",
    default: false,
    help:
      "TLS for the rendezvous, as --tls: the run's own CA and certificate travel in its Secret, or the TLS secret --k8s-cert-secret is mounted",
  },
  certSecret: {
    flag: "--k8s-cert-secret <name>",
    env: ["SCALEBENCH_K8S_CERT_SECRET", "SECRET_CERT_NAME"],
    type: "string",
    default: null,
    help:
      "A prepared Secret with tls.crt, tls.key (and ca.crt) to use instead of the run's own CA (with --k8s-tls or --tls)",
    validate: dnsLabel,
  },
  tlsServerName: {
    flag: "--k8s-tls-server-name <name>",
    env: ["SCALEBENCH_K8S_TLS_SERVER_NAME"],
    type: "string",
    default: null,
    help:
      "The name rank 0's certificate is for, which the other ranks check (default: the first DNS name of the secret's tls.crt)",
    validate: (v) => (v.length <= 253 && DNS_NAME.test(v) ? undefined : "expects a DNS name"),
  },
  certDir: {
    flag: "--k8s-cert-dir <dir>",
    // not dask-bench's CERT_DIR: that is a directory on the client, this is a path in the pods
    env: ["SCALEBENCH_K8S_CERT_DIR"],
    type: "string",
    default: "/etc/scalebench/tls",
    help: "Where the TLS secret is mounted in the pods (env SCALEBENCH_TLS_DIR)",
    validate: (v) => (v.startsWith("/") ? undefined : "expects an absolute path"),
  },
  nodeSelector: {
    flag: "--k8s-node-selector <label=value>",
    env: ["SCALEBENCH_K8S_NODE_SELECTOR"],
    type: "list",
    default: null,
    help: "Node selector entries (repeatable or comma-separated)",
    validate: selector,
  },
  affinity: {
    flag: "--k8s-affinity <json>",
    env: ["SCALEBENCH_K8S_AFFINITY"],
    type: "string",
    default: null,
    help: "Pod affinity (a JSON object, as in a pod spec; it wins over scalebench's placement)",
    validate: jsonOf("object"),
  },
  tolerations: {
    flag: "--k8s-tolerations <json>",
    env: ["SCALEBENCH_K8S_TOLERATIONS"],
    type: "string",
    default: null,
    help: "Pod tolerations (a JSON array, as in a pod spec)",
    validate: jsonOf("array"),
  },
  serviceAccount: {
    flag: "--k8s-service-account <name>",
    env: ["SCALEBENCH_K8S_SERVICE_ACCOUNT"],
    type: "string",
    default: null,
    help: "Service account of the rank pods",
    validate: dnsLabel,
  },
  imagePullSecrets: {
    flag: "--k8s-image-pull-secret <name>",
    env: ["SCALEBENCH_K8S_IMAGE_PULL_SECRETS"],
    type: "list",
    default: null,
    help: "Image pull secrets (repeatable or comma-separated)",
  },
  ttlSeconds: {
    flag: "--k8s-ttl <s>",
    env: ["SCALEBENCH_K8S_TTL_SECONDS"],
    type: "int",
    default: 600,
    help:
      "ttlSecondsAfterFinished of the Jobs (their Service and Secret go with them): a backstop if scalebench dies",
    validate: seconds,
  },
  activeDeadline: {
    flag: "--k8s-active-deadline <s>",
    env: ["SCALEBENCH_K8S_ACTIVE_DEADLINE"],
    type: "int",
    default: 86400,
    help:
      "activeDeadlineSeconds of the Jobs: one still pending or running this long fails, even if scalebench died (0: none)",
    validate: seconds,
  },
  startTimeout: {
    flag: "--k8s-start-timeout <s>",
    env: ["SCALEBENCH_K8S_START_TIMEOUT"],
    type: "int",
    default: 600,
    help:
      "Without --timeout: a point whose pods have not all started after this fails with Kubernetes' reason (0: wait for ever)",
    validate: seconds,
  },
  rankCommand: {
    flag: "--k8s-rank-command <argv>",
    env: ["SCALEBENCH_K8S_RANK_COMMAND"],
    type: "list",
    default: ["scalebench", "rank"],
    help: "Command that starts a rank in the image, comma-separated",
    validate: (v) => (v.length ? undefined : "expects a command"),
  },
  port: {
    flag: "--k8s-port <n>",
    env: ["SCALEBENCH_K8S_PORT"],
    type: "int",
    default: 29500,
    help: "Port of rank 0's rendezvous in its pod",
    validate: (v) => (v >= 1 && v <= 65535 ? undefined : "expects a port 1..65535"),
  },
});

/** The settings record as resolved by the settings engine. */
export type KubeSettingsRecord = SettingsOf<typeof KUBERNETES_SETTINGS>;

/** The settings as the manifests use them. */
export interface KubeSettings {
  kubeconfig: string | null;
  context: string | null;
  namespace: string | null;
  image: string;
  imagePullPolicy: string | null;
  jobPrefix: string;
  memPerNode: number | null;
  memRequest: string;
  useTls: boolean;
  certSecret: string | null;
  tlsServerName: string | null;
  certDir: string;
  nodeSelector: Record<string, string>;
  affinity: { [key: string]: Json } | null;
  tolerations: Json[] | null;
  serviceAccount: string | null;
  imagePullSecrets: string[];
  ttlSeconds: number;
  activeDeadline: number;
  startTimeout: number;
  rankCommand: string[];
  port: number;
}

/** Read a resolved settings record; what no single setting can check → ValidationError. */
export function kubeSettings(v: KubeSettingsRecord): KubeSettings {
  return {
    ...v,
    nodeSelector: Object.fromEntries(
      (v.nodeSelector ?? []).map((e) => e.split("=", 2) as [string, string]),
    ),
    affinity: v.affinity ? JSON.parse(v.affinity) : null,
    tolerations: v.tolerations ? JSON.parse(v.tolerations) : null,
    imagePullSecrets: v.imagePullSecrets ?? [],
  };
}
