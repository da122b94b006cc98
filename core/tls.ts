/**
 * A run's TLS files: where they go, how they are written (a 0700 directory of 0600 files) and
 * removed, what the ranks and the Dask engine are told about them, and how a rank reads them.
 *
 * The directory holds `ca.crt`, `tls.crt` and `tls.key`, the names of a Kubernetes TLS secret, so
 * the same rank code reads a run directory on a shared filesystem or a secret mounted in a pod.
 * Only paths ever reach scripts, environments, logs and manifests; the key's content never does.
 *
 * @example
 * ```ts
 * import { createRunCredentials } from "./certs.ts";
 * import { daskTlsEnv, removeCredentials, writeCredentials } from "./tls.ts";
 * const dir = await Deno.makeTempDir();
 * const creds = await createRunCredentials({ runId: "demo" });
 * const files = await writeCredentials(`${dir}/tls`, creds);
 * console.log((await Deno.stat(files.key)).mode! & 0o777, daskTlsEnv(files).DASK_DISTRIBUTED__COMM__TLS__CA_FILE === files.ca);
 * // 384 true
 * await removeCredentials(files);
 * await Deno.remove(dir);
 * ```
 *
 * @module
 */
import { createRunCredentials, RENDEZVOUS_SERVER_NAME, type RunCredentials } from "./certs.ts";
import { errorMessage, quote, ValidationError } from "./errors.ts";
import type { TlsRecord } from "./types.ts";

export type { TlsRecord };

/**
 * A provider's own TLS switch — a bool setting keyed `useTls`, like Kubernetes' `--k8s-tls` —
 * turns the run's TLS on as `--tls` does (the run then makes its CA and certificate).
 */
export function providerTls(providerSettings: Record<string, unknown>): boolean {
  return providerSettings.useTls === true;
}

/**
 * A TLS setting that cannot be applied stops the run: `--cert-dir` or `--keep-certs` without TLS on
 * (checked on the final configuration, so that `--resume` of a TLS run may add `--keep-certs`).
 * dask-bench's CERT_DIR alone is only warned about (core/config_dask.ts): its `.env` always has one.
 */
export function checkTlsSettings(
  config: { tls: boolean; certDir: string | null; keepCerts: boolean },
): void {
  if (config.tls) return;
  const flag = config.keepCerts ? "--keep-certs" : config.certDir ? "--cert-dir" : null;
  if (!flag) return;
  throw new ValidationError(
    `${flag} needs TLS on: add --tls (or SCALEBENCH_TLS=1, or USE_SSL=True in the .env)`,
  );
}

/** File names inside a TLS directory (those of a Kubernetes `kubernetes.io/tls` secret + CA). */
export const TLS_FILE_NAMES = { ca: "ca.crt", cert: "tls.crt", key: "tls.key" } as const;

/** Environment of a rank: the directory holding the three files. */
export const TLS_DIR_ENV = "SCALEBENCH_TLS_DIR";
/** Environment of a rank: the name rank 0's certificate is for. */
export const TLS_SERVER_NAME_ENV = "SCALEBENCH_TLS_SERVER_NAME";

/** Where a run's TLS files are (absolute paths), and the name its certificate is for. */
export interface TlsFiles {
  dir: string;
  ca: string;
  cert: string;
  key: string;
  serverName: string;
}

/** The files of a TLS directory. */
export function tlsFiles(dir: string, serverName: string = RENDEZVOUS_SERVER_NAME): TlsFiles {
  const d = dir.replace(/\/+$/, "") || "/";
  return {
    dir: d,
    ca: `${d}/${TLS_FILE_NAMES.ca}`,
    cert: `${d}/${TLS_FILE_NAMES.cert}`,
    key: `${d}/${TLS_FILE_NAMES.key}`,
    serverName,
  };
}

/**
 * The TLS directory of a run: `<runDir>/tls` by default, `<certDir>/scalebench-<runId>` when the
 * user chose a directory (dask-bench's `CERT_DIR`), so that runs sharing it never clash.
 */
export function runTlsDir(
  runDir: string,
  options: { runId: string; certDir?: string | null; cwd?: string },
): string {
  const abs = (p: string) =>
    p.startsWith("/") ? p : `${options.cwd ?? Deno.cwd()}/${p.replace(/^\.\//, "")}`;
  if (!options.certDir) return `${abs(runDir).replace(/\/+$/, "")}/tls`;
  return `${abs(options.certDir).replace(/\/+$/, "")}/scalebench-${options.runId}`;
}

