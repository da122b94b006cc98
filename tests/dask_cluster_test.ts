// The Dask cluster lifecycle of --engine dask (core/dask_cluster.ts) with Debian's Dask: a
// scheduler and workers come up and are seen, a killed worker is noticed with its signal, the
// readiness wait fails naming what it saw (or the scheduler it could not reach), a rank killed
// with SIGKILL leaves no Dask process, and a Python without distributed is refused up front.
import assert from "node:assert/strict";
import {
  checkDaskPython,
  daskEnv,
  pythonDir,
  startScheduler,
  startWorker,
  waitForWorkers,
} from "../core/dask_cluster.ts";
import { ValidationError } from "../core/errors.ts";
import { needPython, needs, PYTHON } from "./_needs.ts";

const dask = await needPython("distributed");

function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) Z /.test(stat); // a zombie is gone for good
  } catch {
    return false;
  }
}

async function gone(pids: number[], seconds: number): Promise<number[]> {
  const end = Date.now() + seconds * 1000;
  while (pids.some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  return pids.filter(alive);
}

Deno.test(needs([dask], {
  name:
    "startScheduler()/startWorker()/waitForWorkers(): a cluster comes up, a killed worker is seen",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "scalebench-dask-cluster-" });
    const env = daskEnv({ base: Deno.env.toObject() });
    const common = { python: PYTHON, env };
    const scheduler = await startScheduler({ ...common, dir, host: "127.0.0.1", timeout: 60 });
    const workers = [0, 1].map((i) =>
      startWorker({
        ...common,
        dir,
        address: scheduler.address,
        name: `rank-${i}`,
        nthreads: i + 1,
        host: "127.0.0.1",
        memoryLimit: "1GiB",
      })
    );
    try {
      assert.match(scheduler.address, /^tcp:\/\/127\.0\.0\.1:\d+$/);
      const ready = await waitForWorkers({
        ...common,
        address: scheduler.address,
        workers: 2,
        threads: 3,
        timeout: 60,
      });
      assert.deepEqual(ready, { workers: 2, threads: 3, names: ["rank-0", "rank-1"] });
      Deno.kill(workers[1].pid, "SIGKILL");
      const exit = await workers[1].exited;
      assert.deepEqual(exit, { code: 137, signal: "SIGKILL" });
      assert.equal(workers[1].why(exit), "Dask worker rank-1 was killed by SIGKILL");
      await assert.rejects(
        waitForWorkers({
          ...common,
          address: scheduler.address,
          workers: 2,
          threads: 3,
          timeout: 1,
        }),
        /The Dask cluster was not ready: The scheduler sees 1 of 2 workers \(1 of 3 threads\) after 1 s/,
      );
    } finally {
      for (const w of workers) await w.stop();
      await scheduler.process.stop();
    }
    assert.deepEqual(await workers[0].exited, { code: 0, signal: null });
    assert.deepEqual(await scheduler.process.exited, { code: 0, signal: null });
    assert.match(await Deno.readTextFile(`${dir}/worker-rank-0.log`), /Registered to:/);
    await Deno.remove(dir, { recursive: true });
  },
}));

Deno.test(needs([dask], {
  name: "waitForWorkers() says in one line that no scheduler could be reached, within its bound",
  async fn() {
    // a port nobody listens on: bound, then closed
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const address = `tcp://127.0.0.1:${port}`;
    await assert.rejects(
      waitForWorkers({
        python: PYTHON,
        env: daskEnv({ base: Deno.env.toObject() }),
        address,
        workers: 1,
        threads: 1,
        timeout: 1,
        connectTimeout: 1,
      }),
      (err: Error) => {
        assert.match(
          err.message,
          new RegExp(
            `^The Dask cluster was not ready: The scheduler at ${address} could not be reached within 1 s: .+$`,
          ),
        );
        return true;
      },
    );
  },
}));

