// --engine dask's sessions (core/engine_dask.ts) on in-process ranks: a real Dask cluster per
// batch (scheduler on rank 0, a worker per rank), the client run by rank 0 with
// DASK_SCHEDULER_ADDRESS, every check of the dask-arrays client passing; a worker killed
// mid-run fails the batch with its reason; close() leaves no Dask process; mutual TLS on the
// run's credentials. The driver side (a whole sweep) is tests/dask_sweep_test.ts.
import assert from "node:assert/strict";
import { createRunCredentials } from "../core/certs.ts";
import {
  clientArgv,
  daskEngine,
  type DaskSettings,
  workerMemoryLimit,
} from "../core/engine_dask.ts";
import type { EngineContext, EngineSession, Repetition } from "../core/engine.ts";
import { processTree, runProcess } from "../core/exec_process.ts";
import { createLocalGroup } from "../core/local_group.ts";
import { writeCredentials } from "../core/tls.ts";
import { needPython, needs, PYTHON } from "./_needs.ts";

const dask = await needPython("distributed");

const SETTINGS: DaskSettings = {
  python: PYTHON,
  tls: false,
  memPerNode: null,
  memUnit: "GB",
  readyTimeout: 60,
  interface: null,
  ops: null,
};

interface Ranks {
  ctxs: EngineContext[];
  sessions: EngineSession[];
  dir: string;
}

/** Start the engine on `ranks` in-process ranks of `threads` threads each. */
async function startRanks(
  o: {
    ranks: number;
    threads: number;
    settings?: Partial<DaskSettings>;
    tlsDir?: string;
  },
): Promise<Ranks> {
  const dir = await Deno.makeTempDir({ prefix: "scalebench-dask-engine-" });
  const group = createLocalGroup(o.ranks);
  const settings = { ...SETTINGS, ...o.settings };
  const ctxs = group.map((coll, rank): EngineContext => ({
    runId: "r",
    batch: "p01-c002-b01",
    rank,
    ranks: o.ranks,
    threads: o.threads,
    cores: o.ranks * o.threads,
    nodes: 1,
    mode: "weak",
    point: {
      index: 0,
      cores: o.ranks * o.threads,
      nodes: 1,
      ranks: o.ranks,
      threads: o.threads,
      params: {},
      size: 0,
    },
    hosts: group.map(() => "127.0.0.1"),
    settings: settings as unknown as EngineContext["settings"],
    environment: Object.freeze(Deno.env.toObject()),
    tlsDir: o.tlsDir ?? null,
    workDir: dir,
    barrier: () => coll.barrier(),
    allgather: (v) => coll.allgather(v),
    launch: (argv, l) =>
      runProcess(argv, { env: l.env, cwd: l.cwd, label: l.label, log: () => {} }),
    log: () => {},
  }));
  const sessions = await Promise.all(ctxs.map((c) => daskEngine.start(c)));
  return { ctxs, sessions, dir };
}

function repetition(r: Ranks, rank: number, o: { argv: string[]; env?: Record<string, string> }) {
  const c = r.ctxs[rank];
  const rep: Repetition = {
    rep: 0,
    warmup: false,
    argv: o.argv,
    env: {
      SCALEBENCH_RECORDS: `${r.dir}/records.${rank}.jsonl`,
      SCALEBENCH_CORES: String(c.cores),
      ...o.env,
    },
    recordsDir: r.dir,
    cwd: undefined,
  };
  return rep;
}

/**
 * The Dask processes of the ranks `r` started, by their command line (scheduler file and worker
 * directories are in `r.dir`): `deno test --parallel` runs other test files in this same process,
 * and their clusters are none of this test's business.
 */
function daskProcesses(r: Ranks): number[] {
  return processTree(Deno.pid).slice(1).filter((pid) => {
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
      return cmdline.includes("scalebench.cluster") && cmdline.includes(r.dir);
    } catch {
      return false;
    }
  });
}

Deno.test(needs([dask], {
  name:
    "daskEngine: rank 0's client runs on a cluster of every rank's worker; all 7 array checks pass",
  async fn() {
    const r = await startRanks({ ranks: 2, threads: 1 });
    try {
      assert.equal(daskProcesses(r).length, 3); // a scheduler, two workers
      const runs = await Promise.all(
        r.ctxs.map((_, rank) =>
          r.sessions[rank].run(repetition(r, rank, {
            argv: ["python3", "-m", "scalebench.dask_arrays"],
            env: { SCALEBENCH_PARAM_SIZE: "600" },
          }))
        ),
      );
      assert.equal(runs[0].ran, true);
      assert.equal(runs[0].code, 0, runs[0].stderrTail);
      assert.equal(runs[1].ran, false);
      const records = (await Deno.readTextFile(`${r.dir}/records.0.jsonl`)).trim().split("\n")
        .map((l) => JSON.parse(l));
      assert.deepEqual(records.map((x) => [x.op, x.ok, x.error, x.unit]), [
        ["create random 2D-array", true, null, "MB"],
        ["block-wise operation", true, null, "MB"],
        ["random access", true, null, "bytes"],
        ["reduction operation (std)", true, null, "MB"],
        ["reduction (std) along axis", true, null, "MB"],
        ["elementwise computation", true, null, "MB"],
        ["sum the transpose", true, null, "MB"],
      ]);
      assert.equal(records[0].amount, 600 * 600 * 8 / 1e6);
      await assert.rejects(Deno.stat(`${r.dir}/records.1.jsonl`));
    } finally {
      await Promise.all(r.sessions.map((s) => s.close()));
    }
    assert.deepEqual(daskProcesses(r), []);
    await Deno.remove(r.dir, { recursive: true });
  },
}));