async function writeSecretFile(path: string, text: string): Promise<void> {
  try {
    await Deno.remove(path); // a stale file of an interrupted attempt of the same run
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const file = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
  try {
    const bytes = new TextEncoder().encode(text);
    let off = 0;
    while (off < bytes.length) off += await file.write(bytes.subarray(off));
  } finally {
    file.close();
  }
  await Deno.chmod(path, 0o600);
}

/**
 * Write `creds` into `dir` (created with mode 0700; each file 0600). `what` names the setting
 * that chose the directory, for the error a user can fix (default `--cert-dir (CERT_DIR)`).
 */
export async function writeCredentials(
  dir: string,
  creds: RunCredentials,
  options: { what?: string } = {},
): Promise<TlsFiles> {
  const files = tlsFiles(dir, creds.serverName);
  const what = options.what ?? "--cert-dir (CERT_DIR)";
  try {
    await Deno.mkdir(files.dir, { recursive: true, mode: 0o700 });
    const info = await Deno.lstat(files.dir);
    if (!info.isDirectory) {
      throw new ValidationError(
        `TLS directory ${quote(files.dir, 200)} is not a directory: fix ${what}`,
      );
    }
    await Deno.chmod(files.dir, 0o700);
    await writeSecretFile(files.ca, creds.caPem);
    await writeSecretFile(files.cert, creds.certPem);
    await writeSecretFile(files.key, creds.keyPem);
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    await removeCredentials(files);
    throw new ValidationError(
      `Cannot write the run's TLS files into ${quote(files.dir, 200)} (${what}): ${
        errorMessage(err)
      }`,
    );
  }
  return files;
}

/** Remove a run's TLS files and their directory (only if nothing else is left in it). */
export async function removeCredentials(files: TlsFiles): Promise<void> {
  for (const path of [files.key, files.cert, files.ca]) {
    try {
      await Deno.remove(path);
    } catch { /* gone already */ }
  }
  try {
    await Deno.remove(files.dir);
  } catch { /* not empty (the user's files) or gone */ }
}

/** What a rank process needs to talk TLS: the directory and the expected name. */
export function rankTlsEnv(files: TlsFiles): Record<string, string> {
  return { [TLS_DIR_ENV]: files.dir, [TLS_SERVER_NAME_ENV]: files.serverName };
}

/**
 * Dask's configuration for the same credentials, as environment variables (Dask reads
 * `DASK_*` into `distributed.comm.tls.*`): scheduler, workers and client all use the run's
 * certificate and key, trust only the run's CA, and refuse plaintext (`require-encryption`).
 * In Python, `distributed.Security(tls_ca_file=…, tls_client_cert=…, tls_client_key=…,
 * require_encryption=True)` is the same.
 */
export function daskTlsEnv(files: TlsFiles): Record<string, string> {
  const env: Record<string, string> = {
    DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION: "True",
    DASK_DISTRIBUTED__COMM__DEFAULT_SCHEME: "tls",
    DASK_DISTRIBUTED__COMM__TLS__CA_FILE: files.ca,
  };
  for (const role of ["SCHEDULER", "WORKER", "CLIENT"]) {
    env[`DASK_DISTRIBUTED__COMM__TLS__${role}__CERT`] = files.cert;
    env[`DASK_DISTRIBUTED__COMM__TLS__${role}__KEY`] = files.key;
  }
  return env;
}

/** TLS as one rank uses it: rank 0's certificate and key, the CA the others trust. */
export interface RankTls {
  /** Rank 0 only */
  cert?: string;
  key?: string;
  /** Others: the CA to trust (absent: the system's roots) */
  ca?: string;
  /** The name rank 0's certificate is for */
  serverName?: string;
  /** Why SCALEBENCH_TLS_DIR could not be read (the rank then refuses to start) */
  error?: string;
}

/**
 * TLS as the rendezvous takes it: rank 0's certificate and key to serve, or what the others trust.
 * A ValidationError when `tls` carries a read error, or when the run requires TLS (`--tls`,
 * `spec.rendezvous.tls`) and this rank has none: never a silent fallback to plaintext.
 */
export function rendezvousTls(
  tls: RankTls | undefined,
  options: { rank: number; required: boolean },
): { server?: { cert: string; key: string }; client?: { ca?: string; serverName?: string } } {
  if (tls?.error) throw new ValidationError(tls.error);
  if (!tls) {
    if (!options.required) return {};
    throw new ValidationError(
      `This run uses TLS (--tls) but rank ${options.rank} has no ${TLS_DIR_ENV}: the provider does not pass the run's TLS files to its ranks`,
    );
  }
  if (options.rank !== 0) return { client: { ca: tls.ca, serverName: tls.serverName } };
  if (!tls.cert || !tls.key) {
    throw new ValidationError(`Rank 0 has no TLS certificate and key (${TLS_DIR_ENV})`);
  }
  return { server: { cert: tls.cert, key: tls.key } };
}

/**
 * Read a rank's TLS files from `dir` (`SCALEBENCH_TLS_DIR`): rank 0 needs `tls.crt` and `tls.key`,
 * the others `ca.crt` when present (a user's certificate from a public CA may come without one).
 */
export async function readRankTls(
  dir: string,
  options: { rank: number; serverName?: string },
): Promise<RankTls> {
  const read = async (name: string, required: boolean): Promise<string | undefined> => {
    try {
      return await Deno.readTextFile(`${dir}/${name}`);
    } catch (err) {
      if (!required && err instanceof Deno.errors.NotFound) return undefined;
      throw new ValidationError(
        `No readable ${quote(name)} in ${TLS_DIR_ENV} ${quote(dir, 200)}: ${errorMessage(err)}`,
      );
    }
  };
  if (options.rank === 0) {
    return {
      cert: await read(TLS_FILE_NAMES.cert, true),
      key: await read(TLS_FILE_NAMES.key, true),
      serverName: options.serverName,
    };
  }
  return { ca: await read(TLS_FILE_NAMES.ca, false), serverName: options.serverName };
}

/** A run's TLS, once its files are written: `close()` removes them unless they are kept. */
export interface RunTls {
  files: TlsFiles;
  record: TlsRecord;
  close(): Promise<void>;
}

/**
 * Make a run's credentials and write them into {@linkcode runTlsDir} (`--tls`). `keep` leaves
 * them in place when the run ends (`--keep-certs`).
 */
export async function startRunTls(options: {
  runId: string;
  runDir: string;
  certDir: string | null;
  keep: boolean;
}): Promise<RunTls> {
  const creds = await createRunCredentials({ runId: options.runId });
  const dir = runTlsDir(options.runDir, options);
  const files = await writeCredentials(dir, creds, {
    what: options.certDir ? "--cert-dir (CERT_DIR)" : "the run directory",
  });
  let closed = false;
  return {
    files,
    record: { encrypted: true, ...creds.summary(), dir: files.dir, kept: options.keep },
    async close() {
      if (closed || options.keep) return;
      closed = true;
      await removeCredentials(files);
    },
  };
}
