/**
 * One run on a Kubernetes cluster (the provider's session): the connection, the namespace, the
 * name rank 0's certificate is for (with TLS), and the run's submitted batches. Opening it checks
 * that the namespace can be used; closing it stops whatever of the run is still alive and deletes
 * every object labelled with the run id (orphaned pods too).
 *
 * @module
 */
import { X509Certificate } from "node:crypto";
import { errorMessage, quote, ValidationError } from "../../core/errors.ts";
import type {
  Collected,
  Emitted,
  JobState,
  ProviderContext,
  ProviderSession,
} from "../../core/provider.ts";
import { makeRankSpec } from "../../core/provider_util.ts";
import type { Batch } from "../../core/types.ts";
import { KubeBatch, type KubeTuning } from "./batch.ts";
import { connectKube, type KubeApiError, type KubeClient } from "./client.ts";
import { buildManifests, manifestsYaml, runSelector } from "./manifests.ts";
import { REDACTED } from "../../core/settings.ts";
import { TLS_FILE_NAMES, type TlsFiles } from "../../core/tls.ts";
import { type KubeSettings, kubeSettings, type KubeSettingsRecord } from "./settings.ts";

/** The context a Kubernetes session gets. */
export type KubeContext = ProviderContext<KubeSettingsRecord>;

/** Seconds the ranks wait for each other: the rendezvous timeout after the pods' start window. */
export function rendezvousWindow(ctx: KubeContext, s: KubeSettings): number {
  const start = ctx.timeout > 0 ? ctx.timeout : s.startTimeout || 3600;
  return ctx.rendezvousTimeout + start;
}

/** The first DNS name (else the common name) of a PEM certificate, as a name to check it by. */
export function certificateName(pem: string): string | null {
  const cert = new X509Certificate(pem);
  const dns = (cert.subjectAltName ?? "").split(/,\s*/).find((n) => n.startsWith("DNS:"));
  const name = dns?.slice(4) ?? /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1] ?? null;
  // a wildcard certificate is good for any name of its domain
  return name?.startsWith("*.") ? `rendezvous${name.slice(1)}` : name;
}

/** TLS with a prepared secret (`--k8s-cert-secret`), rather than the run's own CA. */
function ownTlsSecret(s: KubeSettings, ctx: KubeContext): boolean {
  return Boolean(s.certSecret && (s.useTls || ctx.tls));
}

/** The run's TLS files as the batch Secret's entries (`ca.crt`, `tls.crt`, `tls.key`). */
async function readTlsFiles(files: TlsFiles): Promise<Record<string, string>> {
  return {
    [TLS_FILE_NAMES.ca]: await Deno.readTextFile(files.ca),
    [TLS_FILE_NAMES.cert]: await Deno.readTextFile(files.cert),
    [TLS_FILE_NAMES.key]: await Deno.readTextFile(files.key),
  };
}

/** The name rank 0's certificate is for: the setting, else read from the TLS secret. */
async function tlsServerName(client: KubeClient, s: KubeSettings, ns: string): Promise<string> {
  if (s.tlsServerName) return s.tlsServerName;
  const secret = `Secret ${quote(s.certSecret)} (--k8s-cert-secret, SECRET_CERT_NAME)`;
  const fix = "set --k8s-tls-server-name to the name its tls.crt is for";
  let obj;
  try {
    obj = await client.get("secrets", ns, s.certSecret!);
  } catch (err) {
    throw new ValidationError(`${errorMessage(err)}: ${fix}`);
  }
  if (!obj) throw new ValidationError(`${secret} does not exist in namespace ${quote(ns)}`);
  const crt = (obj.data as Record<string, string> | undefined)?.["tls.crt"];
  let name: string | null = null;
  try {
    name = crt ? certificateName(atob(crt)) : null;
  } catch { /* not a certificate */ }
  if (!name) throw new ValidationError(`${secret} has no tls.crt with a DNS name: ${fix}`);
  return name;
}

/** Check that the namespace answers and can be used; a user's mistake → ValidationError. */
async function checkAccess(client: KubeClient, ns: string, runId: string): Promise<void> {
  try {
    await client.list("pods", ns, { labels: runSelector(runId) });
  } catch (err) {
    const e = err as KubeApiError;
    if (e.code === 401 || e.code === 403) {
      throw new ValidationError(`${e.message} (check --kubeconfig and --k8s-namespace)`);
    }
    if (e.code === 0) {
      throw new ValidationError(`Kubernetes API server ${client.server} unreachable: ${e.message}`);
    }
    throw err;
  }
}

interface SessionParts {
  settings: KubeSettings;
  /** null in a dry run: nothing is contacted */
  client: KubeClient | null;
  namespace: string;
  tlsServerName: string | null;
  tuning: KubeTuning;
}

/** A run's session. */
export class KubeSession implements ProviderSession<KubeBatch> {
  readonly #ctx: KubeContext;
  readonly #p: SessionParts;
  readonly #batches = new Set<KubeBatch>();
  #closing: Promise<void> | null = null;

  private constructor(ctx: KubeContext, parts: SessionParts) {
    this.#ctx = ctx;
    this.#p = parts;
  }

