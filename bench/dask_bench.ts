/**
 * scalebench's `arrays` and `dataframes` against Dask itself, on dask-bench's own operations at the
 * same sizes: a LocalCluster of n worker processes with one thread each (bench/dask_ops.py, with
 * Debian's python3-dask and python3-distributed, installed here if missing) and our workloads in
 * weak mode with the `ranks` layout (n rank processes of one thread), for n = 1 and 2.
 *
 * Prints, per operation and n, the median rate of each and the ratio ours / Dask (goal ≥ 1).
 * `deno run -A bench/dask_bench.ts [REPS]` (default 5 repetitions a point).
 *
 * @module
 */
import { median } from "../core/stats.ts";

const PYTHON = "/usr/bin/python3"; // Debian's, with python3-dask (not a pyenv python on PATH)
const REPS = Number(Deno.args[0] ?? 5);
const CORES = [1, 2];
const SIZE = 5000; // dask-bench's PROBLEM_SIZE_ARRAY
const ROWS = 3000; // dask-bench's PROBLEM_SIZE_DATAFRAMES
const root = new URL("..", import.meta.url).pathname;

interface Rate {
  collection: string;
  op: string;
  n: number;
  rate: number;
  unit: string;
}

async function run(
  cmd: string,
  args: string[],
): Promise<{ ok: boolean; out: string; err: string }> {
  const r = await new Deno.Command(cmd, { args, cwd: root, stdout: "piped", stderr: "piped" })
    .output().catch((e) => ({
      success: false,
      stdout: new Uint8Array(),
      stderr: new TextEncoder().encode(String(e)),
    }));
  const d = new TextDecoder();
  return { ok: r.success, out: d.decode(r.stdout), err: d.decode(r.stderr) };
}

async function ensureDask(): Promise<boolean> {
  const probe = ["-c", "import dask.array, dask.dataframe, distributed"];
  if ((await run(PYTHON, probe)).ok) return true;
  console.log("installing python3-dask and python3-distributed with apt-get …");
  let r = await run("apt-get", ["install", "-y", "python3-dask", "python3-distributed"]);
  if (!r.ok) {
    await run("apt-get", ["update"]);
    r = await run("apt-get", ["install", "-y", "python3-dask", "python3-distributed"]);
  }
  if ((await run(PYTHON, probe)).ok) return true;
  console.log(`Dask is not available at ${PYTHON}: ${r.err.trim().split("\n").pop()}`);
  return false;
}

async function ours(workload: string, dir: string): Promise<Rate[]> {
  const r = await run(Deno.execPath(), [
    "run",
    "-A",
    "cli/main.ts",
    "run",
    workload,
    "-m",
    "weak",
    "-c",
    CORES.join(","),
    "--layout",
    "ranks",
    "-r",
    String(REPS),
    "--json",
    "-o",
    dir,
    "--set",
    workload === "arrays" ? `size=${SIZE}` : `rows=${ROWS}`,
  ]);
  const summary = JSON.parse(r.out.trim().split("\n").pop() ?? "{}");
  if (!summary.run_dir) throw new Error(`scalebench run ${workload} failed: ${r.err}`);
  const lines = (await Deno.readTextFile(`${summary.run_dir}/observations.jsonl`)).trim().split(
    "\n",
  );
  return lines.map((l) => JSON.parse(l)).filter((o) => !o.warmup).map((o) => {
    if (!o.ok) console.log(`our ${workload} '${o.op}' at n=${o.cores} failed: ${o.error}`);
    return { collection: workload, op: o.op, n: o.cores, rate: o.ok ? o.rate : 0, unit: o.unit };
  });
}

async function dask(): Promise<Rate[]> {
  const r = await run(PYTHON, [
    "bench/dask_ops.py",
    "--cores",
    CORES.join(","),
    "--reps",
    String(REPS),
    "--size",
    String(SIZE),
    "--rows",
    String(ROWS),
  ]);
  if (!r.ok) {
    throw new Error(`bench/dask_ops.py failed: ${r.err.trim().split("\n").slice(-3).join(" ")}`);
  }
  return r.out.trim().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

function medians(rates: Rate[]): Map<string, { rate: number; unit: string }> {
  const groups = new Map<string, Rate[]>();
  for (const r of rates) {
    const key = `${r.collection}|${r.n}|${r.op}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return new Map(
    [...groups].map(([k, v]) => [k, { rate: median(v.map((r) => r.rate)), unit: v[0].unit }]),
  );
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toPrecision(2));

if (await ensureDask()) {
  const dir = await Deno.makeTempDir({ prefix: "scalebench-dask-bench-" });
  try {
    console.log(
      `Dask LocalCluster (n workers × 1 thread) vs scalebench --layout ranks, weak mode, ` +
        `size ${SIZE} (arrays, side · √n), rows ${ROWS} (dataframes, · n), median of ${REPS} reps`,
    );
    const theirs = medians(await dask());
    const mine = medians([...(await ours("arrays", dir)), ...(await ours("dataframes", dir))]);
    let pass = 0, total = 0;
    for (const [key, m] of mine) {
      const [collection, n, op] = key.split("|");
      const d = theirs.get(key);
      total++;
      if (!d) {
        console.log(`${collection} n=${n} ${op}: ours ${fmt(m.rate)} ${m.unit}, Dask missing MISS`);
        continue;
      }
      const ratio = m.rate / d.rate;
      if (ratio >= 1) pass++;
      console.log(
        `${collection} n=${n} ${op}: ours ${fmt(m.rate)} ${m.unit}, Dask ${
          fmt(d.rate)
        } ${d.unit}, ` +
          `ratio ${fmt(ratio)} (goal ≥ 1) ${ratio >= 1 ? "PASS" : "MISS"}`,
      );
    }
    console.log(
      `Dask comparison: ${pass}/${total} operations at ours/Dask ≥ 1 (goal: all) ${
        pass === total ? "PASS" : "MISS"
      }`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
} else {
  console.log("Dask comparison: skipped, Dask not installed MISS");
}
