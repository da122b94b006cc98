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
        ci95: p.summary?.ci95 ?? null,
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
  return JSON.stringify(
    doc,
    (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v),
    2,
  ) + "\n";
}
