/**
 * Import dask-bench result CSVs so they can be reported and compared with scalebench runs:
 * the aggregated files (`*_arrays.csv`, `*_dataframes.csv`, `*_aggregated.csv`: columns
 * collection,name,n,unit,duration_median,duration_mean,duration_min,duration_max[,duration_std]
 * [,rate_*]) and the raw per-observation files (name,duration,unit,rate,n,collection). One run per
 * collection; dask-bench sweeps are weak scaling with n = total worker cores.
 *
 * @module
 */
import { quote, ValidationError } from "../core/errors.ts";
import type { Observation } from "../core/types.ts";
import type { AggregatePoint, RunSource } from "./model.ts";

/** Parse CSV text (RFC 4180 quoting) into rows of fields. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = "", quoted = false, i = 0;
  const t = text.replace(/^\uFEFF/, "");
  while (i < t.length) {
    const c = t[i];
    if (quoted) {
      if (c === '"' && t[i + 1] === '"') field += '"', i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), field = "";
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && t[i + 1] === "\n") i++;
      row.push(field), field = "";
      if (row.some((f) => f !== "")) rows.push(row);
      row = [];
    } else field += c;
    i++;
  }
  row.push(field);
  if (row.some((f) => f !== "")) rows.push(row);
  return rows;
}

const AGG = ["median", "mean", "min", "max", "std"] as const;

function basename(path: string): string {
  return path.replace(/\/+$/, "").split("/").pop() ?? path;
}

function number(value: string | undefined, what: string, file: string, line: number): number {
  const x = Number(value);
  if (value === undefined || value.trim() === "" || !Number.isFinite(x)) {
    throw new ValidationError(
      `${quote(file, 200)} line ${line}: ${what} ${quote(value ?? "")} is not a number`,
    );
  }
  return x;
}

function optional(value: string | undefined): number | null {
  if (value === undefined || value.trim() === "") return null;
  const x = Number(value);
  return Number.isFinite(x) ? x : null;
}

function emptySource(path: string, collection: string, many: boolean): RunSource {
  const file = basename(path);
  return {
    kind: "dask-bench",
    path,
    id: many ? `${file}-${collection}` : file,
    label: many ? `${file} (${collection})` : file,
    workload: collection || "dask-bench",
    summary: "Imported dask-bench results",
    mode: "weak",
    params: {},
    provider: { name: "dask-bench", settings: { file } },
    environment: null,
    plan: null,
    startedAt: null,
    endedAt: null,
    status: null,
    operations: [],
    observations: [],
    monitor: [],
    aggregates: [],
    warnings: [],
  };
}

/** True when `header` (first CSV row) looks like a dask-bench result file. */
export function isDaskBenchHeader(header: string[]): boolean {
  const h = header.map((x) => x.trim());
  return h.includes("name") && h.includes("n") &&
    (h.includes("duration") || h.includes("duration_median"));
}

/** Read a dask-bench CSV (aggregated or raw) into one run per collection. */
export function importDaskCsv(text: string, options: { path: string }): RunSource[] {
  const path = options.path;
  const rows = parseCsv(text);
  if (!rows.length || !isDaskBenchHeader(rows[0])) {
    throw new ValidationError(
      `${
        quote(path, 200)
      } is not a dask-bench CSV (expected columns collection,name,n,unit,duration_median,… or name,duration,unit,rate,n,collection)`,
    );
  }
  const header = rows[0].map((x) => x.trim());
  const col = (name: string) => header.indexOf(name);
  const raw = col("duration") >= 0 && col("duration_median") < 0;
  const sources = new Map<string, RunSource>();
  const collections = new Set(
    rows.slice(1).map((r) => (col("collection") >= 0 ? r[col("collection")] ?? "" : "")),
  );
  collections.delete("collection");
  const reps = new Map<string, number>();
  for (let i = 1; i < rows.length; i++) {
    const r = rows[i];
    if (r.map((x) => x.trim()).join(",") === header.join(",")) continue; // repeated header
    const line = i + 1;
    const collection = col("collection") >= 0 ? (r[col("collection")] ?? "").trim() : "";
    const name = (r[col("name")] ?? "").trim();
    const n = number(r[col("n")], "n", path, line);
    const unit = col("unit") >= 0 ? (r[col("unit")] ?? "").trim() || null : null;
    let src = sources.get(collection);
    if (!src) sources.set(collection, src = emptySource(path, collection, collections.size > 1));
    if (!src.operations.includes(name)) src.operations.push(name);
    if (raw) {
      const key = `${collection}|${name}|${n}`;
      const rep = reps.get(key) ?? 0;
      reps.set(key, rep + 1);
      src.observations.push(rawObservation(src.workload, name, {
        n,
        unit,
        rep,
        seconds: number(r[col("duration")], "duration", path, line),
        rate: col("rate") >= 0 ? optional(r[col("rate")]) : null,
      }));
    } else {
      const v = Object.fromEntries(
        AGG.map((a) => [a, col(`duration_${a}`) >= 0 ? optional(r[col(`duration_${a}`)]) : null]),
      );
      const med = number(r[col("duration_median")], "duration_median", path, line);
      const agg: AggregatePoint = {
        op: name,
        cores: n,
        unit,
        median: med,
        mean: v.mean ?? med,
        min: v.min ?? med,
        max: v.max ?? med,
        std: v.std ?? 0,
        rate: col("rate_median") >= 0 ? optional(r[col("rate_median")]) : null,
      };
      src.aggregates.push(agg);
    }
  }
  if (!sources.size) sources.set("", emptySource(path, "", false));
  return [...sources.values()];
}

function rawObservation(
  workload: string,
  op: string,
  v: { n: number; unit: string | null; rep: number; seconds: number; rate: number | null },
): Observation {
  return {
    workload,
    op,
    mode: "weak",
    cores: v.n,
    nodes: NaN,
    ranks: NaN,
    threads: NaN,
    rep: v.rep,
    warmup: false,
    seconds: v.seconds,
    rank_seconds: [],
    ok: true,
    error: null,
    unit: v.unit,
    rate: v.rate,
    peak_rss_bytes: null,
    size: NaN,
  };
}
