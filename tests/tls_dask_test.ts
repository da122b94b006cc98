// The run's TLS credentials work for Dask as they are: a scheduler, a worker and a client
// configured only by daskTlsEnv() talk mutual TLS, and refuse another CA and plaintext (what the
// Dask engine relies on, like dask-jobqueue's security=True).
import assert from "node:assert/strict";
import { createRunCredentials } from "../core/certs.ts";
import { daskTlsEnv, removeCredentials, writeCredentials } from "../core/tls.ts";
import { needPython, needs, PYTHON } from "./_needs.ts";

Deno.test(needs([await needPython("distributed")], {
  name: "daskTlsEnv(): Dask's scheduler, worker and client use the run's credentials",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "scalebench-tls-dask-" });
    const files = await writeCredentials(`${dir}/tls`, await createRunCredentials({ runId: "r" }));
    await Deno.writeTextFile(
      `${dir}/other.crt`,
      (await createRunCredentials({ runId: "o" })).caPem,
    );
    const out = await new Deno.Command(PYTHON, {
      args: [new URL("./testdata/tls_dask.py", import.meta.url).pathname],
      env: { ...daskTlsEnv(files), OTHER_CA: `${dir}/other.crt`, WORK_DIR: dir },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr).slice(-2000));
    assert.deepEqual(text.trim().split("\n"), [
      "result 42 tls tls",
      "other-ca refused",
      "plaintext refused",
    ]);
    await removeCredentials(files);
    await Deno.remove(dir, { recursive: true });
  },
}));
