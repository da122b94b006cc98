/**
 * Benchmark of the report: render a synthetic run of 100 000 observations (9 operations × 7
 * core counts, ~1 600 repetitions each, plus 20 000 monitor samples) to HTML — reading the run
 * directory, statistics with bootstrap CIs, fits, plots and pages. Goal: < 3 s.
 *
 * Run: `deno run -A bench/report_bench.ts`
 *
 * @module
 */
import { rng } from "../core/random.ts";
import type { Manifest, MonitorSample, Observation } from "../core/types.ts";
import { writeReport } from "../reports/mod.ts";
import { below, BenchReport } from "./_figures.ts";
import { observation, writeRun } from "./_synthetic_run.ts";

const OBSERVATIONS = 100_000;
const GOAL_S = 3;
const OPS = [
  "create random array",
  "blockwise +1",
  "random access",
  "reduction operation (std)",
  "reduction along axis (std)",
  "elementwise sin²+cos²",
  "x + xᵀ",
  "group-by mean",
  "sort by column",
];
const CORES = [1, 2, 4, 8, 16, 32, 64];

async function synthesize(dir: string): Promise<void> {
  const r = rng(42);
  const reps = Math.ceil(OBSERVATIONS / (OPS.length * CORES.length));
  const obs: Observation[] = [];
  let t = 1.7e9;
  for (const cores of CORES) {
    for (const [k, op] of OPS.entries()) {
      const s = 0.02 + 0.03 * k / OPS.length;
      for (let rep = 0; rep < reps && obs.length < OBSERVATIONS; rep++) {
        const seconds = (s + (1 - s) / cores) * (1 + 0.05 * (r() - 0.5)) * (r() < 0.01 ? 1.5 : 1);
        obs.push(observation({
          workload: "arrays",
          op,
          cores,
          nodes: Math.ceil(cores / 16),
          rep,
          seconds,
          unit: "MB/s",
          rate: 800 / seconds,
          peak_rss_bytes: 2 ** 27 * cores,
          size: 1e8,
          t_start: t,
        }));
        t += seconds;
      }
    }
  }
  const mon: MonitorSample[] = [];
  for (let i = 0; i < 20_000; i++) {
    mon.push({
      t: 1.7e9 + i * 0.5,
      rank: i % 4,
      rss_bytes: 2 ** 27 + (i % 1000) * 2 ** 16,
      cpu_percent: 90 + (i % 20),
      cores: CORES[Math.floor((i / 20_000) * CORES.length)],
      batch: `p-c${CORES[Math.floor((i / 20_000) * CORES.length)]}`,
      phase: `op:${OPS[i % OPS.length]}`,
    });
  }
  const manifest = {
    schema_version: 1,
    run_id: "bench-100k",
    name: null,
    workload: {
      name: "arrays",
      ref: "arrays",
      summary: "Synthetic benchmark run",
      params: {},
      operations: OPS,
      source: null,
      sha256: null,
    },
    mode: "strong",
    provider: { name: "local", settings: {}, jobs: [] },
    plan: {
      cores: CORES,
      layout: "ranks",
      cores_per_node: 16,
      reps,
      warmup: 0,
      order: "sequential",
      seed: 1,
      timeout: 0,
      points: [],
    },
    environment: {
      host: "bench",
      cpu_model: null,
      cores: 64,
      memory_bytes: null,
      os: "linux",
      deno: Deno.version.deno,
      v8: Deno.version.v8,
      scalebench: "bench",
    },
    started_at: new Date(1.7e12).toISOString(),
    ended_at: new Date(t * 1000).toISOString(),
    status: "complete",
    resumes: [],
    command: [],
  } satisfies Manifest;
  await writeRun(dir, { manifest, observations: obs, monitor: mon });
}

const report = new BenchReport("report");
const dir = await Deno.makeTempDir({ prefix: "scalebench-report-bench-" });
try {
  await synthesize(dir);
  const t0 = performance.now();
  const { files } = await writeReport([dir], { outDir: `${dir}/report` });
  const seconds = (performance.now() - t0) / 1000;
  const bytes = (await Promise.all(files.map((f) => Deno.stat(f)))).reduce((s, f) => s + f.size, 0);
  report.figure(`render ${OBSERVATIONS} observations to HTML`, seconds, {
    goal: below(GOAL_S),
    unit: "s",
    detail: `${files.length} files, ${(bytes / 2 ** 20).toFixed(1)} MiB of HTML`,
  });
} finally {
  await Deno.remove(dir, { recursive: true });
}
report.finish();
