/**
 * A run's TLS credentials, made in-process with Web Crypto and @peculiar/x509 (never by shelling
 * out to `openssl`): a per-run certificate authority (ECDSA P-256) and one certificate it signs for
 * the fixed name {@linkcode RENDEZVOUS_SERVER_NAME}, for server and client authentication.
 *
 * - Rank 0 serves that certificate; every other rank trusts only the run's CA and expects that
 *   name, whatever host rank 0 lands on (connect TCP to the real host, then start TLS with the
 *   fixed name).
 * - Dask's scheduler, workers and client can all use the same certificate and key with the run's CA
 *   (Dask's `Security` with TLS: mutual authentication, no host name check), as dask-jobqueue's
 *   `security=True` does with its temporary credentials.
 * - The CA's private key never leaves this process: once the certificate is signed it is dropped,
 *   so no other certificate can ever be issued for the run.
 *
 * The certificate's private key is a secret: it is not enumerable, not in `JSON.stringify` and not
 * in `console.log` of the credentials.
 *
 * @example
 * ```ts
 * import { createRunCredentials } from "./certs.ts";
 * const creds = await createRunCredentials({ runId: "amdahl-20261122-103240-1ea3" });
 * console.log(creds.caPem.startsWith("-----BEGIN CERTIFICATE-----"), JSON.stringify(creds).includes("PRIVATE"));
 * // true false
 * ```
 *
 * @module
 */

/** The name rank 0's certificate is for; every rank expects it (SNI and verification). */
export const RENDEZVOUS_SERVER_NAME = "rendezvous.scalebench";

const EC = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

/** What is public about a run's credentials (the manifest records it). */
export interface CredentialsSummary {
  /** SHA-256 of the CA certificate (DER), lower-case hex */
  ca_sha256: string;
  server_name: string;
  not_after: string;
}

/** A run's CA certificate, and the certificate and private key it issued (PEM). */
export class RunCredentials {
  readonly caPem: string;
  readonly certPem: string;
  readonly serverName: string;
  readonly caSha256: string;
  readonly notAfter: Date;
  readonly #keyPem: string;

  constructor(
    fields: {
      caPem: string;
      certPem: string;
      serverName: string;
      caSha256: string;
      notAfter: Date;
    },
    keyPem: string,
  ) {
    this.caPem = fields.caPem;
    this.certPem = fields.certPem;
    this.serverName = fields.serverName;
    this.caSha256 = fields.caSha256;
    this.notAfter = fields.notAfter;
    this.#keyPem = keyPem;
  }

  /** The certificate's private key (PKCS #8 PEM): a secret, written only to a 0600 file. */
  get keyPem(): string {
    return this.#keyPem;
  }

  /** What may be shown and recorded. */
  summary(): CredentialsSummary {
    return {
      ca_sha256: this.caSha256,
      server_name: this.serverName,
      not_after: this.notAfter.toISOString(),
    };
  }

  toJSON(): CredentialsSummary {
    return this.summary();
  }

  [Symbol.for("Deno.customInspect")](): string {
    return `RunCredentials ${JSON.stringify(this.summary())}`;
  }
}

/** Options of {@linkcode createRunCredentials}. */
export interface CredentialsOptions {
  /** Named in the CA's subject */
  runId: string;
  /** Days the certificates are valid (default 30) */
  days?: number;
  /** The name the certificate is for (default {@linkcode RENDEZVOUS_SERVER_NAME}) */
  serverName?: string;
  /** "Now" (tests); validity starts one hour earlier, for clocks that differ between nodes */
  now?: Date;
}

function serial(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[0] &= 0x7f; // positive
  b[0] |= 0x01; // no leading zero byte
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

function hex(buf: ArrayBuffer): string {
  return [...new Uint8Array(buf)].map((x) => x.toString(16).padStart(2, "0")).join("");
}

/** Make a run's CA and a certificate for rank 0 (and the Dask engine), in memory. */
export async function createRunCredentials(options: CredentialsOptions): Promise<RunCredentials> {
  const { x509 } = await import("./_x509.ts");
  const serverName = options.serverName ?? RENDEZVOUS_SERVER_NAME;
  const now = options.now ?? new Date();
  const notBefore = new Date(now.getTime() - 3600_000);
  const notAfter = new Date(now.getTime() + (options.days ?? 30) * 86400_000);
  const caKeys = await crypto.subtle.generateKey(EC, false, ["sign", "verify"]);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: [{ CN: [`scalebench run CA ${options.runId}`.slice(0, 64)] }, { O: ["scalebench"] }],
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const keys = await crypto.subtle.generateKey(EC, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: [{ CN: [serverName] }, { O: ["scalebench"] }],
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingKey: caKeys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([
        x509.ExtendedKeyUsage.serverAuth,
        x509.ExtendedKeyUsage.clientAuth,
      ]),
      new x509.SubjectAlternativeNameExtension([{ type: "dns", value: serverName }]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca, false),
    ],
  });
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  return new RunCredentials(
    {
      caPem: ca.toString("pem") + "\n",
      certPem: cert.toString("pem") + "\n",
      serverName,
      caSha256: hex(await crypto.subtle.digest("SHA-256", ca.rawData)),
      notAfter,
    },
    x509.PemConverter.encode(pkcs8, "PRIVATE KEY") + "\n",
  );
}
