import assert from "node:assert/strict";
import { createRunCredentials, RENDEZVOUS_SERVER_NAME } from "./certs.ts";
import { x509 } from "./_x509.ts";
import { needCommand, needs } from "../tests/_needs.ts";

const NOW = new Date("2026-03-01T12:00:00Z");

Deno.test("createRunCredentials() issues a certificate for the fixed name from a per-run CA", async () => {
  const creds = await createRunCredentials({ runId: "amdahl-20260301-120000-abcd", now: NOW });
  const ca = new x509.X509Certificate(creds.caPem);
  const cert = new x509.X509Certificate(creds.certPem);
  assert.equal(ca.subject, "CN=scalebench run CA amdahl-20260301-120000-abcd, O=scalebench");
  assert.equal(ca.issuer, ca.subject);
  assert.equal(cert.issuer, ca.subject);
  assert.equal(cert.subject, `CN=${RENDEZVOUS_SERVER_NAME}, O=scalebench`);
  assert.equal(await cert.verify({ publicKey: ca.publicKey, date: NOW }), true);
  assert.equal(await ca.verify({ date: NOW }), true);
  // validity: from an hour before "now" (clock skew between nodes), 30 days by default
  assert.equal(cert.notBefore.toISOString(), "2026-03-01T11:00:00.000Z");
  assert.equal(cert.notAfter.toISOString(), "2026-03-31T12:00:00.000Z");
  assert.equal(creds.notAfter.toISOString(), "2026-03-31T12:00:00.000Z");
  const basic = ca.getExtension(x509.BasicConstraintsExtension)!;
  assert.deepEqual([basic.ca, basic.pathLength, basic.critical], [true, 0, true]);
  assert.equal(cert.getExtension(x509.BasicConstraintsExtension)!.ca, false);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension)!;
  assert.deepEqual(san.names.toJSON(), [{ type: "dns", value: RENDEZVOUS_SERVER_NAME }]);
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension)!;
  assert.deepEqual([...eku.usages], [
    x509.ExtendedKeyUsage.serverAuth,
    x509.ExtendedKeyUsage.clientAuth,
  ]);
  assert.equal(cert.publicKey.algorithm.name, "ECDSA");
  // the fingerprint is the CA's, and every run has its own CA
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", ca.rawData));
  assert.equal(creds.caSha256, [...digest].map((b) => b.toString(16).padStart(2, "0")).join(""));
  const other = await createRunCredentials({ runId: "other", now: NOW });
  assert.notEqual(other.caSha256, creds.caSha256);
  assert.equal(
    await new x509.X509Certificate(other.certPem).verify({ publicKey: ca.publicKey, date: NOW }),
    false,
  );
});

Deno.test("createRunCredentials() keeps the private key out of JSON, inspection and spreads", async () => {
  const creds = await createRunCredentials({ runId: "r", days: 2, now: NOW });
  assert.match(
    creds.keyPem,
    /^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END PRIVATE KEY-----\n$/,
  );
  const body = creds.keyPem.split("\n")[1];
  for (
    const shown of [
      JSON.stringify(creds),
      JSON.stringify({ tls: creds }),
      Deno.inspect(creds),
      Deno.inspect({ nested: creds }, { depth: 5 }),
      JSON.stringify({ ...creds }),
      String(Object.keys(creds)),
    ]
  ) {
    assert.equal(shown.includes("PRIVATE KEY"), false, shown);
    assert.equal(shown.includes(body), false, shown);
  }
  assert.deepEqual(JSON.parse(JSON.stringify(creds)), {
    ca_sha256: creds.caSha256,
    server_name: RENDEZVOUS_SERVER_NAME,
    not_after: "2026-03-03T12:00:00.000Z",
  });
});

Deno.test("createRunCredentials() takes another server name", async () => {
  const creds = await createRunCredentials({ runId: "r", serverName: "rank0.bench.svc" });
  const cert = new x509.X509Certificate(creds.certPem);
  assert.deepEqual(cert.getExtension(x509.SubjectAlternativeNameExtension)!.names.toJSON(), [
    { type: "dns", value: "rank0.bench.svc" },
  ]);
  assert.equal(creds.serverName, "rank0.bench.svc");
});

Deno.test(needs([await needCommand("openssl", ["version"])], {
  name: "createRunCredentials() satisfies OpenSSL's strict verification for server and client use",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "scalebench-certs-" });
    const creds = await createRunCredentials({ runId: "r" });
    await Deno.writeTextFile(`${dir}/ca.crt`, creds.caPem);
    await Deno.writeTextFile(`${dir}/tls.crt`, creds.certPem);
    await Deno.writeTextFile(`${dir}/tls.key`, creds.keyPem, { mode: 0o600 });
    const openssl = async (...args: string[]) => {
      const out = await new Deno.Command("openssl", { args, cwd: dir, stderr: "piped" }).output();
      return { ok: out.success, text: new TextDecoder().decode(out.stdout) };
    };
    for (const purpose of ["sslserver", "sslclient"]) {
      const r = await openssl(
        "verify",
        "-x509_strict",
        "-purpose",
        purpose,
        "-CAfile",
        "ca.crt",
        "tls.crt",
      );
      assert.equal(r.text.trim(), "tls.crt: OK");
    }
    // the key belongs to the certificate
    const pub = await openssl("pkey", "-in", "tls.key", "-pubout");
    const certPub = await openssl("x509", "-in", "tls.crt", "-noout", "-pubkey");
    assert.equal(pub.ok, true);
    assert.equal(pub.text, certPub.text);
    // another run's CA does not verify it
    await Deno.writeTextFile(
      `${dir}/other.crt`,
      (await createRunCredentials({ runId: "o" })).caPem,
    );
    const wrong = await openssl("verify", "-CAfile", "other.crt", "tls.crt");
    assert.equal(wrong.ok, false);
    await Deno.remove(dir, { recursive: true });
  },
}));
