/**
 * The verdict on a scaling-law fit: whether the data contradict a bound, depart from the law more
 * than the repetitions scatter (lack-of-fit F test), are better described by another law (AICc),
 * or cannot check it — with one plain sentence saying so. Used by reports/fits.ts.
 *
 * @module
 */
import type { LackOfFit, ShapeFit } from "../core/stats_fit.ts";

/** Significance level of the model checks (bound, lack of fit). */
export const CHECK_ALPHA = 0.01;
/** AICc difference from which a rival law is preferred. */
export const AICC_MARGIN = 4;

/** How well the data follow a law. */
export type VerdictStatus =
  /** Within the repetitions' scatter, and no other law does better */
  | "consistent"
  /** A systematic departure (lack-of-fit test) or another law fits much better (AICc) */
  | "lack-of-fit"
  /** The data ask for an impossible parameter (e.g. s > 1: slower with more cores) */
  | "contradicted"
  /** No check possible: exactly determined, or no repetitions to compare the residuals with */
  | "unchecked";

/** The verdict on one fit. */
export interface ModelVerdict {
  status: VerdictStatus;
  /** Plain sentence(s) saying what the data do relative to the law */
  reason: string;
  /** Lack-of-fit F test against the repetitions' scatter; null when not possible */
  lackOfFit: LackOfFit | null;
  /** Largest |observed/fitted − 1| over the points (observed: geometric mean of repetitions) */
  maxDeviation: number;
  /** AICc on log times (lower is better); null with too few observations */
  aicc: number | null;
  /** A parameter held at a bound while the data ask for a value beyond it */
  bound: { param: string; value: number; beyond: number; p: number | null } | null;
}

/** Observed against fitted time at one point. */
export interface Residual {
  cores: number;
  /** Geometric mean of the repetitions (seconds) */
  observed: number;
  fitted: number;
  /** observed / fitted − 1 */
  deviation: number;
}

/** Three significant digits. */
export function fmt(x: number): string {
  return Number(x.toPrecision(3)).toString();
}

/** A p-value for a sentence. */
export function fmtP(p: number): string {
  return p < 0.0001 ? "p < 0.0001" : `p = ${Number(p.toPrecision(2))}`;
}

/** Law-specific words of a verdict. */
export interface Words {
  /** "Amdahl's law" */
  law: string;
  /** Display names of the parameters */
  names: string[];
  /** Per parameter, what going below / above its bounds means */
  beyond: { lower: string; upper: string }[];
}

/** The verdict on fit `f` of a law described by `words`, with its residuals. */
export function verdictOf(
  f: ShapeFit,
  { residuals: res, words }: { residuals: Residual[]; words: Words },
): ModelVerdict {
  const maxDeviation = Math.max(...res.map((r) => Math.abs(r.deviation)));
  const base = { lackOfFit: f.lackOfFit, maxDeviation, aicc: f.aicc, bound: null };
  const dev = `${Number((maxDeviation * 100).toFixed(2))} %`;
  const npar = words.names.length + 1;
  const b = f.beyond;
  let held = "";
  const v: ModelVerdict = { ...base, status: "consistent", reason: "" };
  if (b) {
    const j = b.params[0], param = words.names[j];
    const value = f.params[j], beyond = b.values[j];
    v.bound = { param, value, beyond, p: b.p };
    held = `the data ask for ${param} = ${fmt(beyond)}, held at ${fmt(value)}`;
    if (b.p !== null && b.p < CHECK_ALPHA) {
      const what = words.beyond[j][beyond < value ? "lower" : "upper"];
      v.status = "contradicted";
      v.reason = `${what}, which ${words.law} cannot describe (${held}; ${fmtP(b.p)})`;
      return v;
    }
  }
  if (f.points === npar) {
    v.status = "unchecked";
    v.reason = `Exactly determined: ${f.points} core counts for ${npar} parameters, so ` +
      `${words.law} cannot be checked${held ? ` (${held})` : ""}`;
  } else if (f.lackOfFit && f.lackOfFit.p < CHECK_ALPHA) {
    v.status = "lack-of-fit";
    v.reason = `The times depart from ${words.law} by up to ${dev}, more than the repetitions ` +
      `scatter (lack-of-fit F = ${fmt(f.lackOfFit.f)}, ${fmtP(f.lackOfFit.p)})`;
  } else if (!f.lackOfFit) {
    v.status = "unchecked";
    v.reason = `No repetitions to check ${words.law} against: the fitted times differ from the ` +
      `measured ones by up to ${dev}${held ? ` (${held}, within the scatter)` : ""}`;
  } else {
    v.reason = `The times follow ${words.law} within the repetitions' scatter (largest ` +
      `departure ${dev}, lack-of-fit ${fmtP(f.lackOfFit.p)}${
        held ? `; ${held}, within the scatter` : ""
      })`;
  }
  return v;
}

/**
 * Mark verdict `v` lack-of-fit when a rival law's AICc is lower by at least AICC_MARGIN (unless
 * it is already contradicted or lacking).
 */
export function demote(
  v: ModelVerdict,
  o: { worseBy: number; rival: string; law: string; aicc: { a: number; b: number } },
): void {
  const { worseBy, rival, law, aicc } = o;
  if (!(worseBy >= AICC_MARGIN) || v.status === "contradicted" || v.status === "lack-of-fit") {
    return;
  }
  v.status = "lack-of-fit";
  v.reason = `${rival[0].toUpperCase()}${rival.slice(1)} describes these times much better ` +
    `than ${law} (AICc ${fmt(aicc.a)} against ${fmt(aicc.b)})`;
}
