/**
 * Comparison of several runs of the same workload: per operation and core count, the ratio of
 * each run's median to the first run's (B/A), its confidence interval and who is faster there —
 * decided by a test on the repetitions (core/stats_compare.ts: the interval of the ratio from
 * the Mann–Whitney statistic; its false-positive rate, 1 − level, is stated with each row). Without
 * repetitions on both sides (imported summaries) nothing is tested and the row says so.
 *
 * @module
 */
import { compareSamples, type SampleComparison } from "../core/stats_compare.ts";
import type { Interval } from "../core/stats_interval.ts";
import type { OpAnalysis, RunAnalysis } from "./model.ts";

/** One core count of one operation, run B against run A. */
export interface RatioRow {
  cores: number;
  a: number;
  b: number;
  /** Confidence intervals of the two medians */
  aCi: Interval | null;
  bCi: Interval | null;
  /** b / a: below 1 means B is faster */
  ratio: number;
  /** Confidence interval of b / a; null without repetitions on both sides */
  ratioCi: Interval | null;
  /** "tie": indistinguishable by the test, or untested */
  faster: "A" | "B" | "tie";
  /** How `faster` was decided: a test on the repetitions, or none possible */
  basis: "test" | "untested";
  /** The test: verdict from B's side, false-positive rate, plain sentence */
  test: SampleComparison | null;
}

/** Run B against run A for one operation. */
export interface OpComparison {
  op: string;
  rows: RatioRow[];
  /** Geometric mean of the ratios */
  geomean: number | null;
}

/** Run B against the baseline run A. */
export interface PairComparison {
  a: RunAnalysis;
  b: RunAnalysis;
  ops: OpComparison[];
  wins: { A: number; B: number; tie: number };
}

/** Runs of one workload compared with the first one. */
export interface Comparison {
  workload: string;
  runs: RunAnalysis[];
  pairs: PairComparison[];
  /** Operations in order of first appearance */
  ops: string[];
}

/** Options of {@linkcode compareRuns}. */
export interface CompareRunsOptions {
  /** Requested confidence level of the tests (default 0.95) */
  level?: number;
}

function compareOp(a: OpAnalysis, b: OpAnalysis, options: CompareRunsOptions): OpComparison {
  const rows: RatioRow[] = [];
  for (const pa of a.points) {
    const pb = b.points.find((p) => p.cores === pa.cores);
    const sa = pa.summary, sb = pb?.summary;
    if (!sa || !sb || !(sa.median > 0) || !(sb.median > 0)) continue;
    const ratio = sb.median / sa.median;
    const test = pa.seconds.length && pb!.seconds.length
      ? compareSamples(pa.seconds, pb!.seconds, { level: options.level })
      : null;
    const tested = test !== null && test.verdict !== "untested";
    rows.push({
      cores: pa.cores,
      a: sa.median,
      b: sb.median,
      aCi: sa.ci,
      bCi: sb.ci,
      ratio,
      ratioCi: test?.ci ?? null,
      faster: test?.verdict === "faster" ? "B" : test?.verdict === "slower" ? "A" : "tie",
      basis: tested ? "test" : "untested",
      test,
    });
  }
  const geomean = rows.length
    ? Math.exp(rows.reduce((s, r) => s + Math.log(r.ratio), 0) / rows.length)
    : null;
  return { op: a.op, rows, geomean };
}

/** What a run measures: its operations with their units, in a fixed order. */
function signature(r: RunAnalysis): string {
  return JSON.stringify(r.ops.map((o) => [o.op, o.unit]).sort());
}

/**
 * Group runs by workload — a run of another workload that measures the same operations (names
 * and units: the TypeScript `arrays` and Dask's `dask-arrays`) joins the group of the first such
 * run; every group of two or more runs gets a comparison.
 */
export function compareRuns(
  runs: RunAnalysis[],
  options: CompareRunsOptions = {},
): Comparison[] {
  const groups = new Map<string, RunAnalysis[]>();
  for (const r of runs) {
    const twin = r.ops.length
      ? [...groups.keys()].find((k) => groups.get(k)!.some((g) => signature(g) === signature(r)))
      : undefined;
    const key = groups.has(r.src.workload) ? r.src.workload : twin ?? r.src.workload;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const out: Comparison[] = [];
  for (const [, list] of groups) {
    const workload = [...new Set(list.map((r) => r.src.workload))].join(" vs ");
    if (list.length < 2) continue;
    const ops: string[] = [];
    for (const r of list) for (const o of r.ops) if (!ops.includes(o.op)) ops.push(o.op);
    const [a, ...rest] = list;
    const pairs = rest.map((b) => {
      const cmp: OpComparison[] = [];
      for (const name of ops) {
        const oa = a.ops.find((o) => o.op === name), ob = b.ops.find((o) => o.op === name);
        if (oa && ob) cmp.push(compareOp(oa, ob, options));
      }
      const wins = { A: 0, B: 0, tie: 0 };
      for (const c of cmp) for (const r of c.rows) wins[r.faster]++;
      return { a, b, ops: cmp, wins };
    });
    out.push({ workload, runs: list, pairs, ops });
  }
  return out;
}
