/**
 * The report's data model: a run as read from any input (scalebench run directory, dask-bench
 * CSV, hyperfine JSON) and its analysis per operation and scale point (statistics, speedup,
 * efficiency, Karp–Flatt, fits). Warm-up observations are excluded from statistics; failed ones
 * from timing statistics, but both are counted and failures are listed.
 *
 * Every figure of a point comes with a confidence interval that states its level and method:
 * seconds and rate from the order statistics of the repetitions (core/stats_interval.ts);
 * speedup, efficiency and Karp–Flatt from the interval of the ratio of the point's times to the
 * reference point's (n₀, the smallest core count; Mann–Whitney, core/stats_compare.ts).
 *
 * @module
 */
import { median, summarize, type Summary } from "../core/stats.ts";
import { ratioCI } from "../core/stats_compare.ts";
import { type Interval, medianCI } from "../core/stats_interval.ts";
import type {
  EnvironmentInfo,
  Json,
  Manifest,
  Mode,
  MonitorSample,
  Observation,
  ParamValues,
} from "../core/types.ts";
import { type Fits, fitScaling, karpFlattOf } from "./fits.ts";
import type { RunChecks } from "./expect_run.ts";

/** Summary statistics imported as they are (dask-bench aggregated CSV): no repetitions. */
export interface AggregatePoint {
  op: string;
  cores: number;
  unit: string | null;
  median: number;
  mean: number;
  min: number;
  max: number;
  std: number;
  rate: number | null;
}

/** One input of the report, whatever its format. */
export interface RunSource {
  kind: "scalebench" | "dask-bench" | "hyperfine";
  /** The input path as given */
  path: string;
  id: string;
  /** Display name */
  label: string;
  workload: string;
  summary: string | null;
  mode: Mode;
  params: ParamValues;
  provider: { name: string; settings: Record<string, Json> } | null;
  environment: EnvironmentInfo | null;
  plan: Manifest["plan"] | null;
  startedAt: string | null;
  endedAt: string | null;
  status: string | null;
  /** Operations in the workload's order */
  operations: string[];
  observations: Observation[];
  monitor: MonitorSample[];
  aggregates: AggregatePoint[];
  warnings: string[];
  /** The run's recorded checks (`checks.json`: expectations, baseline; reports/expect_run.ts) */
  checks?: RunChecks | null;
}

/** Statistics of one operation at one scale point. */
export interface PointStats {
  cores: number;
  nodes: number | null;
  ranks: number | null;
  threads: number | null;
  /** Measured (non-warm-up, ok) repetitions' seconds, in record order */
  seconds: number[];
  /** Null when no repetition succeeded */
  summary: Summary | null;
  /** True when the summary was imported (no repetitions) */
  imported: boolean;
  failed: number;
  warmups: number;
  rate: number | null;
  unit: string | null;
  /** Largest peak RSS (summed over ranks) of the measured repetitions */
  peakRss: number | null;
  size: number | null;
  /** Speedup against the smallest point n₀ (scaled speedup k·t₀/t in weak mode), k = n/n₀ */
  speedup: number | null;
  /** Parallel efficiency relative to n₀: speedup/k (strong) or t₀/t (weak) */
  efficiency: number | null;
  /** Karp–Flatt serial fraction relative to n₀ (null at n₀) */
  karpFlatt: number | null;
  /** Confidence intervals of the point's figures; null where the repetitions allow none */
  intervals: PointIntervals;
}

/** Confidence intervals of one point's figures, each with its level and method. */
export interface PointIntervals {
  /** Median seconds */
  seconds: Interval | null;
  /** Median rate */
  rate: Interval | null;
  speedup: Interval | null;
  efficiency: Interval | null;
  karpFlatt: Interval | null;
}

function noIntervals(): PointIntervals {
  return { seconds: null, rate: null, speedup: null, efficiency: null, karpFlatt: null };
}

