/**
 * Judge scaling expectations (core/expect.ts) on an analysed run with its confidence intervals
 * (reports/model.ts, reports/fits.ts): **pass** when the whole interval satisfies the bound,
 * **fail** when none of it does, **inconclusive** when it straddles the bound or there is no
 * interval — each with its numbers in one sentence. `strict` makes inconclusive count as failed.
 *
 * An expectation without `op:` is judged for every operation (one result each; `rate` only for
 * operations that report one); a range `@a..b` judges every measured point in it, and fails when
 * one point fails.
 *
 * @module
 */
import {
  cmpSign,
  coresInScope,
  type Expectation,
  FIT_FIGURES,
  isFitFigure,
  type PlannedExpectation,
  type PointFigure,
} from "../core/expect.ts";
import { type Interval, judgeBound, type Judgement, pct } from "../core/stats_interval.ts";
import { fmtInterval } from "./_format.ts";
import { coresLabel } from "../core/labels.ts";
import type { OpAnalysis, PointStats, RunAnalysis } from "./model.ts";

/** The verdict of an expectation: a judgement, or skipped (a workload's, outside this run). */
export type Verdict = Judgement | "skipped";

/** One scale point of an expectation. */
export interface PointJudgement {
  cores: number;
  /** The point's figure (median seconds or rate, speedup, efficiency, Karp–Flatt) */
  value: number | null;
  /** Its confidence interval (level and method stated); null when the repetitions allow none */
  ci: Interval | null;
  verdict: Judgement;
  /** Measured repetitions at the point */
  reps: number;
}

/** A fitted parameter of an expectation. */
export interface FitJudgement {
  law: "amdahl" | "gustafson" | "usl";
  param: string;
  value: number | null;
  ci: Interval | null;
  /** The fit's own verdict (consistent, lack-of-fit, contradicted, unchecked) and its sentence */
  status: string | null;
  reason: string | null;
}

/** How to judge: `strict` counts inconclusive as failed; `strictName` names it in messages. */
interface Judging {
  strict: boolean;
  strictName: string;
}

/** One expectation judged for one operation. */
export interface ExpectationResult extends Expectation {
  /** The operation judged (null when skipped before knowing one) */
  judgedOp: string | null;
  verdict: Verdict;
  /** Counts against the run: a fail, or an inconclusive one with `strict` */
  failed: boolean;
  points: PointJudgement[];
  fit: FitJudgement | null;
  /** One sentence with the verdict and the numbers */
  message: string;
  /** The numbers alone (the message without its verdict) */
  detail: string;
}

const NEGATION = { ">=": "<", ">": "≤", "<=": ">", "<": "≥" } as const;

const FIGURE_WORDS: Record<string, string> = {
  efficiency: "efficiency",
  speedup: "speedup",
  seconds: "median time (s)",
  rate: "median rate",
  "karp-flatt": "Karp–Flatt serial fraction",
  "amdahl.s": "Amdahl's s",
  "gustafson.s": "Gustafson's s′",
  "usl.sigma": "USL σ",
  "usl.kappa": "USL κ",
};

function pointValue(
  p: PointStats,
  figure: PointFigure,
): { value: number | null; ci: Interval | null } {
  switch (figure) {
    case "efficiency":
      return { value: p.efficiency, ci: p.intervals.efficiency };
    case "speedup":
      return { value: p.speedup, ci: p.intervals.speedup };
    case "seconds":
      return { value: p.summary?.median ?? null, ci: p.intervals.seconds };
    case "rate":
      return { value: p.rate, ci: p.intervals.rate };
    case "karp-flatt":
      return { value: p.karpFlatt, ci: p.intervals.karpFlatt };
  }
}

function ciText(ci: Interval | null): string {
  if (!ci) return "";
  return ci.method === "definition" ? " (by definition)" : ` (${pct(ci.level)} CI)`;
}

/** "entirely ≥ 0.8", "entirely < 0.8", "straddles 0.8", "no interval". */
function phrase(e: Expectation, verdict: Judgement, ci: Interval | null, value: number | null) {
  if (value === null) return "not measured";
  if (verdict === "pass") return `entirely ${cmpSign(e.cmp)} ${e.bound}`;
  if (verdict === "fail") return `entirely ${NEGATION[e.cmp]} ${e.bound}`;
  return ci ? `straddles ${e.bound}` : "has no interval (too few repetitions)";
}

function combine(verdicts: Judgement[]): Judgement {
  if (!verdicts.length) return "inconclusive";
  if (verdicts.includes("fail")) return "fail";
  return verdicts.includes("inconclusive") ? "inconclusive" : "pass";
}

function capital(v: Verdict): string {
  return v[0].toUpperCase() + v.slice(1);
}

