/**
 * Scaling expectations: the grammar of `--expect` and a workload's `expect: [...]`, and their
 * check against a planned sweep before anything runs.
 *
 * ```
 * [op:NAME ] FIGURE OP NUMBER [@CORES | @FROM..TO]
 * FIGURE = efficiency | speedup | seconds | rate | karp-flatt     (at a scale point: @ required)
 *        | amdahl.s | gustafson.s | usl.sigma | usl.kappa          (a fit over every point: no @)
 * OP     = >= | > | <= | <   (≥ and ≤ too)
 * ```
 *
 * Examples: `efficiency>=0.8@16`, `speedup>=3.5@4`, `seconds<=2.0@1`, `rate>=500@1..8`,
 * `amdahl.s<=0.1`, `op:transpose efficiency>=0.7@4`. An operation name may hold spaces
 * (`op:sum of squares speedup>=1.5@2`) or be quoted (`op:'x + y' …`). Without `op:` an
 * expectation holds for every operation of the run. `@FROM..TO` means every measured point with
 * FROM ≤ cores ≤ TO.
 *
 * Judging (with the run's confidence intervals) is reports/expect.ts's.
 *
 * @module
 */
import { quote, ValidationError } from "./errors.ts";
import { coresLabel } from "./labels.ts";
import type { BoundOp } from "./stats_interval.ts";
import type { Mode } from "./types.ts";

/** Figures of a scale point, with their interval in the analysis (reports/model.ts). */
export const POINT_FIGURES = ["efficiency", "speedup", "seconds", "rate", "karp-flatt"] as const;
/** A figure of a scale point. */
export type PointFigure = (typeof POINT_FIGURES)[number];

/** Parameters of the scaling-law fits (reports/fits.ts), with what each needs. */
export const FIT_FIGURES = {
  "amdahl.s": { law: "amdahl", param: "s", mode: "strong", points: 2 },
  "gustafson.s": { law: "gustafson", param: "s", mode: "weak", points: 2 },
  "usl.sigma": { law: "usl", param: "sigma", mode: null, points: 3 },
  "usl.kappa": { law: "usl", param: "kappa", mode: null, points: 3 },
} as const;
/** A fitted parameter. */
export type FitFigure = keyof typeof FIT_FIGURES;

/** Any figure an expectation can bound. */
export type Figure = PointFigure | FitFigure;

/** One parsed expectation. */
export interface Expectation {
  /** As written (trimmed) */
  text: string;
  /** Where it came from: `--expect`, `workload 'amdahl'`, `measure()`… */
  source: string;
  /** The operation it is about; null: every operation */
  op: string | null;
  figure: Figure;
  cmp: BoundOp;
  bound: number;
  /** Core counts it is about (inclusive); null for a fit */
  cores: { from: number; to: number } | null;
}

/** An expectation checked against the plan, with the points it is about. */
export interface PlannedExpectation extends Expectation {
  /** Why it will not be judged in this run (a workload's expectation outside the plan); else null */
  skipped: string | null;
}

const LAW = { amdahl: "an Amdahl", gustafson: "a Gustafson", usl: "a USL" };
const KNOWN = [...POINT_FIGURES, ...Object.keys(FIT_FIGURES)].join(", ");
const EXAMPLE = "e.g. efficiency>=0.8@16, amdahl.s<=0.1, op:transpose speedup>=3@4";

/** Is `figure` a fitted parameter? */
export function isFitFigure(figure: Figure): figure is FitFigure {
  return Object.hasOwn(FIT_FIGURES, figure);
}

/** The comparison in words: `>=` → "at least". */
export function cmpWords(cmp: BoundOp): string {
  return { ">=": "at least", ">": "above", "<=": "at most", "<": "below" }[cmp];
}

/** The comparison as a sign: `>=` → "≥". */
export function cmpSign(cmp: BoundOp): string {
  return { ">=": "≥", ">": ">", "<=": "≤", "<": "<" }[cmp];
}

