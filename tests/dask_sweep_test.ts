// `--engine dask` through whole sweeps of the CLI, with Debian's python3-distributed: the 7 array
// and 9 dataframe operations of dask-bench at 1, 2 and 4 cores (layout ranks) with every check
// passing — locally and on the real Slurm cluster (2 cores per node); a worker killed mid-run
// fails its point with the reason while the sweep goes on; Ctrl-C leaves no scheduler, worker,
// rank or job; a Python without distributed is one line and exit 2 before anything starts; a
// dask-bench .env sizes dask-arrays as it sizes arrays.
import assert from "node:assert/strict";
import { DASK_ARRAY_OPS } from "../workloads/dask_arrays/mod.ts";
import { DASK_DATAFRAME_OPS } from "../workloads/dask_dataframes/mod.ts";
import { CLI, cli } from "./_cli.ts";
import { needPython, needs, needSlurm, PYTHON } from "./_needs.ts";

const dask = await needPython("distributed");
const slurm = await needSlurm();

interface Obs {
  op: string;
  cores: number;
  nodes: number;
  ranks: number;
  ok: boolean;
  error: string | null;
  unit: string | null;
  rate: number | null;
}

async function observations(runDir: string): Promise<Obs[]> {
  const text = (await Deno.readTextFile(`${runDir}/observations.jsonl`)).trim();
  return text ? text.split("\n").map((l) => JSON.parse(l)) : [];
}

/** `scalebench run …` to its end; the summary of `--json` and the observations. */
async function sweep(args: string[], out: string, mark = "") {
  const r = await cli(["run", ...args, "--python", PYTHON, "--json", "-o", out], {
    env: { SCALEBENCH_TEST_MARK: mark },
  });
  const summary = JSON.parse(r.stdout.trim().split("\n").pop() || "{}");
  assert.ok(summary.run_dir, `exit ${r.code}: ${r.stderr.slice(-3000)}`);
  return { code: r.code, stderr: r.stderr, summary, obs: await observations(summary.run_dir) };
}

/** Every (cores, op) once, ok, with its unit. */
function assertAllOk(obs: Obs[], ops: string[], cores: number[]) {
  const bad = obs.filter((o) => !o.ok);
  assert.deepEqual(bad.map((o) => `${o.cores} ${o.op}: ${o.error}`), []);
  assert.deepEqual(
    obs.map((o) => `${o.cores} ${o.op}`).sort(),
    cores.flatMap((c) => ops.map((op) => `${c} ${op}`)).sort(),
  );
  for (const o of obs) {
    assert.equal(o.unit, o.op === "random access" ? "bytes/s" : "MB/s");
    assert.ok(o.rate! > 0, `${o.op}: rate ${o.rate}`);
  }
}

/**
 * Live processes started under this test's mark (`SCALEBENCH_TEST_MARK` in their environment,
 * inherited from the CLI by ranks, Dask's scheduler and workers, and the client), with their
 * command lines: other tests running meanwhile have other marks.
 */
function marked(mark: string, needle = ""): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name) || Number(e.name) === Deno.pid) continue;
    try {
      const env = Deno.readTextFileSync(`/proc/${e.name}/environ`);
      if (!env.includes(`\0SCALEBENCH_TEST_MARK=${mark}\0`)) continue;
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).replaceAll("\0", " ");
      if (!/^\d+ \(.*\) Z /.test(stat) && cmd.includes(needle)) out.push(`${e.name} ${cmd}`);
    } catch { /* gone, or not ours to read */ }
  }
  return out;
}