/** One operation of a run. */
export interface OpAnalysis {
  op: string;
  unit: string | null;
  points: PointStats[];
  fits: Fits;
}

/** A run with its analysis. */
export interface RunAnalysis {
  src: RunSource;
  ops: OpAnalysis[];
  failures: Observation[];
  counts: { total: number; measured: number; warmup: number; failed: number };
}

/** Options of {@linkcode analyzeRun}. */
export interface AnalyzeOptions {
  /** Requested confidence level of every interval (default 0.95) */
  level?: number;
}

function maxOrNull(xs: (number | null | undefined)[]): number | null {
  let m: number | null = null;
  for (const x of xs) {
    if (typeof x === "number" && Number.isFinite(x) && (m === null || x > m)) m = x;
  }
  return m;
}

/** A finite number or null (imported observations carry NaN where a field is unknown). */
function num(x: unknown): number | null {
  return typeof x === "number" && Number.isFinite(x) ? x : null;
}

function pointFromObservations(cores: number, list: Observation[], options: AnalyzeOptions) {
  const measured = list.filter((o) => !o.warmup);
  const ok = measured.filter((o) => o.ok && typeof o.seconds === "number");
  const seconds = ok.map((o) => o.seconds as number);
  const rates = ok.map((o) => o.rate).filter((r): r is number => typeof r === "number");
  const ref = ok[0] ?? measured[0] ?? list[0];
  const point: PointStats = {
    cores,
    nodes: num(ref?.nodes),
    ranks: num(ref?.ranks),
    threads: num(ref?.threads),
    seconds,
    summary: seconds.length ? summarize(seconds, { level: options.level }) : null,
    imported: false,
    failed: measured.length - ok.length,
    warmups: list.length - measured.length,
    rate: rates.length ? median(rates) : null,
    unit: ok.find((o) => o.unit)?.unit ?? ref?.unit ?? null,
    peakRss: maxOrNull(ok.map((o) => o.peak_rss_bytes)),
    size: num(ref?.size),
    speedup: null,
    efficiency: null,
    karpFlatt: null,
    intervals: noIntervals(),
  };
  point.intervals.seconds = point.summary?.ci ?? null;
  point.intervals.rate = medianCI(rates, { level: options.level });
  return point;
}

function pointFromAggregate(a: AggregatePoint): PointStats {
  const cv = a.mean > 0 ? a.std / a.mean : NaN;
  return {
    cores: a.cores,
    nodes: null,
    ranks: null,
    threads: null,
    seconds: [],
    summary: {
      n: NaN,
      min: a.min,
      median: a.median,
      mean: a.mean,
      max: a.max,
      std: a.std,
      ci: null,
      cv,
      noisy: cv > 0.1,
      outliers: [],
    },
    imported: true,
    failed: 0,
    warmups: 0,
    rate: a.rate,
    unit: a.unit,
    peakRss: null,
    size: null,
    speedup: null,
    efficiency: null,
    karpFlatt: null,
    intervals: noIntervals(),
  };
}

const REFERENCE: Interval = {
  lo: 1,
  hi: 1,
  level: 1,
  method: "definition",
  note: "The reference point n₀",
};

function scaling(
  points: PointStats[],
  { fits, mode, level }: { fits: Fits; mode: Mode; level?: number },
): void {
  const base = points.find((p) => p.summary && p.summary.median > 0);
  if (!base) return;
  const t0 = base.summary!.median, n0 = base.cores;
  for (const p of points) {
    if (!p.summary || !(p.summary.median > 0)) continue;
    const k = p.cores / n0;
    const t = p.summary.median;
    p.speedup = mode === "weak" ? (k * t0) / t : t0 / t;
    p.efficiency = mode === "weak" ? t0 / t : p.speedup / k;
    p.karpFlatt = fits.karpFlatt.find((e) => e.cores === p.cores)?.e ?? null;
    if (p === base) {
      p.intervals.speedup = REFERENCE;
      p.intervals.efficiency = REFERENCE;
      continue;
    }
    // interval of t/t₀; speedup and efficiency fall as it grows
    const r = base.seconds.length && p.seconds.length
      ? ratioCI(base.seconds, p.seconds, { level })
      : null;
    if (!r) continue;
    const w = mode === "weak" ? k : 1;
    p.intervals.speedup = { ...r, lo: w / r.hi, hi: w / r.lo };
    p.intervals.efficiency = { ...r, lo: w / k / r.hi, hi: w / k / r.lo };
    if (k > 1) {
      const s = p.intervals.speedup;
      p.intervals.karpFlatt = { ...r, lo: karpFlattOf(s.hi, k), hi: karpFlattOf(s.lo, k) };
    }
  }
}