  /** Open a session: connect and check, unless it is a dry run (which reads no kubeconfig). */
  static async open(ctx: KubeContext, tuning: KubeTuning): Promise<KubeSession> {
    const s = kubeSettings(ctx.settings);
    if (ctx.dryRun) {
      // without --k8s-namespace a dry run shows `default`
      const namespace = s.namespace ?? "default";
      const parts = { settings: s, client: null, namespace, tlsServerName: s.tlsServerName };
      return new KubeSession(ctx, { ...parts, tuning });
    }
    const client = await connectKube({ kubeconfig: s.kubeconfig, context: s.context });
    try {
      const namespace = s.namespace ?? client.namespace;
      await checkAccess(client, namespace, ctx.runId);
      // a prepared TLS secret (else the run's own CA travels in each batch's Secret, --tls)
      const name = ownTlsSecret(s, ctx) ? await tlsServerName(client, s, namespace) : null;
      if (ctx.plan.workload_ref.startsWith("file://")) {
        ctx.log(
          `Workload file ${
            new URL(ctx.plan.workload_ref).pathname
          } must exist at the same path in image ${s.image} (scalebench image --workload FILE)`,
        );
      }
      return new KubeSession(ctx, { settings: s, client, namespace, tlsServerName: name, tuning });
    } catch (err) {
      await client.close();
      throw err;
    }
  }

  #manifests(
    batch: Batch,
    options: { token?: string; attempt?: string; tlsFiles?: Record<string, string> } = {},
  ) {
    const { settings, namespace } = this.#p;
    const { tlsFiles, ...rest } = options;
    // --tls without a prepared secret: the run's CA, certificate and key go into the batch's
    // Secret (redacted in what is saved and shown), mounted with the spec and the token
    const runTls = ownTlsSecret(settings, this.#ctx) ? null : this.#ctx.tls ?? null;
    const tls = runTls
      ? {
        tlsServerName: runTls.serverName,
        runTls: true,
        secretFiles: tlsFiles ?? { "ca.crt": REDACTED, "tls.crt": REDACTED, "tls.key": REDACTED },
      }
      : { tlsServerName: this.#p.tlsServerName };
    const spec = makeRankSpec(batch, this.#ctx, { host: "", port: 0 });
    // pods start one by one (scheduling, image pulls): the first waits for the last
    spec.rendezvous.timeout = rendezvousWindow(this.#ctx, settings);
    return buildManifests(batch, {
      runId: this.#ctx.runId,
      settings,
      spec,
      namespace,
      ...tls,
      ...rest,
    });
  }

  async emit(batch: Batch): Promise<Emitted> {
    const m = this.#manifests(batch);
    const p = batch.point;
    const yaml = await manifestsYaml(
      m,
      `scalebench batch ${batch.id}: ${p.ranks} rank(s) × ${p.threads} thread(s), ${p.nodes} node(s)`,
    );
    return {
      files: { [`${batch.id}.yaml`]: yaml },
      dryRun: {
        namespace: m.namespace,
        job: m.name,
        yaml,
        manifests: [m.secret, m.service, m.job],
      },
    };
  }

  async submit(batch: Batch, _emitted: Emitted): Promise<KubeBatch> {
    const { client, settings: s } = this.#p;
    if (!client) throw new Error("A dry run submits nothing");
    const ctx = this.#ctx;
    const m = this.#manifests(batch, {
      token: ctx.token,
      attempt: crypto.randomUUID().slice(0, 8),
      tlsFiles: ctx.tls ? await readTlsFiles(ctx.tls) : undefined,
    });
    const log = (msg: string) => ctx.verbose && ctx.log(msg);
    const h = await KubeBatch.submit(batch, {
      client,
      manifests: m,
      logsDir: ctx.logsDir,
      // --timeout bounds the start too (the driver enforces it); without, this provider's own
      startTimeout: ctx.timeout > 0 ? 0 : s.startTimeout,
      startTimeoutFlag: "--k8s-start-timeout; or set --timeout",
      tuning: this.#p.tuning,
      log,
    });
    log(`[${batch.id}] Created Job ${m.name} in namespace ${m.namespace}`);
    this.#batches.add(h);
    return h;
  }

  poll(h: KubeBatch): Promise<JobState> {
    return Promise.resolve(h.state());
  }

  lines(h: KubeBatch): AsyncIterable<string> {
    return h.queue;
  }

  async collect(h: KubeBatch): Promise<Collected> {
    const { stderrTail, nodes } = await h.collect();
    this.#batches.delete(h);
    return { stderrTail, nodes };
  }

  cancel(h: KubeBatch, reason: string): Promise<void> {
    return h.cancel(reason);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const { client, namespace } = this.#p;
    if (!client) return;
    try {
      await Promise.all([...this.#batches].map((h) => h.cancel("Cleanup")));
      // pods too: orphans of a Job someone deleted without propagation
      const selector = runSelector(this.#ctx.runId);
      await Promise.all(
        (["jobs", "services", "secrets", "pods"] as const).map((r) =>
          client.removeAll(r, namespace, selector)
        ),
      );
    } catch (err) {
      this.#ctx.log(`Cleanup of run ${this.#ctx.runId}: ${errorMessage(err)}`);
    } finally {
      await client.close();
    }
  }
}
