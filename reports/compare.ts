/**
 * Comparison of several runs of the same workload: per operation and core count, the ratio of
 * each run's median to the first run's (B/A) and who is faster there — decided by the 95 % CIs
 * of the medians when both exist (overlapping CIs: a tie), else by the ratio alone.
 *
 * @module
 */
import type { OpAnalysis, RunAnalysis } from "./model.ts";

/** One core count of one operation, run B against run A. */
export interface RatioRow {
  cores: number;
  a: number;
  b: number;
  aCi: [number, number] | null;
  bCi: [number, number] | null;
  /** b / a: below 1 means B is faster */
  ratio: number;
  faster: "A" | "B" | "tie";
  /** How `faster` was decided */
  basis: "ci" | "ratio";
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

/** Relative difference below which ratio-only decisions call a tie. */
export const TIE = 0.02;

function compareOp(a: OpAnalysis, b: OpAnalysis): OpComparison {
  const rows: RatioRow[] = [];
  for (const pa of a.points) {
    const pb = b.points.find((p) => p.cores === pa.cores);
    const sa = pa.summary, sb = pb?.summary;
    if (!sa || !sb || !(sa.median > 0) || !(sb.median > 0)) continue;
    const ratio = sb.median / sa.median;
    let faster: RatioRow["faster"], basis: RatioRow["basis"];
    if (sa.ci95 && sb.ci95) {
      basis = "ci";
      faster = sb.ci95[1] < sa.ci95[0] ? "B" : sa.ci95[1] < sb.ci95[0] ? "A" : "tie";
    } else {
      basis = "ratio";
      faster = ratio < 1 - TIE ? "B" : ratio > 1 + TIE ? "A" : "tie";
    }
    rows.push({
      cores: pa.cores,
      a: sa.median,
      b: sb.median,
      aCi: sa.ci95,
      bCi: sb.ci95,
      ratio,
      faster,
      basis,
    });
  }
  const geomean = rows.length
    ? Math.exp(rows.reduce((s, r) => s + Math.log(r.ratio), 0) / rows.length)
    : null;
  return { op: a.op, rows, geomean };
}

/** Group runs by workload; every group of two or more runs gets a comparison. */
export function compareRuns(runs: RunAnalysis[]): Comparison[] {
  const groups = new Map<string, RunAnalysis[]>();
  for (const r of runs) groups.set(r.src.workload, [...(groups.get(r.src.workload) ?? []), r]);
  const out: Comparison[] = [];
  for (const [workload, list] of groups) {
    if (list.length < 2) continue;
    const ops: string[] = [];
    for (const r of list) for (const o of r.ops) if (!ops.includes(o.op)) ops.push(o.op);
    const [a, ...rest] = list;
    const pairs = rest.map((b) => {
      const cmp: OpComparison[] = [];
      for (const name of ops) {
        const oa = a.ops.find((o) => o.op === name), ob = b.ops.find((o) => o.op === name);
        if (oa && ob) cmp.push(compareOp(oa, ob));
      }
      const wins = { A: 0, B: 0, tie: 0 };
      for (const c of cmp) for (const r of c.rows) wins[r.faster]++;
      return { a, b, ops: cmp, wins };
    });
    out.push({ workload, runs: list, pairs, ops });
  }
  return out;
}