/** Analyze a run: per operation and point statistics, scaling figures and fits. */
export function analyzeRun(src: RunSource, options: AnalyzeOptions = {}): RunAnalysis {
  const byOp = new Map<string, Map<number, Observation[]>>();
  for (const o of src.observations) {
    let m = byOp.get(o.op);
    if (!m) byOp.set(o.op, m = new Map());
    const list = m.get(o.cores);
    if (list) list.push(o);
    else m.set(o.cores, [o]);
  }
  const aggByOp = new Map<string, AggregatePoint[]>();
  for (const a of src.aggregates) aggByOp.set(a.op, [...(aggByOp.get(a.op) ?? []), a]);
  const names = [...src.operations];
  for (const op of [...byOp.keys(), ...aggByOp.keys()]) if (!names.includes(op)) names.push(op);

  const ops: OpAnalysis[] = [];
  for (const op of names) {
    const points: PointStats[] = [];
    for (const [cores, list] of byOp.get(op) ?? []) {
      points.push(pointFromObservations(cores, list, options));
    }
    for (const a of aggByOp.get(op) ?? []) points.push(pointFromAggregate(a));
    if (!points.length) continue;
    points.sort((p, q) => p.cores - q.cores);
    const fits = fitScaling(
      points.filter((p) => p.summary).map((p) => ({
        cores: p.cores,
        seconds: p.seconds,
        median: p.summary!.median,
      })),
      { mode: src.mode, level: options.level },
    );
    scaling(points, { fits, mode: src.mode, level: options.level });
    ops.push({ op, unit: points.find((p) => p.unit)?.unit ?? null, points, fits });
  }
  const failures = src.observations.filter((o) => !o.ok);
  const warmup = src.observations.filter((o) => o.warmup).length;
  return {
    src,
    ops,
    failures,
    counts: {
      total: src.observations.length + src.aggregates.length,
      measured: src.observations.filter((o) => !o.warmup && o.ok).length + src.aggregates.length,
      warmup,
      failed: failures.length,
    },
  };
}

/** Build a RunSource from a scalebench run directory's data. */
export function sourceFromRun(
  run: {
    dir: string;
    manifest: Manifest;
    observations: Observation[];
    monitor: MonitorSample[];
    warnings: string[];
  },
): RunSource {
  const m = run.manifest;
  return {
    kind: "scalebench",
    path: run.dir,
    id: m.run_id,
    label: m.name ?? m.run_id,
    workload: m.workload?.name ?? run.observations[0]?.workload ?? "unknown",
    summary: m.workload?.summary ?? null,
    mode: m.mode ?? run.observations[0]?.mode ?? "strong",
    params: m.workload?.params ?? {},
    provider: m.provider ? { name: m.provider.name, settings: m.provider.settings ?? {} } : null,
    environment: m.environment ?? null,
    plan: m.plan ?? null,
    startedAt: m.started_at ?? null,
    endedAt: m.ended_at ?? null,
    status: m.status ?? null,
    operations: m.workload?.operations ?? [],
    observations: run.observations,
    monitor: run.monitor,
    aggregates: [],
    warnings: run.warnings,
  };
}
