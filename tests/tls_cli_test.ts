// `scalebench run --tls` on the local provider: files, manifest, clean-up, dry run, and the
// settings that cannot be honoured (exit 2).
import assert from "node:assert/strict";
import { x509 } from "../core/_x509.ts";
import { RENDEZVOUS_SERVER_NAME } from "../core/certs.ts";
import { readRun } from "../core/results.ts";
import type { Manifest } from "../core/types.ts";
import { cli } from "./_cli.ts";

const tmp = () => Deno.makeTempDir({ prefix: "scalebench-tls-cli-" });
const base = ["run", "amdahl", "-c", "1,2", "--layout", "ranks", "-r", "2", "--set", "work=20"];

/** Every file under `dir` except those under `skip`, as text. */
async function allText(dir: string, skip: string): Promise<string> {
  let text = "";
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (p === skip) continue;
    if (e.isDirectory) text += await allText(p, skip);
    else if (e.isFile) text += await Deno.readTextFile(p);
  }
  return text;
}

Deno.test("run --tls --keep-certs: the run's CA verifies its certificate, the manifest has its fingerprint, the key is nowhere else", async () => {
  const dir = await tmp();
  const r = await cli([...base, "--tls", "--keep-certs", "-o", dir, "--name", "kept", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const run = await readRun(`${dir}/kept`);
  const m = run.manifest as Manifest;
  assert.deepEqual(run.observations.map((o) => [o.cores, o.rep, o.ok]), [
    [1, 0, true],
    [1, 1, true],
    [2, 0, true],
    [2, 1, true],
  ]);
  const tlsDir = `${dir}/kept/tls`;
  assert.deepEqual(m.tls, {
    encrypted: true,
    ca_sha256: m.tls!.ca_sha256,
    server_name: RENDEZVOUS_SERVER_NAME,
    not_after: m.tls!.not_after,
    dir: tlsDir,
    kept: true,
  });
  assert.equal((await Deno.stat(tlsDir)).mode! & 0o777, 0o700);
  for (const f of ["ca.crt", "tls.crt", "tls.key"]) {
    assert.equal((await Deno.stat(`${tlsDir}/${f}`)).mode! & 0o777, 0o600);
  }
  const ca = new x509.X509Certificate(await Deno.readTextFile(`${tlsDir}/ca.crt`));
  const cert = new x509.X509Certificate(await Deno.readTextFile(`${tlsDir}/tls.crt`));
  assert.equal(await cert.verify({ publicKey: ca.publicKey }), true);
  assert.equal(Buffer.from(await ca.getThumbprint("SHA-256")).toString("hex"), m.tls!.ca_sha256);
  // the key's body appears in no log, spec, manifest or output
  const keyBody = (await Deno.readTextFile(`${tlsDir}/tls.key`)).split("\n")[1];
  const elsewhere = (await allText(`${dir}/kept`, tlsDir)) + r.stdout + r.stderr;
  assert.equal(elsewhere.includes(keyBody), false);
  assert.equal(elsewhere.includes("PRIVATE KEY"), false);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("run --tls removes the run's TLS files when it ends, and the manifest says so", async () => {
  const dir = await tmp();
  const r = await cli([...base, "--tls", "-o", dir, "--name", "gone", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const m = (await readRun(`${dir}/gone`)).manifest as Manifest;
  assert.deepEqual([m.tls?.encrypted, m.tls?.kept, m.config?.tls], [true, false, true]);
  await assert.rejects(() => Deno.stat(`${dir}/gone/tls`), Deno.errors.NotFound);
  const spec = JSON.parse(await Deno.readTextFile(`${dir}/gone/logs/p02-c0002.spec.json`));
  assert.equal(spec.rendezvous.tls, true);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("run --tls --dry-run --json shows where the files would go, writes none and shows no key", async () => {
  const dir = await tmp();
  const r = await cli(
    [
      ...base,
      "-p",
      "slurm",
      "--tls",
      "--cert-dir",
      `${dir}/certs`,
      "--name",
      "dry",
      "--dry-run",
      "--json",
    ],
    { cwd: dir },
  );
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout);
  const script = plan.jobs[1].submit.script as string;
  assert.ok(script.includes(`export SCALEBENCH_TLS_DIR=${dir}/certs/scalebench-dry\n`), script);
  assert.ok(script.includes(`export SCALEBENCH_TLS_SERVER_NAME=${RENDEZVOUS_SERVER_NAME}\n`));
  assert.equal((r.stdout + r.stderr).includes("PRIVATE KEY"), false);
  assert.deepEqual([...Deno.readDirSync(dir)], []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--keep-certs without --tls is refused (exit 2, one line)", async () => {
  const dir = await tmp();
  const r = await cli([...base, "--keep-certs", "-o", dir]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr.trim(),
    "--keep-certs needs TLS on: add --tls (or SCALEBENCH_TLS=1, or USE_SSL=True in the .env)",
  );
  assert.deepEqual([...Deno.readDirSync(dir)], []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--resume of a TLS run makes a new CA and may add --keep-certs", async () => {
  const dir = await tmp();
  const first = await cli([...base, "--tls", "-o", dir, "--name", "r", "--json"]);
  assert.equal(first.code, 0, first.stderr);
  const before = ((await readRun(`${dir}/r`)).manifest as Manifest).tls!;
  // lose the last observation, then resume
  const obs = await Deno.readTextFile(`${dir}/r/observations.jsonl`);
  await Deno.writeTextFile(
    `${dir}/r/observations.jsonl`,
    obs.split("\n").slice(0, 3).join("\n") + "\n",
  );
  const again = await cli(["run", "--resume", `${dir}/r`, "--keep-certs", "--json"]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).recorded, 1);
  const after = ((await readRun(`${dir}/r`)).manifest as Manifest).tls!;
  assert.notEqual(after.ca_sha256, before.ca_sha256);
  assert.deepEqual([after.encrypted, after.kept], [true, true]);
  assert.equal((await Deno.stat(`${dir}/r/tls/tls.key`)).isFile, true);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--tls with a provider that does not hand the ranks their TLS files stops the run (exit 2)", async () => {
  const dir = await tmp();
  // the launcher plugin builds its ranks' environment itself: rank 0 refuses to start in clear
  const launcher = new URL("./testdata/plugins/launcher_provider.ts", import.meta.url).pathname;
  const a = await cli([...base, "-p", launcher, "--tls", "-o", dir, "--name", "a"]);
  assert.equal(a.code, 2, a.stderr);
  assert.ok(
    a.stderr.includes(
      "This run uses TLS (--tls) but rank 0 has no SCALEBENCH_TLS_DIR: the provider does not pass the run's TLS files to its ranks",
    ),
    a.stderr,
  );
  // a provider that drops --tls altogether: rank 0 reports that it met the others in clear
  const blind = new URL("./testdata/tls_blind_provider.ts", import.meta.url).pathname;
  const b = await cli([...base, "-p", blind, "--tls", "-o", dir, "--name", "b"]);
  assert.equal(b.code, 2, b.stderr);
  assert.ok(
    b.stderr.includes(
      "--tls: the ranks of batch p01-c0001 met without TLS: provider 'tls-blind' does not pass the run's TLS files (SCALEBENCH_TLS_DIR) to its ranks",
    ),
    b.stderr,
  );
  assert.equal((await readRun(`${dir}/b`)).observations.length, 0);
  await Deno.remove(dir, { recursive: true });
});