Deno.test(needs([dask], {
  name: "daskEngine: --ops reaches the client, which runs only those (and what they need)",
  async fn() {
    const ops = ["random access", "sum the transpose"];
    const r = await startRanks({ ranks: 1, threads: 2, settings: { ops } });
    try {
      const [run] = await Promise.all([r.sessions[0].run(repetition(r, 0, {
        argv: ["python3", "-m", "scalebench.dask_arrays"],
        env: { SCALEBENCH_PARAM_SIZE: "400" },
      }))]);
      assert.equal(run.code, 0, run.stderrTail);
      const records = (await Deno.readTextFile(`${r.dir}/records.0.jsonl`)).trim().split("\n")
        .map((l) => JSON.parse(l));
      assert.deepEqual(records.map((x) => [x.op, x.ok]), [[ops[0], true], [ops[1], true]]);
    } finally {
      await r.sessions[0].close();
    }
    await Deno.remove(r.dir, { recursive: true });
  },
}));

Deno.test(needs([dask], {
  name: "daskEngine: a worker killed mid-run fails the repetition with its reason",
  async fn() {
    const r = await startRanks({ ranks: 2, threads: 1 });
    const client = `${r.dir}/client.py`;
    await Deno.writeTextFile(
      client,
      `import time
from scalebench import client
with client() as c:
    c.wait_for_workers(2)
    for _ in range(300):  # until the scheduler is gone (the test's close())
        c.scheduler_info()
        time.sleep(0.1)
`,
    );
    try {
      const before = daskProcesses(r);
      // each rank's outcome: its error (handled at once, whichever rank learns it first)
      const runs = r.ctxs.map((_, rank) =>
        r.sessions[rank].run(repetition(r, rank, { argv: ["python3", client] })).then(
          () => null,
          (err: Error) => err.message,
        )
      );
      // kill rank 1's worker once the client runs
      await new Promise((res) => setTimeout(res, 2500));
      const worker = before.find((pid) =>
        Deno.readTextFileSync(`/proc/${pid}/cmdline`).includes("rank-1")
      )!;
      Deno.kill(worker, "SIGKILL");
      // its rank sees the process end; rank 0, whose client runs, sees it leave the scheduler
      assert.equal(await runs[1], "Dask worker rank-1 was killed by SIGKILL during the point");
      assert.equal(await runs[0], "Dask worker rank-1 left the cluster during the point");
    } finally {
      await Promise.all(r.sessions.map((s) => s.close()));
    }
    assert.deepEqual(daskProcesses(r), []);
    await Deno.remove(r.dir, { recursive: true });
  },
}));

Deno.test(needs([dask], {
  name: "daskEngine: with TLS the scheduler's address is tls:// and the client computes over it",
  async fn() {
    const tlsDir = await Deno.makeTempDir({ prefix: "scalebench-dask-tls-" });
    await writeCredentials(`${tlsDir}/tls`, await createRunCredentials({ runId: "r" }));
    const r = await startRanks({
      ranks: 2,
      threads: 1,
      settings: { tls: true },
      tlsDir: `${tlsDir}/tls`,
    });
    const client = `${r.dir}/client.py`;
    await Deno.writeTextFile(
      client,
      `import os
from scalebench import client, observe
with client() as c, observe("sum over tls") as o:
    o.check(os.environ["DASK_SCHEDULER_ADDRESS"].startswith("tls://"), "not tls")
    o.check(c.submit(sum, [1, 2, 3]).result() == 6, "wrong sum")
    o.check(all(w.startswith("tls://") for w in c.scheduler_info()["workers"]), "worker not tls")
`,
    );
    try {
      const runs = await Promise.all(
        r.ctxs.map((_, rank) =>
          r.sessions[rank].run(repetition(r, rank, { argv: ["python3", client] }))
        ),
      );
      assert.equal(runs[0].code, 0, runs[0].stderrTail);
      const rec = JSON.parse(await Deno.readTextFile(`${r.dir}/records.0.jsonl`));
      assert.deepEqual([rec.op, rec.ok, rec.error], ["sum over tls", true, null]);
    } finally {
      await Promise.all(r.sessions.map((s) => s.close()));
    }
    await Deno.remove(r.dir, { recursive: true });
    await Deno.remove(tlsDir, { recursive: true });
  },
}));

Deno.test("clientArgv(): a python client runs with --python; another program as it is", () => {
  assert.deepEqual(clientArgv(["python3", "-m", "x"], "/usr/bin/python3"), [
    "/usr/bin/python3",
    "-m",
    "x",
  ]);
  assert.deepEqual(clientArgv(["python", "c.py"], "/opt/v/bin/python"), [
    "/opt/v/bin/python",
    "c.py",
  ]);
  assert.deepEqual(clientArgv(["./client", "python3"], "/p"), ["./client", "python3"]);
  assert.deepEqual(clientArgv(["python3.11", "c.py"], "/p"), ["python3.11", "c.py"]);
});

Deno.test("workerMemoryLimit(): --mem-per-node shared by the node's workers, in the provider's unit", () => {
  assert.equal(workerMemoryLimit({ memPerNode: null, memUnit: "GB" }, 4), null);
  assert.equal(workerMemoryLimit({ memPerNode: 300, memUnit: "GB" }, 24), "12.5GB");
  assert.equal(workerMemoryLimit({ memPerNode: 8, memUnit: "GiB" }, 3), "2.66667GiB");
  assert.equal(workerMemoryLimit({ memPerNode: 8, memUnit: "GiB" }, 1), "8GiB");
});
