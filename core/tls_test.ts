import assert from "node:assert/strict";
import { createRunCredentials, RENDEZVOUS_SERVER_NAME } from "./certs.ts";
import { ValidationError } from "./errors.ts";
import {
  checkTlsSettings,
  daskTlsEnv,
  rankTlsEnv,
  readRankTls,
  removeCredentials,
  rendezvousTls,
  runTlsDir,
  startRunTls,
  tlsFiles,
  writeCredentials,
} from "./tls.ts";

const creds = await createRunCredentials({ runId: "r" });
const mode = async (p: string) => (await Deno.stat(p)).mode! & 0o777;

Deno.test("runTlsDir() is the run's tls/ by default, a per-run folder of a chosen CERT_DIR", () => {
  assert.equal(runTlsDir("/res/run-1", { runId: "run-1" }), "/res/run-1/tls");
  assert.equal(
    runTlsDir("res/run-1/", { runId: "run-1", cwd: "/home/u" }),
    "/home/u/res/run-1/tls",
  );
  assert.equal(
    runTlsDir("/res/run-1", { runId: "run-1", certDir: "./certs/", cwd: "/home/u" }),
    "/home/u/certs/scalebench-run-1",
  );
  assert.equal(
    runTlsDir("/res/run-1", { runId: "run-1", certDir: "/shared/certs" }),
    "/shared/certs/scalebench-run-1",
  );
});

Deno.test("writeCredentials() writes 0600 files in a 0700 directory; removeCredentials() removes them", async () => {
  const base = await Deno.makeTempDir({ prefix: "scalebench-tls-" });
  await Deno.chmod(base, 0o755);
  const files = await writeCredentials(`${base}/a/tls`, creds);
  assert.deepEqual(files, tlsFiles(`${base}/a/tls`));
  assert.equal(files.serverName, RENDEZVOUS_SERVER_NAME);
  assert.equal(await mode(files.dir), 0o700);
  for (const f of [files.ca, files.cert, files.key]) assert.equal(await mode(f), 0o600);
  assert.equal(await Deno.readTextFile(files.ca), creds.caPem);
  assert.equal(await Deno.readTextFile(files.cert), creds.certPem);
  assert.equal(await Deno.readTextFile(files.key), creds.keyPem);
  // a second write (a resumed run) replaces stale files, even read-only ones
  await Deno.chmod(files.key, 0o400);
  const again = await createRunCredentials({ runId: "r" });
  await writeCredentials(`${base}/a/tls`, again);
  assert.equal(await Deno.readTextFile(files.key), again.keyPem);
  assert.equal(await mode(files.key), 0o600);
  await removeCredentials(files);
  assert.deepEqual([...Deno.readDirSync(`${base}/a`)], []);
  await Deno.remove(base, { recursive: true });
});

Deno.test("removeCredentials() leaves a directory that holds other files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scalebench-tls-" });
  await Deno.writeTextFile(`${dir}/mine.txt`, "keep");
  const files = await writeCredentials(dir, creds);
  await removeCredentials(files);
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["mine.txt"]);
  await removeCredentials(files); // twice is fine
  await Deno.remove(dir, { recursive: true });
});

