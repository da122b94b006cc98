/**
 * CSV export: dask-bench-compatible columns first (collection = workload, name = operation,
 * n = cores, unit = rate unit, duration_* = seconds), then scalebench's own columns.
 *
 * @module
 */
import type { RunAnalysis } from "./model.ts";

/** The columns, in order. */
export const CSV_COLUMNS = [
  "collection",
  "name",
  "n",
  "unit",
  "duration_median",
  "duration_mean",
  "duration_min",
  "duration_max",
  "duration_std",
  "run",
  "source",
  "mode",
  "provider",
  "cores",
  "nodes",
  "ranks",
  "threads",
  "reps",
  "failed",
  "warmup",
  "ci95_low",
  "ci95_high",
  "cv",
  "noisy",
  "outliers",
  "rate_median",
  "peak_rss_bytes",
  "size",
  "speedup",
  "efficiency",
  "karp_flatt",
] as const;

/** One CSV field, quoted when needed (RFC 4180). */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" && !Number.isFinite(value)) return "";
  const s = String(value);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Render the CSV of every run, operation and point. */
export function renderCsv(runs: RunAnalysis[]): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const a of runs) {
    for (const o of a.ops) {
      for (const p of o.points) {
        const s = p.summary;
        const row: Record<(typeof CSV_COLUMNS)[number], unknown> = {
          collection: a.src.workload,
          name: o.op,
          n: p.cores,
          unit: p.unit ?? "",
          duration_median: s?.median,
          duration_mean: s?.mean,
          duration_min: s?.min,
          duration_max: s?.max,
          duration_std: s?.std,
          run: a.src.id,
          source: a.src.kind,
          mode: a.src.mode,
          provider: a.src.provider?.name ?? "",
          cores: p.cores,
          nodes: p.nodes,
          ranks: p.ranks,
          threads: p.threads,
          reps: p.imported ? null : s?.n ?? 0,
          failed: p.failed,
          warmup: p.warmups,
          ci95_low: s?.ci95?.[0],
          ci95_high: s?.ci95?.[1],
          cv: s?.cv,
          noisy: s ? s.noisy : null,
          outliers: s ? s.outliers.filter(Boolean).length : null,
          rate_median: p.rate,
          peak_rss_bytes: p.peakRss,
          size: p.size,
          speedup: p.speedup,
          efficiency: p.efficiency,
          karp_flatt: p.karpFlatt,
        };
        lines.push(CSV_COLUMNS.map((c) => csvField(row[c])).join(","));
      }
    }
  }
  return lines.join("\n") + "\n";
}
