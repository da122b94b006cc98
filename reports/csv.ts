/**
 * CSV export: dask-bench-compatible columns first (collection = workload, name = operation,
 * n = cores, unit = rate unit, duration_* = seconds), then scalebench's own columns. Every column
 * is described, with its unit, in a CSV on the Web metadata file written beside the CSV.
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
  "ci_level",
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

/** What each column holds, with its unit and datatype (CSV on the Web). */
export const CSV_DESCRIPTIONS: Record<(typeof CSV_COLUMNS)[number], [string, string]> = {
  collection: ["string", "Workload name (dask-bench's collection)"],
  name: ["string", "Operation name (dask-bench's name)"],
  n: ["integer", "Cores of the scale point (dask-bench's n; the same as cores)"],
  unit: [
    "string",
    "Unit of rate_median, e.g. MB/s (dask-bench's unit); empty when the operation reports no rate",
  ],
  duration_median: ["number", "Median time of the measured repetitions, in seconds"],
  duration_mean: ["number", "Mean time of the measured repetitions, in seconds"],
  duration_min: ["number", "Shortest measured repetition, in seconds"],
  duration_max: ["number", "Longest measured repetition, in seconds"],
  duration_std: [
    "number",
    "Sample standard deviation (n − 1) of the measured repetitions, in seconds",
  ],
  run: ["string", "Run id (the run directory's name)"],
  source: ["string", "Where the data came from: scalebench, dask-bench or hyperfine"],
  mode: ["string", "Scaling mode: strong (fixed problem) or weak (problem grows with the cores)"],
  provider: [
    "string",
    "Provider that ran the ranks: local, slurm, kubernetes, ssh, or a plugin's name",
  ],
  cores: ["integer", "Cores of the scale point (ranks × threads)"],
  nodes: ["integer", "Nodes of the scale point"],
  ranks: ["integer", "Processes (ranks) of the scale point"],
  threads: ["integer", "Threads per rank"],
  reps: [
    "integer",
    "Measured repetitions that succeeded (warm-ups and failures excluded); empty for an imported summary",
  ],
  failed: ["integer", "Measured repetitions that failed (error or failed check)"],
  warmup: ["integer", "Warm-up repetitions, excluded from every statistic"],
  ci95_low: [
    "number",
    "Lower bound of the confidence interval of the median (level: ci_level, 95 % when the repetitions allow), in seconds; empty below 2 repetitions",
  ],
  ci95_high: ["number", "Upper bound of the confidence interval of the median, in seconds"],
  ci_level: [
    "number",
    "Confidence level the interval really has (0.95, or less with fewer than 6 repetitions)",
  ],
  cv: ["number", "Coefficient of variation std / mean (a fraction, 0.1 = 10 %)"],
  noisy: ["boolean", "true when cv is above 0.10"],
  outliers: ["integer", "Repetitions outside Tukey's fences (kept in the statistics)"],
  rate_median: ["number", "Median rate of the measured repetitions, in the unit column's unit"],
  peak_rss_bytes: ["integer", "Largest resident memory summed over the ranks, in bytes"],
  size: ["number", "Problem size the workload used at this point (the workload's own unit)"],
  speedup: [
    "number",
    "Median time of the smallest point over this point's (strong); k·t₀/t with k = cores/smallest cores (weak)",
  ],
  efficiency: ["number", "Parallel efficiency: speedup / k (strong) or t₀/t (weak); 1 is ideal"],
  karp_flatt: [
    "number",
    "Karp–Flatt experimental serial fraction (1/speedup − 1/k) / (1 − 1/k); empty at the smallest point",
  ],
};

/** The CSV's schema: CSV on the Web metadata (`report.csv-metadata.json` beside the file). */
export function csvSchema(file = "report.csv"): string {
  return JSON.stringify(
    {
      "@context": "http://www.w3.org/ns/csvw",
      url: file,
      "dc:description":
        "One row per run, operation and scale point. Empty cells are unknown or not applicable.",
      tableSchema: {
        columns: CSV_COLUMNS.map((name) => ({
          name,
          titles: name,
          datatype: CSV_DESCRIPTIONS[name][0],
          "dc:description": CSV_DESCRIPTIONS[name][1],
        })),
      },
    },
    null,
    2,
  ) + "\n";
}

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
          ci95_low: s?.ci?.lo,
          ci95_high: s?.ci?.hi,
          ci_level: s?.ci?.level,
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
