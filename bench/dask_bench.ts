/**
 * scalebench's `arrays` and `dataframes` against Dask itself, on dask-bench's own operations at
 * the same sizes: a LocalCluster of n worker processes with one thread each (bench/dask_ops.py,
 * Debian's Dask for /usr/bin/python3) and our workloads in weak mode with the `ranks` layout (n
 * rank processes of one thread), for n = 1 and 2; arrays at side 5000 (this bench's size) and 2000
 * (dask-bench's PROBLEM_SIZE_ARRAY), dataframes at 3000 rows (PROBLEM_SIZE_DATAFRAMES).
 *
 * Dask and ours run alternately, in rounds, so that both see the same machine; each figure is
 * median(our rate) / median(Dask's rate) over every round's repetitions, goal ≥ 1. A failed check
 * of ours is a FAIL. Without Dask the comparison is a SKIP naming the Debian packages to install
 * (this bench installs nothing).
 *
 * `deno run -A bench/dask_bench.ts [--quick] [--rounds R] [--reps N]`
 *
 * @module
 */
import { median } from "../core/stats.ts";
import { atLeast, BenchReport } from "./_figures.ts";
import { DASK_MODULES, pythonMissing } from "./_python.ts";
import { formatRate as fmt, numberArg, ROOT, sweepObservations } from "./_sweep.ts";

const PYTHON = "/usr/bin/python3"; // Debian's, with python3-dask (not a pyenv python on PATH)
const quick = Deno.args.includes("--quick");
const ROUNDS = numberArg("--rounds", quick ? 1 : 3);
const REPS = numberArg("--reps", quick ? 2 : 3); // per round and point
const CORES = [1, 2];
/** What runs: arrays at two sides, dataframes at dask-bench's rows. */
const CASES = [
  { collection: "arrays", size: 5000 },
  { collection: "arrays", size: 2000 },
  { collection: "dataframes", size: 3000 },
] as const;
type Case = (typeof CASES)[number];
const report = new BenchReport("dask");

interface Rate {
  collection: string;
  op: string;
  n: number;
  rate: number;
  unit: string;
  ok: boolean;
  error: string | null;
}

async function run(
  cmd: string,
  args: string[],
): Promise<{ ok: boolean; out: string; err: string }> {
  const r = await new Deno.Command(cmd, { args, cwd: ROOT, stdout: "piped", stderr: "piped" })
    .output().catch((e) => ({
      success: false,
      stdout: new Uint8Array(),
      stderr: new TextEncoder().encode(String(e)),
    }));
  const d = new TextDecoder();
  return { ok: r.success, out: d.decode(r.stdout), err: d.decode(r.stderr) };
}

async function ours(c: Case, dir: string): Promise<Rate[]> {
  const obs = await sweepObservations([
    c.collection,
    "-m",
    "weak",
    "-c",
    CORES.join(","),
    "--layout",
    "ranks",
    "-r",
    String(REPS),
    "--set",
    c.collection === "arrays" ? `size=${c.size}` : `rows=${c.size}`,
  ], dir);
  return obs.map((o) => ({
    collection: c.collection,
    op: o.op,
    n: o.cores,
    rate: o.ok ? o.rate! : 0,
    unit: o.unit!,
    ok: o.ok,
    error: o.error,
  }));
}

async function dask(c: Case): Promise<Rate[]> {
  const r = await run(PYTHON, [
    "bench/dask_ops.py",
    "--collections",
    c.collection,
    "--cores",
    CORES.join(","),
    "--reps",
    String(REPS),
    c.collection === "arrays" ? "--size" : "--rows",
    String(c.size),
  ]);
  if (!r.ok) {
    throw new Error(`bench/dask_ops.py failed: ${r.err.trim().split("\n").slice(-3).join(" ")}`);
  }
  return r.out.trim().split("\n").filter((l) => l.startsWith("{")).map((l) => ({
    ...JSON.parse(l),
    ok: true,
    error: null,
  }));
}

/** Rates by `n|op`. */
function byPoint(rates: Rate[]): Map<string, Rate[]> {
  const groups = new Map<string, Rate[]>();
  for (const r of rates) {
    const key = `${r.n}|${r.op}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return groups;
}

const why = await pythonMissing(PYTHON, DASK_MODULES);
if (why) {
  report.skip("ours / Dask, every operation", why);
  report.finish();
}
const dir = await Deno.makeTempDir({ prefix: "scalebench-dask-bench-" });
try {
  console.log(
    `Dask LocalCluster (n workers × 1 thread) vs scalebench --layout ranks, weak mode, n = ` +
      `${CORES.join(", ")}; ${ROUNDS} round(s) of ${REPS} repetitions, alternating`,
  );
  const theirs = new Map<Case, Rate[]>(CASES.map((c) => [c, []]));
  const mine = new Map<Case, Rate[]>(CASES.map((c) => [c, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of CASES) {
      // alternate which goes first, so that neither always follows the other's clean-up
      const pair = [
        () => dask(c).then((r) => theirs.get(c)!.push(...r)),
        () => ours(c, dir).then((r) => mine.get(c)!.push(...r)),
      ];
      for (const f of round % 2 ? pair.reverse() : pair) await f();
    }
  }
  for (const c of CASES) {
    const label = `${c.collection} ${c.size}`;
    const failed = mine.get(c)!.filter((r) => !r.ok);
    report.check(
      `${label}: every check of ours`,
      failed.length === 0,
      failed.length
        ? `${failed.length} failed, e.g. '${failed[0].op}' at n=${failed[0].n}: ${failed[0].error}`
        : `${mine.get(c)!.length} observations`,
    );
    const d = byPoint(theirs.get(c)!);
    for (const [key, rs] of byPoint(mine.get(c)!)) {
      const [n, op] = key.split("|");
      const name = `${label} n=${n} '${op}' ours/Dask`;
      const ds = d.get(key);
      if (!ds) {
        report.fail(name, "Dask reported no time for this operation");
        continue;
      }
      const m = median(rs.map((r) => r.rate)), t = median(ds.map((r) => r.rate));
      report.figure(name, m / t, {
        goal: atLeast(1),
        unit: "×",
        detail: `ours ${fmt(m)} ${rs[0].unit}, Dask ${fmt(t)} ${
          ds[0].unit
        } (medians of ${rs.length}, ${ds.length})`,
      });
    }
  }
} catch (err) {
  report.fail("ours / Dask", err instanceof Error ? err.message : String(err));
} finally {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
report.finish();