function finish(
  e: PlannedExpectation,
  r: Omit<ExpectationResult, keyof Expectation | "failed" | "message" | "detail">,
  { strict, strictName, detail }: Judging & { detail: string },
): ExpectationResult {
  const { skipped: _, ...base } = e;
  const failed = r.verdict === "fail" || (strict && r.verdict === "inconclusive");
  const tail = r.verdict === "inconclusive"
    ? (strict ? ` (${strictName}: failed)` : ` (${strictName} would fail it)`)
    : "";
  return { ...base, ...r, failed, message: `${capital(r.verdict)}: ${detail}${tail}`, detail };
}

function judgePoints(
  e: PlannedExpectation,
  op: OpAnalysis,
  how: Judging,
): ExpectationResult {
  const figure = e.figure as PointFigure;
  const words = FIGURE_WORDS[figure] + (figure === "rate" && op.unit ? ` (${op.unit})` : "");
  const measured = op.points.map((p) => p.cores);
  const wanted = e.cores!.from === e.cores!.to ? [e.cores!.from] : coresInScope(e, measured);
  const n0 = op.points.find((p) => p.summary && p.summary.median > 0)?.cores;
  const points: PointJudgement[] = [];
  for (const cores of wanted) {
    const p = op.points.find((x) => x.cores === cores);
    // Karp–Flatt is undefined at the reference point: a range passes over it
    if (figure === "karp-flatt" && cores === n0 && wanted.length > 1) continue;
    const { value, ci } = p ? pointValue(p, figure) : { value: null, ci: null };
    const verdict = value === null ? "inconclusive" : judgeBound(ci, { op: e.cmp, bound: e.bound });
    points.push({ cores, value, ci, verdict, reps: p?.summary?.n ?? 0 });
  }
  const verdict = combine(points.map((p) => p.verdict));
  const pieces = points.map((p) =>
    `${coresLabel(p.cores)} ${
      p.value === null ? "" : `${fmtInterval(p.value, p.ci)}${ciText(p.ci)} `
    }${phrase(e, p.verdict, p.ci, p.value)}`
  );
  const detail = `${words} of ${op.op} ${cmpSign(e.cmp)} ${e.bound}: ${
    pieces.join("; ") || "no measured point in range"
  }`;
  return finish(e, { judgedOp: op.op, verdict, points, fit: null }, { ...how, detail });
}

function judgeFit(e: PlannedExpectation, op: OpAnalysis, how: Judging): ExpectationResult {
  const want = FIT_FIGURES[e.figure as keyof typeof FIT_FIGURES];
  const fit = op.fits[want.law];
  const est = fit
    ? (fit as unknown as Record<string, { value: number; ci: Interval | null }>)[want.param]
    : null;
  const value = est?.value ?? null, ci = est?.ci ?? null;
  const verdict: Judgement = value === null
    ? "inconclusive"
    : judgeBound(ci, { op: e.cmp, bound: e.bound });
  const status = fit?.verdict.status ?? null;
  const words = FIGURE_WORDS[e.figure];
  const detail = `${words} of ${op.op} ${cmpSign(e.cmp)} ${e.bound}: ${
    value === null
      ? "no fit (too few points with data)"
      : `${fmtInterval(value, ci)}${ciText(ci)} ${phrase(e, verdict, ci, value)}`
  }${
    status === "lack-of-fit" || status === "contradicted"
      ? `; the fit is ${status}: ${fit!.verdict.reason}`
      : ""
  }`;
  return finish(e, {
    judgedOp: op.op,
    verdict,
    points: [],
    fit: {
      law: want.law,
      param: want.param,
      value,
      ci,
      status,
      reason: fit?.verdict.reason ?? null,
    },
  }, { ...how, detail });
}

/**
 * Judge every expectation on the analysed run: one result per expectation and operation (a
 * skipped expectation: one result saying why).
 */
export function judgeExpectations(
  a: RunAnalysis,
  list: readonly PlannedExpectation[],
  options: { strict?: boolean; strictName?: string } = {},
): ExpectationResult[] {
  const how: Judging = {
    strict: options.strict ?? false,
    strictName: options.strictName ?? "--strict",
  };
  const out: ExpectationResult[] = [];
  for (const e of list) {
    const none = { judgedOp: e.op, points: [], fit: null };
    if (e.skipped) {
      out.push(
        finish(e, { ...none, verdict: "skipped" }, { ...how, detail: `${e.text} ${e.skipped}` }),
      );
      continue;
    }
    let ops = e.op !== null ? a.ops.filter((o) => o.op === e.op) : a.ops;
    if (e.figure === "rate" && e.op === null) {
      ops = ops.filter((o) => o.points.some((p) => p.rate !== null));
    }
    if (!ops.length) {
      const what = e.op !== null
        ? `operation ${e.op}`
        : e.figure === "rate"
        ? "an operation with a rate"
        : "an operation";
      out.push(
        finish(e, { ...none, verdict: "inconclusive" }, {
          ...how,
          detail: `${e.text}: no measured repetition of ${what}`,
        }),
      );
      continue;
    }
    for (const op of ops) {
      out.push(isFitFigure(e.figure) ? judgeFit(e, op, how) : judgePoints(e, op, how));
    }
  }
  return out;
}
