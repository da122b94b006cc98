/**
 * The Kubernetes provider: each batch runs as an Indexed `batch/v1` Job (one pod per rank, the
 * rank from JOB_COMPLETION_INDEX) beside a headless Service that gives rank 0 the name
 * `<job>-0.<service>`, and a Secret with the rendezvous token and the rank spec. Pods and the
 * Job's Events are watched (list + watch, no polling), logs followed into logs/, and failures
 * reported with Kubernetes' reasons (batch.ts). The Job, Service and Secret are deleted when the
 * batch ends, fails or is cancelled; the Job owns the other two, so that its
 * `ttlSecondsAfterFinished` takes them too if scalebench dies. All per-run state lives in the
 * session (session.ts).
 *
 * @module
 */
import { defineProvider, type Provider } from "../../core/provider.ts";
import type { KubeTuning } from "./batch.ts";
import { KubeSession } from "./session.ts";
import { KUBERNETES_SETTINGS } from "./settings.ts";

export type { KubeTuning } from "./batch.ts";
export type { KubeBatch as KubeHandle } from "./batch.ts";

/** The Kubernetes provider, with its knobs (tests make them short). */
export function makeKubernetesProvider(
  tuning: KubeTuning = {},
): Provider<typeof KUBERNETES_SETTINGS> {
  return defineProvider({
    name: "kubernetes",
    summary: "Indexed Jobs on a Kubernetes cluster (one pod per rank)",
    settings: KUBERNETES_SETTINGS,
    open: (ctx) => KubeSession.open(ctx, tuning),
  });
}

/** The Kubernetes provider. */
export const kubernetesProvider: Provider<typeof KUBERNETES_SETTINGS> = makeKubernetesProvider();