const PATTERN = new RegExp(
  String
    .raw`^(?:op:\s*(?<op>.+?)\s+)?(?<figure>[A-Za-z][\w.-]*)\s*(?<cmp>>=|<=|==?|=>|=<|≥|≤|>|<)` +
    String.raw`\s*(?<bound>\S+?)\s*(?:@\s*(?<at>.*))?$`,
);

function unquote(s: string): string {
  const m = /^(['"])(.*)\1$/.exec(s.trim());
  return (m ? m[2] : s).trim();
}

function coreCount(text: string, fail: (why: string) => never): number {
  if (!/^\d+$/.test(text)) fail(`has a scale point that is not a core count (got ${quote(text)})`);
  const n = Number(text);
  if (n < 1) fail("has a scale point below 1 core");
  return n;
}

/**
 * Parse one expectation (see the module doc). A mistake is a ValidationError that quotes it and
 * names `source`, e.g. `Expectation 'efficiency>=0.8' (--expect) needs a scale point: …`.
 */
export function parseExpectation(text: string, source = "--expect"): Expectation {
  const t = text.trim();
  const fail = (why: string): never => {
    throw new ValidationError(`Expectation ${quote(t, 120)} (${source}) ${why}`);
  };
  if (!t) fail(`is empty (${EXAMPLE})`);
  const m = PATTERN.exec(t);
  if (!m?.groups) {
    const name = /^(?:op:.*\s)?([A-Za-z][\w.-]*)/.exec(t)?.[1];
    if (name && !(KNOWN.split(", ").includes(name))) {
      fail(`bounds an unknown figure ${quote(name)} (known: ${KNOWN})`);
    }
    fail(`is not FIGURE OP NUMBER[@CORES] (${EXAMPLE})`);
  }
  const g = m!.groups!;
  const figure = g.figure.toLowerCase();
  if (!KNOWN.split(", ").includes(figure)) {
    fail(`bounds an unknown figure ${quote(g.figure)} (known: ${KNOWN})`);
  }
  const signs: Record<string, BoundOp> = {
    ">=": ">=",
    "≥": ">=",
    ">": ">",
    "<=": "<=",
    "≤": "<=",
    "<": "<",
  };
  const cmp = signs[g.cmp];
  if (!cmp) fail(`compares with ${quote(g.cmp)}: use >=, >, <= or <`);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(g.bound)) {
    fail(`has a bound that is not a number (got ${quote(g.bound)})`);
  }
  const bound = Number(g.bound);
  let op: string | null = null;
  if (g.op !== undefined) {
    op = unquote(g.op);
    if (!op) fail("names no operation after op:");
  }
  const fit = isFitFigure(figure as Figure);
  let cores: Expectation["cores"] = null;
  if (g.at !== undefined) {
    if (fit) fail(`bounds a fit over every point: remove ${quote(`@${g.at}`)}`);
    const r = /^(\S+?)\s*\.\.\s*(\S+)$/.exec(g.at.trim());
    const from = coreCount(r ? r[1] : g.at.trim(), fail);
    const to = r ? coreCount(r[2], fail) : from;
    if (to < from) fail(`has a range whose end is below its start (got ${quote(g.at)})`);
    cores = { from, to };
  } else if (!fit) {
    fail(`needs a scale point: @CORES or @FROM..TO (e.g. ${figure}${g.cmp}${g.bound}@2)`);
  }
  return { text: t, source, op, figure: figure as Figure, cmp, bound, cores };
}

/** What a run will measure, for checking expectations before it starts. */
export interface ExpectationScope {
  /** Operations to be measured; null: any (a program defines them when it runs) */
  operations: string[] | null;
  /** Every operation the workload has (to tell "unknown" from "not in this run"); null: unknown */
  allOperations: string[] | null;
  /** Planned core counts */
  cores: number[];
  mode: Mode;
  /** Operations that report a rate; null: unknown */
  rates: string[] | null;
}

/** The planned core counts an expectation is about. */
export function coresInScope(e: Expectation, cores: readonly number[]): number[] {
  if (!e.cores) return [...cores];
  return cores.filter((c) => c >= e.cores!.from && c <= e.cores!.to);
}

function atText(e: Expectation): string {
  const c = e.cores!;
  return c.from === c.to ? `${c.from} cores` : `${c.from}..${c.to} cores`;
}

/**
 * Check a parsed expectation against what the run will measure: its operation exists, its scale
 * points are planned, its figure can be computed (a rate, a fit of this mode with enough points,
 * Karp–Flatt beyond the reference point). Returns why it cannot be judged, or null; with
 * `optional` (a workload's own expectations) a point or operation outside this run skips it,
 * otherwise every problem is a ValidationError.
 */
export function checkExpectation(
  e: Expectation,
  scope: ExpectationScope,
  options: { optional?: boolean } = {},
): string | null {
  const fail = (why: string): never => {
    throw new ValidationError(`Expectation ${quote(e.text, 120)} (${e.source}) ${why}`);
  };
  const skip = (why: string) => (options.optional ? why : fail(why));
  const sorted = [...new Set(scope.cores)].sort((a, b) => a - b);
  if (e.op !== null && scope.operations !== null && !scope.operations.includes(e.op)) {
    const known = scope.allOperations ?? scope.operations;
    if (!known.includes(e.op)) {
      fail(`is about an unknown operation ${quote(e.op)} (known: ${known.join(", ")})`);
    }
    return skip(`is about operation ${quote(e.op)}, which this run does not measure`);
  }
  if (e.figure === "rate" && scope.rates !== null) {
    const ops = e.op !== null ? [e.op] : scope.operations ?? [];
    if (!ops.some((o) => scope.rates!.includes(o))) {
      fail(
        `bounds a rate, but ${
          e.op !== null ? `operation ${quote(e.op)} reports` : "the operations report"
        } none (a workload operation's metric gives one)`,
      );
    }
  }
  if (isFitFigure(e.figure)) {
    const need = FIT_FIGURES[e.figure];
    if (need.mode && need.mode !== scope.mode) {
      fail(
        `bounds ${
          LAW[need.law]
        } fit, which applies to ${need.mode} scaling; this run is ${scope.mode}`,
      );
    }
    if (sorted.length < need.points) {
      return skip(
        `needs at least ${need.points} core counts for ${LAW[need.law]} fit (planned: ${
          sorted.join(", ")
        })`,
      );
    }
    return null;
  }
  const at = coresInScope(e, sorted);
  if (!at.length) {
    return skip(
      `is about ${atText(e)}, which this run does not measure (planned: ${sorted.join(", ")})`,
    );
  }
  if (e.figure === "karp-flatt" && at.every((c) => c === sorted[0])) {
    fail(
      `bounds Karp–Flatt at the reference point (${
        coresLabel(sorted[0])
      }), where it is undefined (choose a larger core count)`,
    );
  }
  return null;
}

/** Expectations from one place: their texts and whether they may not apply to every run. */
export interface ExpectationSource {
  texts: readonly string[];
  /** `--expect`, `workload 'amdahl'`… */
  source: string;
  /** A workload's own expectations: points or operations outside the run skip them */
  optional?: boolean;
}

/**
 * Parse and check every expectation against the plan before anything runs (ValidationError,
 * exit 2, for a mistake); the ones that cannot apply to this run carry why they are skipped.
 */
export function planExpectations(
  sources: readonly ExpectationSource[],
  scope: ExpectationScope,
): PlannedExpectation[] {
  const out: PlannedExpectation[] = [];
  for (const s of sources) {
    for (const text of s.texts) {
      const e = parseExpectation(text, s.source);
      out.push({ ...e, skipped: checkExpectation(e, scope, { optional: s.optional }) });
    }
  }
  return out;
}
