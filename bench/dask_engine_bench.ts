/**
 * The TypeScript `arrays`/`dataframes` against `dask-arrays`/`dask-dataframes` — dask-bench's
 * operations run *with Dask itself* on a Dask cluster per point (`--engine dask`) — both through
 * scalebench, on the same machine, in one run: weak mode, `--layout ranks` (n rank processes of
 * one thread; for Dask n workers of one thread, dask-bench's processes = cores), n = 1 and 2, at
 * dask-bench's `.env` sizes (arrays 5000, dataframes 3000 rows; `--quick`: arrays 2000).
 *
 * TypeScript and Dask sweeps alternate, in rounds, so both see the same machine. Each figure is
 * median(TypeScript rate) / median(Dask rate) of one operation at one n, goal ≥ 1 (the TypeScript
 * workload is at least as fast as Dask on the same cores). A failed check on either side is a
 * FAIL. Without Debian's Dask for /usr/bin/python3 the comparison is a SKIP naming the packages.
 *
 * `deno run -A bench/dask_engine_bench.ts [--quick] [--rounds R] [--reps N]`
 *
 * @module
 */
import { median } from "../core/stats.ts";
import { atLeast, BenchReport } from "./_figures.ts";
import { DASK_MODULES, pythonMissing } from "./_python.ts";
import {
  formatRate as fmt,
  numberArg,
  type SweepObservation as Obs,
  sweepObservations,
} from "./_sweep.ts";

const PYTHON = "/usr/bin/python3"; // Debian's, with python3-distributed
const quick = Deno.args.includes("--quick");
const ROUNDS = numberArg("--rounds", quick ? 1 : 2);
const REPS = numberArg("--reps", quick ? 2 : 3);
const CORES = [1, 2];
const CASES = [
  { ts: "arrays", dask: "dask-arrays", param: "size", value: quick ? 2000 : 5000 },
  { ts: "dataframes", dask: "dask-dataframes", param: "rows", value: 3000 },
] as const;
type Case = (typeof CASES)[number];
const report = new BenchReport("dask_engine");

/** One scalebench sweep; its non-warm-up observations. */
function sweep(workload: string, c: Case, dir: string): Promise<Obs[]> {
  return sweepObservations([
    workload,
    "-m",
    "weak",
    "-c",
    CORES.join(","),
    "--layout",
    "ranks",
    "-r",
    String(REPS),
    "--warmup",
    "1",
    "--set",
    `${c.param}=${c.value}`,
    "--python",
    PYTHON,
  ], dir);
}

function checks(label: string, obs: Obs[]): void {
  const failed = obs.filter((o) => !o.ok);
  report.check(
    `${label}: every check`,
    failed.length === 0 && obs.length > 0,
    failed.length
      ? `${failed.length} failed, e.g. '${failed[0].op}' at n=${failed[0].cores}: ${
        failed[0].error
      }`
      : `${obs.length} observations`,
  );
}

const why = await pythonMissing(PYTHON, DASK_MODULES);
if (why) {
  report.skip("TypeScript / Dask through scalebench, every operation", why);
  report.finish();
}
const dir = await Deno.makeTempDir({ prefix: "scalebench-dask-engine-bench-" });
try {
  console.log(
    `scalebench --layout ranks, weak mode, n = ${CORES.join(", ")}: TypeScript workloads vs ` +
      `Dask workloads (--engine dask, n workers × 1 thread); ${ROUNDS} round(s) of ${REPS} ` +
      `repetitions, alternating`,
  );
  for (const c of CASES) {
    const ts: Obs[] = [], dask: Obs[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const pair = [
        async () => ts.push(...await sweep(c.ts, c, dir)),
        async () => dask.push(...await sweep(c.dask, c, dir)),
      ];
      for (const f of round % 2 ? pair.reverse() : pair) await f();
    }
    checks(`${c.ts} ${c.value}`, ts);
    checks(`${c.dask} ${c.value}`, dask);
    for (const n of CORES) {
      for (const op of [...new Set(ts.map((o) => o.op))]) {
        const mine = ts.filter((o) => o.cores === n && o.op === op && o.ok);
        const theirs = dask.filter((o) => o.cores === n && o.op === op && o.ok);
        const name = `${c.ts} ${c.value} n=${n} '${op}' TypeScript/Dask`;
        if (!mine.length || !theirs.length) {
          report.fail(name, `no passing observation of ${mine.length ? c.dask : c.ts}`);
          continue;
        }
        const m = median(mine.map((o) => o.rate!)), d = median(theirs.map((o) => o.rate!));
        report.figure(name, m / d, {
          goal: atLeast(1),
          unit: "×",
          detail: `TypeScript ${fmt(m)} ${mine[0].unit}, Dask ${fmt(d)} ${theirs[0].unit} ` +
            `(medians of ${mine.length}, ${theirs.length})`,
        });
      }
    }
  }
} catch (err) {
  report.fail(
    "TypeScript / Dask through scalebench",
    err instanceof Error ? err.message : String(err),
  );
} finally {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
report.finish();
