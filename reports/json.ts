/**
 * JSON export: per run, per operation and point the summary statistics and scaling figures, the
 * fits with their uncertainty, failures and warnings; and the comparisons. Non-finite numbers
 * are written as null.
 *
 * @module
 */
import { VERSION } from "../core/version.ts";
import type { Comparison } from "./compare.ts";
import type { RunAnalysis } from "./model.ts";

function runJson(a: RunAnalysis) {
  const s = a.src;
  return {
    id: s.id,
    label: s.label,
    source: s.kind,
    path: s.path,
    workload: s.workload,
    mode: s.mode,
    params: s.params,
    provider: s.provider,
    environment: s.environment,
    started_at: s.startedAt,
    ended_at: s.endedAt,
    status: s.status,
    counts: a.counts,
    checks: s.checks ?? null,
    warnings: s.warnings,
    failures: a.failures.map((f) => ({
      op: f.op,
      cores: f.cores,
      rep: f.rep,
      warmup: f.warmup,
      error: f.error,
    })),
    operations: a.ops.map((o) => ({
      op: o.op,
      unit: o.unit,
      fits: o.fits,
      points: o.points.map((p) => ({
        cores: p.cores,
        nodes: p.nodes,
        ranks: p.ranks,
        threads: p.threads,
        reps: p.imported ? null : p.summary?.n ?? 0,
        imported: p.imported,
        failed: p.failed,
        warmups: p.warmups,
        min: p.summary?.min ?? null,
        median: p.summary?.median ?? null,
        mean: p.summary?.mean ?? null,
        max: p.summary?.max ?? null,
        std: p.summary?.std ?? null,
        ci: p.summary?.ci ?? null,
        intervals: p.intervals ?? null,
        cv: p.summary?.cv ?? null,
        noisy: p.summary?.noisy ?? null,
        outliers: p.summary?.outliers.filter(Boolean).length ?? null,
        outlier_flags: p.summary?.outliers ?? [],
        rate: p.rate,
        unit: p.unit,
        peak_rss_bytes: p.peakRss,
        size: p.size,
        speedup: p.speedup,
        efficiency: p.efficiency,
        karp_flatt: p.karpFlatt,
      })),
    })),
  };
}

/** Render the JSON document. */
export function renderJson(runs: RunAnalysis[], comparisons: Comparison[]): string {
  const doc = {
    generator: `scalebench ${VERSION}`,
    schema: "report.schema.json",
    runs: runs.map(runJson),
    comparisons: comparisons.map((c) => ({
      workload: c.workload,
      runs: c.runs.map((r) => r.src.id),
      pairs: c.pairs.map((p) => ({
        a: p.a.src.id,
        b: p.b.src.id,
        wins: p.wins,
        operations: p.ops,
      })),
    })),
  };
  // JSON.stringify writes NaN and ±Infinity as null
  return JSON.stringify(doc, null, 2) + "\n";
}

const num = (description: string) => ({ type: ["number", "null"], description });
const int = (description: string) => ({ type: ["integer", "null"], description });
const str = (description: string) => ({ type: ["string", "null"], description });

/** JSON Schema of the document, with the meaning and unit of every field. */
export function jsonSchema(): string {
  const point = {
    type: "object",
    description: "One scale point of one operation",
    properties: {
      cores: int("Cores (ranks × threads)"),
      nodes: int("Nodes"),
      ranks: int("Processes (ranks)"),
      threads: int("Threads per rank"),
      reps: int("Measured repetitions that succeeded; null for an imported summary"),
      imported: { type: "boolean", description: "The statistics were imported as a summary" },
      failed: int("Measured repetitions that failed"),
      warmups: int("Warm-up repetitions (excluded from statistics)"),
      min: num("Shortest repetition, seconds"),
      median: num("Median time, seconds"),
      mean: num("Mean time, seconds"),
      max: num("Longest repetition, seconds"),
      std: num("Sample standard deviation, seconds"),
      ci: {
        type: ["object", "null"],
        description:
          "Confidence interval of the median: lo, hi (seconds), level (really reached), method, note",
      },
      intervals: {
        type: ["object", "null"],
        description:
          "Confidence intervals (lo, hi, level, method, note) of the point's seconds, rate, speedup, efficiency and karpFlatt",
      },
      cv: num("Coefficient of variation std / mean (fraction)"),
      noisy: { type: ["boolean", "null"], description: "cv above 0.10" },
      outliers: int("Repetitions outside Tukey's fences"),
      outlier_flags: { type: "array", description: "Tukey flag per repetition, in record order" },
      rate: num("Median rate, in `unit`"),
      unit: str("Unit of `rate`, e.g. MB/s"),
      peak_rss_bytes: int("Largest resident memory summed over ranks, bytes"),
      size: num("Problem size used (the workload's unit)"),
      speedup: num("t₀/t (strong) or k·t₀/t (weak), against the smallest point"),
      efficiency: num("speedup / k (strong) or t₀/t (weak); 1 is ideal"),
      karp_flatt: num("Karp–Flatt serial fraction; null at the smallest point"),
    },
  };
  const schema = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "scalebench report",
    type: "object",
    properties: {
      generator: { type: "string", description: "scalebench version that wrote the file" },
      runs: {
        type: "array",
        items: {
          type: "object",
          properties: {
            id: { type: "string", description: "Run id" },
            label: { type: "string", description: "Display name" },
            source: { type: "string", description: "scalebench, dask-bench or hyperfine" },
            path: { type: "string", description: "Input path as given" },
            workload: { type: "string", description: "Workload name" },
            mode: { type: "string", description: "strong or weak" },
            params: { type: "object", description: "Workload parameters" },
            provider: { type: ["object", "null"], description: "Provider name and settings" },
            environment: {
              type: ["object", "null"],
              description: "Host, CPU, memory, versions, git commit",
            },
            started_at: str("ISO 8601 start time"),
            ended_at: str("ISO 8601 end time"),
            status: str("complete, running, failed or interrupted"),
            counts: {
              type: "object",
              description: "Observations: total, measured, warmup, failed",
            },
            checks: {
              type: ["object", "null"],
              description:
                "The run's recorded checks (checks.json): per operation and point the workload's checks; each expectation (text, source, op, figure, cmp, bound, cores) with its verdict (pass, fail, inconclusive, skipped), failed, message, and per point the value with its interval (lo, hi, level, method, note) or the fitted parameter; the baseline comparison per operation and point (medians, ratio new/base with interval, verdict, false-positive rate, one-sided bound, regressed) with the environment differences; counts and ok. Null without expectations or baseline",
            },
            warnings: { type: "array", description: "Warnings while reading the run" },
            failures: {
              type: "array",
              description: "Failed observations: op, cores, rep, warmup, error",
            },
            operations: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  op: { type: "string", description: "Operation name" },
                  unit: str("Rate unit"),
                  fits: {
                    type: "object",
                    description:
                      "Scaling-law fits of every repetition's log time (Amdahl or Gustafson serial fraction, USL σ and κ, Karp–Flatt per point): estimates with intervals (lo, hi, level, method, note), a verdict per fit (status, reason), the interval level and method, the AICc comparison",
                  },
                  points: { type: "array", items: point },
                },
              },
            },
          },
        },
      },
      comparisons: {
        type: "array",
        description:
          "Runs of one workload against the first: per operation and core count the ratio B/A of the medians and who is faster",
      },
    },
  };
  return JSON.stringify(schema, null, 2) + "\n";
}