/** Waits until no process of `mark` is left (up to `seconds`); those still there. */
async function nothingLeft(mark: string, seconds = 20): Promise<string[]> {
  const end = Date.now() + seconds * 1000;
  while (marked(mark).length && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
  return marked(mark);
}

Deno.test(needs([dask], {
  name:
    "--engine dask locally: dask-arrays and dask-dataframes at 1, 2, 4 cores, every check passing",
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "scalebench-dask-sweep-" });
    const common = ["-c", "1,2,4", "--layout", "ranks", "-r", "1"];
    const mark = crypto.randomUUID();
    const arrays = await sweep(["dask-arrays", ...common, "--set", "size=400"], out, mark);
    assert.equal(arrays.code, 0, arrays.stderr.slice(-2000));
    assertAllOk(arrays.obs, DASK_ARRAY_OPS, [1, 2, 4]);
    assert.deepEqual([...new Set(arrays.obs.map((o) => o.ranks))], [1, 2, 4]);
    const frames = await sweep(["dask-dataframes", ...common, "--set", "rows=500"], out);
    assert.equal(frames.code, 0, frames.stderr.slice(-2000));
    assertAllOk(frames.obs, DASK_DATAFRAME_OPS, [1, 2, 4]);
    // the cluster start is logged with its duration, not timed
    const log = await Deno.readTextFile(`${frames.summary.run_dir}/logs/p03-c0004.rank0.err`);
    assert.match(log, /Dask cluster ready in \d+\.\d\d s \(not timed\): .* 4 workers, 4 threads/);
    assert.deepEqual(await nothingLeft(mark), []);
    await Deno.remove(out, { recursive: true });
  },
}));

Deno.test(needs([dask, slurm], {
  name:
    "--engine dask on Slurm: 1, 2, 4 cores at 2 cores per node (arrays over TLS), every check passing",
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "scalebench-dask-slurm-" });
    const common = ["-p", "slurm", "-c", "1,2,4", "--layout", "ranks", "--cores-per-node", "2"];
    const arrays = await sweep(
      // with TLS: scheduler, workers and client on the run's credentials (dask-bench's USE_SSL)
      [
        "dask-arrays",
        ...common,
        ...["-r", "1", "--set", "size=400", "--poll-interval", "0.5", "--tls"],
      ],
      out,
    );
    assert.equal(arrays.code, 0, arrays.stderr.slice(-2000));
    assertAllOk(arrays.obs, DASK_ARRAY_OPS, [1, 2, 4]);
    assert.deepEqual(arrays.obs.filter((o) => o.cores === 4).map((o) => o.nodes)[0], 2);
    const tlsLog = await Deno.readTextFile(`${arrays.summary.run_dir}/logs/p03-c0004.rank0.err`);
    assert.match(tlsLog, /Dask cluster ready .* scheduler tls:\/\/[^,]+, 4 workers, 4 threads/);
    const frames = await sweep(
      ["dask-dataframes", ...common, "-r", "1", "--set", "rows=500", "--poll-interval", "0.5"],
      out,
    );
    assert.equal(frames.code, 0, frames.stderr.slice(-2000));
    assertAllOk(frames.obs, DASK_DATAFRAME_OPS, [1, 2, 4]);
    const log = await Deno.readTextFile(`${frames.summary.run_dir}/logs/p03-c0004.rank0.err`)
      .catch(() => "");
    assert.match(log, /Dask cluster ready .* 4 workers, 4 threads/);
    await Deno.remove(out, { recursive: true });
  },
}));

Deno.test(needs([dask], {
  name: "--engine dask: a worker killed mid-run fails its point with the reason; the sweep goes on",
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "scalebench-dask-kill-" });
    const client = new URL("./testdata/dask/kill_worker.py", import.meta.url).pathname;
    const mark = crypto.randomUUID();
    const r = await sweep(
      [
        "--exec",
        `python3 ${client}`,
        "--engine",
        "dask",
        "-c",
        "1,2,3",
        "--layout",
        "ranks",
        "-r",
        "2",
      ],
      out,
      mark,
    );
    assert.equal(r.code, 1, r.stderr.slice(-2000));
    const at = (cores: number) => r.obs.filter((o) => o.cores === cores);
    assert.deepEqual([...at(1), ...at(3)].map((o) => [o.cores, o.ok, o.error]), [
      [1, true, null],
      [1, true, null],
      [3, true, null],
      [3, true, null],
    ]);
    // the point's repetitions all fail with the reason: the rest of the batch could not run
    assert.equal(at(2).length, 2);
    for (const o of at(2)) {
      assert.equal(o.ok, false);
      assert.match(
        o.error!,
        /Dask worker rank-\d (was killed by SIGKILL|left the cluster) during the point/,
      );
    }
    assert.deepEqual(await nothingLeft(mark), []);
    await Deno.remove(out, { recursive: true });
  },
}));