Deno.test("writeCredentials() names the setting to fix, and never the key, when it cannot write", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scalebench-tls-" });
  await Deno.writeTextFile(`${dir}/file`, "");
  const err = await writeCredentials(`${dir}/file/tls`, creds, { what: "CERT_DIR in '.env'" })
    .then(() => null, (e) => e);
  assert.ok(err instanceof ValidationError);
  assert.match(
    err.message,
    /^Cannot write the run's TLS files into '.*\/file\/tls' \(CERT_DIR in '\.env'\): /,
  );
  assert.equal(err.message.includes("PRIVATE"), false);
  const notDir = await writeCredentials(`${dir}/file`, creds).then(() => null, (e) => e);
  assert.ok(notDir instanceof ValidationError);
  assert.match(notDir.message, /--cert-dir \(CERT_DIR\)/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("rankTlsEnv() and daskTlsEnv() point at the files, never at their content", () => {
  const files = tlsFiles("/shared/run/tls");
  assert.deepEqual(rankTlsEnv(files), {
    SCALEBENCH_TLS_DIR: "/shared/run/tls",
    SCALEBENCH_TLS_SERVER_NAME: RENDEZVOUS_SERVER_NAME,
  });
  assert.deepEqual(daskTlsEnv(files), {
    DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION: "True",
    DASK_DISTRIBUTED__COMM__DEFAULT_SCHEME: "tls",
    DASK_DISTRIBUTED__COMM__TLS__CA_FILE: "/shared/run/tls/ca.crt",
    DASK_DISTRIBUTED__COMM__TLS__SCHEDULER__CERT: "/shared/run/tls/tls.crt",
    DASK_DISTRIBUTED__COMM__TLS__SCHEDULER__KEY: "/shared/run/tls/tls.key",
    DASK_DISTRIBUTED__COMM__TLS__WORKER__CERT: "/shared/run/tls/tls.crt",
    DASK_DISTRIBUTED__COMM__TLS__WORKER__KEY: "/shared/run/tls/tls.key",
    DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT: "/shared/run/tls/tls.crt",
    DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY: "/shared/run/tls/tls.key",
  });
});

Deno.test("readRankTls() gives rank 0 the certificate and key, the others the CA", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scalebench-tls-" });
  await writeCredentials(dir, creds);
  assert.deepEqual(await readRankTls(dir, { rank: 0, serverName: "n" }), {
    cert: creds.certPem,
    key: creds.keyPem,
    serverName: "n",
  });
  assert.deepEqual(await readRankTls(dir, { rank: 3 }), { ca: creds.caPem, serverName: undefined });
  // a user's secret without ca.crt: the others fall back to the system's CAs
  await Deno.remove(`${dir}/ca.crt`);
  assert.deepEqual(await readRankTls(dir, { rank: 1 }), { ca: undefined, serverName: undefined });
  await Deno.remove(`${dir}/tls.key`);
  await assert.rejects(() => readRankTls(dir, { rank: 0 }), (err: Error) => {
    assert.ok(err instanceof ValidationError);
    assert.match(err.message, /^No readable 'tls\.key' in SCALEBENCH_TLS_DIR '.*': /);
    return true;
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("rendezvousTls() serves on rank 0, trusts on the others, and never falls back to plaintext", () => {
  const tls = { cert: "C", key: "K", ca: "A", serverName: "n" };
  assert.deepEqual(rendezvousTls(tls, { rank: 0, required: true }), {
    server: { cert: "C", key: "K" },
  });
  assert.deepEqual(rendezvousTls({ ca: "A", serverName: "n" }, { rank: 2, required: true }), {
    client: { ca: "A", serverName: "n" },
  });
  assert.deepEqual(rendezvousTls(undefined, { rank: 0, required: false }), {});
  assert.throws(
    () => rendezvousTls(undefined, { rank: 1, required: true }),
    new ValidationError(
      "This run uses TLS (--tls) but rank 1 has no SCALEBENCH_TLS_DIR: the provider does not pass the run's TLS files to its ranks",
    ),
  );
  // a directory that cannot be read stops the rank even where TLS was not required
  assert.throws(
    () => rendezvousTls({ error: "No readable 'tls.key'" }, { rank: 0, required: false }),
    new ValidationError("No readable 'tls.key'"),
  );
  assert.throws(
    () => rendezvousTls({ ca: "A" }, { rank: 0, required: true }),
    ValidationError,
  );
});

Deno.test("checkTlsSettings() refuses --cert-dir and --keep-certs without TLS", () => {
  const off = { tls: false, certDir: null, keepCerts: false };
  checkTlsSettings(off);
  checkTlsSettings({ tls: true, certDir: "/c", keepCerts: true });
  assert.throws(
    () => checkTlsSettings({ ...off, certDir: "/c" }),
    new ValidationError(
      "--cert-dir needs TLS on: add --tls (or SCALEBENCH_TLS=1, or USE_SSL=True in the .env)",
    ),
  );
  assert.throws(
    () => checkTlsSettings({ ...off, certDir: "/c", keepCerts: true }),
    /^ValidationError: --keep-certs needs TLS on/,
  );
});

Deno.test("startRunTls() writes the run's files and records only public facts; close() removes them unless kept", async () => {
  const base = await Deno.makeTempDir({ prefix: "scalebench-tls-" });
  const run = await startRunTls({ runId: "r1", runDir: `${base}/r1`, certDir: null, keep: false });
  assert.equal(run.files.dir, `${base}/r1/tls`);
  assert.deepEqual(Object.keys(run.record), [
    "encrypted",
    "ca_sha256",
    "server_name",
    "not_after",
    "dir",
    "kept",
  ]);
  assert.deepEqual([run.record.encrypted, run.record.dir, run.record.kept], [
    true,
    run.files.dir,
    false,
  ]);
  const key = await Deno.readTextFile(run.files.key);
  assert.equal(JSON.stringify(run.record).includes(key.split("\n")[1]), false);
  await run.close();
  await run.close();
  assert.deepEqual([...Deno.readDirSync(`${base}/r1`)], []);
  const kept = await startRunTls({
    runId: "r2",
    runDir: `${base}/r2`,
    certDir: `${base}/certs`,
    keep: true,
  });
  assert.equal(kept.files.dir, `${base}/certs/scalebench-r2`);
  await kept.close();
  assert.equal(await mode(kept.files.key), 0o600);
  await Deno.remove(base, { recursive: true });
});
