/**
 * Benchmark of the history site: `scalebench report results/ -o site/` over 200 synthetic runs
 * (3 workloads × 3 providers, 40 days, a git commit each; 3 operations × 5 core counts × 5
 * repetitions and 60 monitor samples per run). Goals: the whole site builds in < 10 s, and
 * adding one run re-renders (its page, its workload's history and comparison, the index) in
 * < 2 s; and adding it renders only those pages (a check). Reports through bench/_figures.ts:
 * exits 1 on a miss or a failed check.
 *
 * Run: `deno run -A bench/report_site_bench.ts`
 *
 * @module
 */
import { rng } from "../core/random.ts";
import type { Manifest, MonitorSample, Observation } from "../core/types.ts";
import { writeReport } from "../reports/mod.ts";
import { below, BenchReport } from "./_figures.ts";
import { observation, writeRun } from "./_synthetic_run.ts";

const RUNS = 200;
const GOAL_BUILD_S = 10;
const GOAL_ADD_S = 2;
const WORKLOADS = ["amdahl", "arrays", "dataframes"];
const PROVIDERS = ["local", "slurm", "kubernetes"];
const OPS = ["setup", "compute", "reduce"];
const CORES = [1, 2, 4, 8, 16];
const REPS = 5;
const DAY = 86400;

async function writeRunDir(root: string, i: number): Promise<void> {
  const r = rng(1000 + i);
  const workload = WORKLOADS[i % WORKLOADS.length];
  const provider = PROVIDERS[Math.floor(i / WORKLOADS.length) % PROVIDERS.length];
  const t0 = 1.7e9 + i * (40 * DAY / RUNS);
  const slow = i % 37 === 36 ? 1.15 : 1; // an occasional regression
  const id = `${workload}-${provider}-${String(i).padStart(4, "0")}`;
  const dir = `${root}/${id}`;
  await Deno.mkdir(dir, { recursive: true });
  const obs: Observation[] = [];
  let t = t0;
  for (const cores of CORES) {
    for (const [k, op] of OPS.entries()) {
      const s = 0.05 + 0.05 * k;
      for (let rep = 0; rep < REPS; rep++) {
        const seconds = slow * (0.2 + k * 0.1) * (s + (1 - s) / cores) * (1 + 0.04 * (r() - 0.5));
        obs.push(observation({
          workload,
          op,
          cores,
          nodes: Math.ceil(cores / 4),
          rep,
          seconds,
          unit: null,
          rate: null,
          peak_rss_bytes: 2 ** 26 * cores,
          size: 1e6,
          t_start: t,
        }));
        t += seconds;
      }
    }
  }
  const mon: MonitorSample[] = [];
  for (let k = 0; k < 60; k++) {
    const cores = CORES[Math.floor((k / 60) * CORES.length)];
    mon.push({
      t: t0 + k * 0.2,
      rank: 0,
      rss_bytes: 2 ** 26 + k * 2 ** 16,
      cpu_percent: 95 * cores,
      cores,
      batch: `p-c${cores}`,
      phase: `op:${OPS[k % OPS.length]}`,
    });
  }
  const manifest = {
    schema_version: 1,
    run_id: id,
    name: null,
    workload: {
      name: workload,
      ref: workload,
      summary: "Synthetic run of the site benchmark",
      params: {},
      operations: OPS,
      source: null,
      sha256: null,
    },
    mode: "strong",
    provider: { name: provider, settings: {}, jobs: [] },
    plan: {
      cores: CORES,
      layout: "ranks",
      cores_per_node: 4,
      reps: REPS,
      warmup: 0,
      order: "sequential",
      seed: 1,
      timeout: 0,
      points: [],
    },
    environment: {
      host: "bench",
      cpu_model: null,
      cores: 16,
      memory_bytes: null,
      os: "linux",
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      scalebench: "bench",
      git: { commit: (0x1000000 + i * 7919).toString(16).padEnd(40, "0"), dirty: false },
    },
    started_at: new Date(t0 * 1000).toISOString(),
    ended_at: new Date(t * 1000).toISOString(),
    status: "complete",
    resumes: [],
    command: [],
  } satisfies Manifest & { environment: { git: unknown } };
  await writeRun(dir, { manifest, observations: obs, monitor: mon });
}

/** The pages adding run `i` must render: its own page, its workload's pages, the index. */
function expectedPages(i: number, o: { before: Set<string>; after: string[] }): string[] {
  const workload = WORKLOADS[i % WORKLOADS.length];
  const own = o.after.filter((p) => p.startsWith("run-") && !o.before.has(p));
  const mine = [`history-${workload}.html`, `compare-${workload}.html`, "index.html"];
  return [...own, ...mine.filter((p) => o.after.includes(p))].sort();
}

const report = new BenchReport("report_site");
const root = await Deno.makeTempDir({ prefix: "scalebench-site-bench-" });
try {
  const results = `${root}/results`, site = `${root}/site`;
  for (let i = 0; i < RUNS; i++) await writeRunDir(results, i);
  let t = performance.now();
  const full = await writeReport([results], { outDir: site });
  const build = (performance.now() - t) / 1000;
  report.figure(`build the site of ${RUNS} runs`, build, {
    goal: below(GOAL_BUILD_S),
    unit: "s",
    detail: `${full.files.length} pages, ${full.figures?.length ?? 0} figures`,
  });
  await writeRunDir(results, RUNS);
  t = performance.now();
  const add = await writeReport([results], { outDir: site });
  const again = (performance.now() - t) / 1000;
  const name = (path: string) => path.slice(site.length + 1);
  const rendered = (add.rendered ?? []).map(name).sort();
  const want = expectedPages(RUNS, {
    before: new Set(full.files.map(name)),
    after: add.files.map(name),
  });
  report.figure("add one run to it", again, {
    goal: below(GOAL_ADD_S),
    unit: "s",
    detail: `rendered ${rendered.length} of ${add.files.length} pages`,
  });
  report.check(
    "adding a run re-renders only its pages (run, history, comparison, index)",
    want.length === 4 && rendered.join() === want.join(),
    `rendered ${rendered.join(", ") || "nothing"}; expected ${want.join(", ")}`,
  );
} catch (err) {
  console.error(err);
  report.fail("build the site", err instanceof Error ? err.message : String(err));
} finally {
  await Deno.remove(root, { recursive: true });
}
report.finish();