Deno.test(needs([dask], {
  name: "--engine dask: Ctrl-C mid-point leaves no scheduler, worker, client or rank",
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "scalebench-dask-int-" });
    const mark = crypto.randomUUID();
    const args = ["run", "dask-arrays", "-c", "2", "--layout", "ranks", "-r", "50"];
    const child = new Deno.Command(CLI[0], {
      args: [...CLI.slice(1), ...args, "--set", "size=2000", "--python", PYTHON, "-o", out],
      env: { SCALEBENCH_TEST_MARK: mark },
      stdout: "null",
      stderr: "null",
    }).spawn();
    // wait until rank 0's client computes on the ready cluster of 2 workers
    const end = Date.now() + 120_000;
    let ready = false;
    while (!ready && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 300));
      ready = marked(mark, "scalebench.dask_arrays").length === 1 &&
        marked(mark, "scalebench.cluster worker").length === 2 &&
        marked(mark, "scalebench.cluster scheduler").length === 1;
    }
    assert.ok(ready, `the cluster never ran the client: ${marked(mark).join("; ")}`);
    child.kill("SIGINT");
    assert.equal((await child.status).code, 130);
    assert.deepEqual(await nothingLeft(mark), []);
    const [run] = [...Deno.readDirSync(out)];
    const manifest = JSON.parse(await Deno.readTextFile(`${out}/${run.name}/manifest.json`));
    assert.equal(manifest.status, "interrupted");
    await Deno.remove(out, { recursive: true });
  },
}));

Deno.test(needs([dask], {
  name: "--engine dask without Python's distributed: one line, exit 2, nothing started",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "scalebench-dask-nopy-" });
    const bare = `${dir}/python-without-site`;
    await Deno.writeTextFile(bare, `#!/bin/sh\nexec ${PYTHON} -S "$@"\n`);
    await Deno.chmod(bare, 0o755);
    const r = await cli(["run", "dask-arrays", "-c", "1", "--python", bare, "-o", `${dir}/out`]);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr.trim(),
      `--engine dask needs Python with Dask's distributed: '${bare}' cannot import it (ModuleNotFoundError: No module named 'distributed'); install it (Debian: python3-distributed) or set --python (SCALEBENCH_PYTHON)`,
    );
    await assert.rejects(Deno.stat(`${dir}/out`)); // no run directory: nothing started
    await Deno.remove(dir, { recursive: true });
  },
}));

Deno.test("dask-arrays with a dask-bench .env: PROBLEM_SIZE_ARRAY, one process per core, weak rule", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scalebench-dask-env-" });
  await Deno.writeTextFile(
    `${dir}/dask-bench.env`,
    "KUBE=False\nMAX_N_CORES=4\nCORES_PER_NODE=2\nSTEP_BY=2\nOBS_PER_ITER=3\n" +
      "PROBLEM_SIZE_ARRAY=2000\nPROBLEM_SIZE_DATAFRAMES=3000\nUSE_SSL=False\n",
  );
  const r = await cli(
    ["run", "dask-arrays", "--env-file", `${dir}/dask-bench.env`, "--dry-run", "--json"],
    { cwd: dir },
  );
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout);
  assert.equal(plan.provider, "slurm");
  assert.equal(plan.layout, "ranks");
  assert.equal(plan.reps, 3);
  assert.deepEqual(
    plan.points.map((
      p: { cores: number; nodes: number; ranks: number; params: { size: number } },
    ) => [
      p.cores,
      p.nodes,
      p.ranks,
      p.params.size,
    ]),
    [[1, 1, 1, 2000], [2, 1, 2, 2828], [4, 2, 4, 4000]],
  );
  assert.equal(plan.exec.engine, "dask");
  await Deno.remove(dir, { recursive: true });
});