Deno.test(needs([dask], {
  name: "startScheduler()/startWorker(): a rank killed with SIGKILL leaves no Dask process",
  // the rank's pipes are closed by then: the watchdog must not die writing its farewell
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "scalebench-dask-orphans-" });
    const script = `${dir}/rank.ts`;
    const mod = new URL("../core/dask_cluster.ts", import.meta.url).href;
    await Deno.writeTextFile(
      script,
      `import { daskEnv, startScheduler, startWorker, waitForWorkers } from ${JSON.stringify(mod)};
const env = daskEnv({ base: Deno.env.toObject() }), python = ${JSON.stringify(PYTHON)};
const dir = ${JSON.stringify(dir)};
const s = await startScheduler({ python, env, dir, host: "127.0.0.1", timeout: 60 });
const w = startWorker({ python, env, dir, address: s.address, name: "w", nthreads: 1, host: "127.0.0.1" });
await waitForWorkers({ python, env, address: s.address, workers: 1, threads: 1, timeout: 60 });
console.log(JSON.stringify([s.process.pid, w.pid]));
await new Promise(() => {});
`,
    );
    const rank = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = rank.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const pids = JSON.parse(text) as number[];
    assert.equal(pids.filter(alive).length, 2);
    rank.kill("SIGKILL");
    await rank.status;
    reader.releaseLock();
    await rank.stdout.cancel().catch(() => {});
    assert.deepEqual(await gone(pids, 20), [], "Dask processes outlived their rank");
    await Deno.remove(dir, { recursive: true });
  },
}));

Deno.test(needs([dask], {
  name: "checkDaskPython(): a Python without distributed is one clear line naming the setting",
  async fn() {
    await checkDaskPython(PYTHON); // Debian's has it
    const dir = await Deno.makeTempDir({ prefix: "scalebench-dask-python-" });
    const bare = `${dir}/python-without-site`;
    // -S: no site-packages, so Debian's dist-packages (and Dask) are not importable
    await Deno.writeTextFile(bare, `#!/bin/sh\nexec ${PYTHON} -S "$@"\n`);
    await Deno.chmod(bare, 0o755);
    await assert.rejects(
      checkDaskPython(bare, { what: "--python (SCALEBENCH_PYTHON)" }),
      (err: Error) => {
        assert.ok(err instanceof ValidationError);
        assert.equal(
          err.message,
          `--engine dask needs Python with Dask's distributed: '${bare}' cannot import it (ModuleNotFoundError: No module named 'distributed'); install it (Debian: python3-distributed) or set --python (SCALEBENCH_PYTHON)`,
        );
        return true;
      },
    );
    await assert.rejects(
      checkDaskPython(`${dir}/no-such-python`),
      new ValidationError(
        `--engine dask needs Python with Dask's distributed: '${dir}/no-such-python' not found (set --python)`,
      ),
    );
    await Deno.remove(dir, { recursive: true });
  },
}));

Deno.test("daskEnv(): scalebench's python/ first on PYTHONPATH, once; TLS as Dask's configuration", () => {
  const base = { PYTHONPATH: `/mine:${pythonDir()}`, HOME: "/h" };
  const env = daskEnv({ base });
  assert.equal(env.PYTHONPATH, `${pythonDir()}:/mine`);
  assert.equal(env.HOME, "/h");
  assert.equal(env.DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION, undefined);
  const tls = daskEnv({
    base: {},
    tls: { dir: "/t", ca: "/t/ca.crt", cert: "/t/tls.crt", key: "/t/tls.key", serverName: "x" },
  });
  assert.equal(tls.PYTHONPATH, pythonDir());
  assert.equal(tls.DASK_DISTRIBUTED__COMM__TLS__CA_FILE, "/t/ca.crt");
  assert.equal(tls.DASK_DISTRIBUTED__COMM__TLS__WORKER__KEY, "/t/tls.key");
  assert.equal(tls.DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION, "True");
  assert.ok(pythonDir().endsWith("/python"));
});
