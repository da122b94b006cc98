/**
 * Settings of the Kubernetes provider: each with its flag and environment keys, scalebench's own
 * `SCALEBENCH_K8S_*` first, then dask-bench's (`KUBE_NAMESPACE`, `CONTAINER_IMAGE`,
 * `KUBECLUSTER_NAME`, `USE_SSL`, `SECRET_CERT_NAME`, `MEM_PER_NODE`). dask-bench's `CERT_DIR` (a
 * directory of certificates on the client), `SCHEDULER_CORES` and `SCHEDULER_MEM` have no meaning
 * here: the certificate comes from the secret, and rank 0 hosts the rendezvous itself.
 *
 * @module
 */
import { quote, ValidationError } from "../../core/errors.ts";
import { VERSION } from "../../core/version.ts";
import type { Json } from "../../core/types.ts";
import type { Settings, SettingSpec } from "../types.ts";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function dnsName(v: unknown): string | undefined {
  if (v === null) return undefined;
  const s = String(v);
  return s.length <= 63 && DNS_LABEL.test(s)
    ? undefined
    : "expects a DNS-1123 label: lowercase letters, digits and '-', at most 63";
}

function jsonOf(kind: "object" | "array") {
  return (v: unknown): string | undefined => {
    if (v === null || v === "") return undefined;
    try {
      const parsed = JSON.parse(String(v));
      const ok = kind === "array"
        ? Array.isArray(parsed)
        : parsed !== null && typeof parsed === "object" && !Array.isArray(parsed);
      return ok ? undefined : `expects a JSON ${kind}`;
    } catch {
      return `expects a JSON ${kind}`;
    }
  };
}

function selector(v: unknown): string | undefined {
  for (const entry of (v as string[] | null) ?? []) {
    const [key, value, extra] = entry.split("=");
    if (extra !== undefined || value === undefined || !LABEL_KEY.test(key)) {
      return `expects label=value entries (got ${quote(entry)})`;
    }
    if (value.length > 63 || !LABEL_VALUE.test(value)) {
      return `has a bad label value in ${quote(entry)}`;
    }
  }
  return undefined;
}

/** The provider's settings. */
export const KUBERNETES_SETTINGS: readonly SettingSpec[] = [
  {
    key: "kubeconfig",
    flag: "--kubeconfig <file>",
    env: ["SCALEBENCH_K8S_KUBECONFIG", "KUBECONFIG"],
    type: "string",
    default: null,
    help: "kubeconfig file(s), ':'-separated (default: ~/.kube/config, else in-cluster)",
  },
  {
    key: "context",
    flag: "--k8s-context <name>",
    env: ["SCALEBENCH_K8S_CONTEXT"],
    type: "string",
    default: null,
    help: "kubeconfig context (default: the current context)",
  },
  {
    key: "namespace",
    flag: "--k8s-namespace <ns>",
    env: ["SCALEBENCH_K8S_NAMESPACE", "KUBE_NAMESPACE"],
    type: "string",
    default: null,
    help: "Namespace of the Jobs (default: the context's, else 'default')",
    validate: dnsName,
  },
  {
    key: "image",
    flag: "--k8s-image <image>",
    env: ["SCALEBENCH_K8S_IMAGE", "CONTAINER_IMAGE"],
    type: "string",
    default: `scalebench:${VERSION}`,
    help: "Container image with scalebench (build one: scalebench image)",
  },
  {
    key: "imagePullPolicy",
    flag: "--k8s-image-pull-policy <policy>",
    env: ["SCALEBENCH_K8S_IMAGE_PULL_POLICY"],
    type: "string",
    default: null,
    help: "Always, IfNotPresent or Never (default: Kubernetes')",
    validate: (v) =>
      v === null || ["Always", "IfNotPresent", "Never"].includes(String(v))
        ? undefined
        : "expects Always, IfNotPresent or Never",
  },
  {
    key: "jobPrefix",
    flag: "--k8s-job-prefix <name>",
    env: ["SCALEBENCH_K8S_JOB_PREFIX", "KUBECLUSTER_NAME"],
    type: "string",
    default: "scalebench",
    help: "Prefix of Job, Service and Secret names",
    validate: dnsName,
  },
  {
    key: "memPerNode",
    // the flag is shared with the Slurm provider (GB there)
    flag: "--mem-per-node <n>",
    env: ["SCALEBENCH_K8S_MEM_PER_NODE", "SCALEBENCH_MEM_PER_NODE", "MEM_PER_NODE"],
    type: "float",
    default: null,
    help: "Memory of one node in Gi, shared by its ranks (requests = limits; default: no limit)",
    validate: (
      v,
    ) => (v === null || (typeof v === "number" && v > 0) ? undefined : "expects Gi > 0"),
  },
  {
    key: "useTls",
    flag: "--k8s-tls",
    env: ["SCALEBENCH_K8S_TLS", "USE_SSL"],
    type: "bool",
    default: false,
    help: "Mount the TLS secret (--k8s-cert-secret) into every rank pod",
  },
  {
    key: "certSecret",
    flag: "--k8s-cert-secret <name>",
    env: ["SCALEBENCH_K8S_CERT_SECRET", "SECRET_CERT_NAME"],
    type: "string",
    default: null,
    help: "Secret with the TLS certificate and key (with --k8s-tls)",
    validate: dnsName,
  },
  {
    key: "certDir",
    flag: "--k8s-cert-dir <dir>",
    // not dask-bench's CERT_DIR: that is a directory on the client, this is a path in the pods
    env: ["SCALEBENCH_K8S_CERT_DIR"],
    type: "string",
    default: "/etc/scalebench/tls",
    help: "Where the TLS secret is mounted in the pods (env SCALEBENCH_TLS_DIR)",
    validate: (v) => (String(v).startsWith("/") ? undefined : "expects an absolute path"),
  },
  {
    key: "nodeSelector",
    flag: "--k8s-node-selector <label=value>",
    env: ["SCALEBENCH_K8S_NODE_SELECTOR"],
    type: "list",
    default: null,
    help: "Node selector entries (repeatable or comma-separated)",
    validate: selector,
  },
  {
    key: "affinity",
    flag: "--k8s-affinity <json>",
    env: ["SCALEBENCH_K8S_AFFINITY"],
    type: "string",
    default: null,
    help: "Pod affinity (a JSON object, as in a pod spec)",
    validate: jsonOf("object"),
  },
  {
    key: "tolerations",
    flag: "--k8s-tolerations <json>",
    env: ["SCALEBENCH_K8S_TOLERATIONS"],
    type: "string",
    default: null,
    help: "Pod tolerations (a JSON array, as in a pod spec)",
    validate: jsonOf("array"),
  },
  {
    key: "serviceAccount",
    flag: "--k8s-service-account <name>",
    env: ["SCALEBENCH_K8S_SERVICE_ACCOUNT"],
    type: "string",
    default: null,
    help: "Service account of the rank pods",
    validate: dnsName,
  },
  {
    key: "imagePullSecrets",
    flag: "--k8s-image-pull-secret <name>",
    env: ["SCALEBENCH_K8S_IMAGE_PULL_SECRETS"],
    type: "list",
    default: null,
    help: "Image pull secrets (repeatable or comma-separated)",
  },
  {
    key: "ttlSeconds",
    flag: "--k8s-ttl <s>",
    env: ["SCALEBENCH_K8S_TTL_SECONDS"],
    type: "int",
    default: 600,
    help: "ttlSecondsAfterFinished of the Jobs: a backstop if scalebench dies",
    validate: (v) => (typeof v === "number" && v >= 0 ? undefined : "expects seconds ≥ 0"),
  },
  {
    key: "rankCommand",
    flag: "--k8s-rank-command <argv>",
    env: ["SCALEBENCH_K8S_RANK_COMMAND"],
    type: "list",
    default: ["scalebench", "rank"],
    help: "Command that starts a rank in the image, comma-separated",
    validate: (v) => ((v as string[]).length ? undefined : "expects a command"),
  },
  {
    key: "port",
    flag: "--k8s-port <n>",
    env: ["SCALEBENCH_K8S_PORT"],
    type: "int",
    default: 29500,
    help: "Port of rank 0's rendezvous in its pod",
    validate: (v) =>
      Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535
        ? undefined
        : "expects a port 1..65535",
  },
];

