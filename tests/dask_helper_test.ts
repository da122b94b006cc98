// scalebench's Python helper (python/scalebench): `observe` writes one record per timed block to
// SCALEBENCH_RECORDS, with its checks and exceptions as the record's ok/error; `param` reads
// --set parameters.
import assert from "node:assert/strict";
import { pythonDir } from "../core/dask_cluster.ts";
import { needPython, needs, PYTHON } from "./_needs.ts";

const PROGRAM = `
import time
from scalebench import observe, param, warmup
with observe("sleep", unit="MB", amount=param("mb", 0, float)) as o:
    time.sleep(0.05)
    o.stop()
    time.sleep(0.3)                       # after stop(): not timed
    o.check(param("size", 0, int) == 7, "size is not 7")
with observe("no metric") as o:
    o.check(True, "never")
    o.check(warmup(), "not a warm-up")
    o.fail("and failed")
try:
    with observe("raises"):
        raise KeyError("col_9")
except KeyError:
    print("raised again")
`;

async function runPython(env: Record<string, string>) {
  const out = await new Deno.Command(PYTHON, {
    args: ["-c", PROGRAM],
    env: { PYTHONPATH: pythonDir(), ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

Deno.test(needs([await needPython("json")], {
  name: "observe(): one record per block, timed until stop(), checks and exceptions as ok/error",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "scalebench-helper-" });
    const records = `${dir}/records.jsonl`;
    await Deno.writeTextFile(records, "");
    const out = await runPython({
      SCALEBENCH_RECORDS: records,
      SCALEBENCH_PARAM_MB: "2.5",
      SCALEBENCH_PARAM_SIZE: "8",
      SCALEBENCH_WARMUP: "0",
    });
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, "raised again\n");
    const lines = (await Deno.readTextFile(records)).trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, 3);
    const [sleep, noMetric, raises] = lines;
    assert.ok(sleep.seconds >= 0.05 && sleep.seconds < 0.3, `timed ${sleep.seconds} s`);
    assert.deepEqual({ ...sleep, seconds: 0 }, {
      op: "sleep",
      seconds: 0,
      amount: 2.5,
      unit: "MB",
      ok: false,
      error: "size is not 7",
    });
    assert.deepEqual({ ...noMetric, seconds: 0 }, {
      op: "no metric",
      seconds: 0,
      ok: false,
      error: "not a warm-up; and failed",
    });
    assert.deepEqual({ ...raises, seconds: 0 }, {
      op: "raises",
      seconds: 0,
      ok: false,
      error: "KeyError: 'col_9'",
    });
    await Deno.remove(dir, { recursive: true });
  },
}));

Deno.test(needs([await needPython("json")], {
  name: "observe(): outside scalebench the records go to stderr",
  async fn() {
    const out = await runPython({ SCALEBENCH_PARAM_SIZE: "7", SCALEBENCH_WARMUP: "1" });
    assert.equal(out.code, 0, out.stderr);
    const lines = out.stderr.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => [l.op, l.ok, l.error]), [
      ["sleep", true, null],
      ["no metric", false, "and failed"],
      ["raises", false, "KeyError: 'col_9'"],
    ]);
  },
}));
