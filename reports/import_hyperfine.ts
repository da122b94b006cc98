/**
 * Import hyperfine `--export-json` files: each result (command) becomes an operation, each of its
 * `times` an observation. With `--parameter-scan`/`-L` the numeric parameter named cores, threads,
 * jobs, n, np, procs or workers (else the first numeric one) gives the core count, and results
 * that differ only in that parameter become one operation scaled over it.
 *
 * @module
 */
import { quote, ValidationError } from "../core/errors.ts";
import type { Observation } from "../core/types.ts";
import type { RunSource } from "./model.ts";

interface HyperfineResult {
  command: string;
  times?: number[];
  mean?: number;
  exit_codes?: (number | null)[];
  parameters?: Record<string, string>;
}

const CORE_PARAMS = ["cores", "threads", "jobs", "n", "np", "procs", "workers", "ncores", "nproc"];

function coreParam(params: Record<string, string> | undefined): string | null {
  if (!params) return null;
  const numeric = Object.keys(params).filter((k) => Number.isFinite(Number(params[k])));
  return CORE_PARAMS.find((k) => numeric.includes(k)) ?? numeric[0] ?? null;
}

/** True when `data` looks like hyperfine's JSON export. */
export function isHyperfineJson(data: unknown): data is { results: HyperfineResult[] } {
  const results = (data as { results?: unknown } | null)?.results;
  return Array.isArray(results) &&
    results.every((r) => typeof (r as { command?: unknown })?.command === "string");
}

/** Read a hyperfine JSON export into one run. */
export function importHyperfine(data: unknown, options: { path: string }): RunSource {
  const path = options.path;
  if (!isHyperfineJson(data)) {
    throw new ValidationError(
      `${quote(path, 200)} is not a hyperfine --export-json file (no "results" with "command")`,
    );
  }
  const file = path.replace(/\/+$/, "").split("/").pop() ?? path;
  const observations: Observation[] = [];
  const operations: string[] = [];
  const scanned = new Set<string>();
  for (const r of data.results) {
    const param = coreParam(r.parameters);
    let op = r.command, cores = 1;
    if (param) {
      cores = Number(r.parameters![param]);
      scanned.add(param);
      const others = Object.entries(r.parameters!).filter(([k]) => k !== param);
      // the command with the scanned value replaced, so all values share one operation name
      op = r.command.split(r.parameters![param]).join(`{${param}}`);
      if (others.length) op += ` (${others.map(([k, v]) => `${k}=${v}`).join(", ")})`;
    }
    if (!operations.includes(op)) operations.push(op);
    const times = Array.isArray(r.times) ? r.times : typeof r.mean === "number" ? [r.mean] : [];
    times.forEach((t, rep) => {
      const code = r.exit_codes?.[rep];
      const ok = code === undefined || code === 0;
      observations.push({
        workload: file,
        op,
        mode: "strong",
        cores,
        nodes: NaN,
        ranks: NaN,
        threads: NaN,
        rep,
        warmup: false,
        seconds: typeof t === "number" ? t : null,
        rank_seconds: [],
        ok: ok && typeof t === "number",
        error: ok ? null : `exit code ${code}`,
        unit: null,
        rate: null,
        peak_rss_bytes: null,
        size: NaN,
      });
    });
  }
  return {
    kind: "hyperfine",
    path,
    id: file,
    label: file,
    workload: "hyperfine",
    summary: "Imported hyperfine results",
    mode: "strong",
    params: scanned.size ? { scanned: [...scanned].join(", ") } : {},
    provider: { name: "hyperfine", settings: { file } },
    environment: null,
    plan: null,
    startedAt: null,
    endedAt: null,
    status: null,
    operations,
    observations,
    monitor: [],
    aggregates: [],
    warnings: [],
  };
}