/** The settings, typed and parsed. */
export interface KubeSettings {
  kubeconfig: string | null;
  context: string | null;
  namespace: string | null;
  image: string;
  imagePullPolicy: string | null;
  jobPrefix: string;
  memPerNode: number | null;
  useTls: boolean;
  certSecret: string | null;
  certDir: string;
  nodeSelector: Record<string, string>;
  affinity: { [key: string]: Json } | null;
  tolerations: Json[] | null;
  serviceAccount: string | null;
  imagePullSecrets: string[];
  ttlSeconds: number;
  rankCommand: string[];
  port: number;
}

function spec(key: string): SettingSpec {
  return KUBERNETES_SETTINGS.find((s) => s.key === key)!;
}

/** Read a resolved settings record (defaults filled in); bad values → ValidationError. */
export function kubeSettings(settings: Settings): KubeSettings {
  const get = (key: string) => {
    const s = spec(key);
    const v = settings[key] === undefined ? s.default : settings[key];
    const why = v === null ? undefined : s.validate?.(v);
    if (why) {
      const flag = s.flag.split(" ")[0];
      throw new ValidationError(`Setting ${flag} (${s.env.join(", ")}) ${why} (got ${quote(v)})`);
    }
    return v;
  };
  const str = (key: string) => (get(key) === null ? null : String(get(key)));
  const list = (key: string) => (get(key) as string[] | null) ?? [];
  const json = (key: string) => (str(key) ? JSON.parse(str(key)!) : null);
  const out: KubeSettings = {
    kubeconfig: str("kubeconfig"),
    context: str("context"),
    namespace: str("namespace"),
    image: str("image") ?? `scalebench:${VERSION}`,
    imagePullPolicy: str("imagePullPolicy"),
    jobPrefix: str("jobPrefix") ?? "scalebench",
    memPerNode: get("memPerNode") as number | null,
    useTls: Boolean(get("useTls")),
    certSecret: str("certSecret"),
    certDir: str("certDir") ?? "/etc/scalebench/tls",
    nodeSelector: Object.fromEntries(list("nodeSelector").map((e) => e.split("=", 2))),
    affinity: json("affinity"),
    tolerations: json("tolerations"),
    serviceAccount: str("serviceAccount"),
    imagePullSecrets: list("imagePullSecrets"),
    ttlSeconds: Number(get("ttlSeconds")),
    rankCommand: list("rankCommand"),
    port: Number(get("port")),
  };
  if (out.useTls && !out.certSecret) {
    throw new ValidationError(
      "Setting --k8s-tls (USE_SSL) needs the TLS secret's name: set --k8s-cert-secret or SECRET_CERT_NAME",
    );
  }
  return out;
}
