/**
 * The checks of a finished run, recorded as `<run>/checks.json` and reported to CI: the workload's
 * own checks per (operation, scale point), the expectations judged with the run's intervals
 * (reports/expect.ts) and the comparison with a baseline (reports/expect_baseline.ts). The HTML
 * report, `--format json`, `--junit` (reports/junit.ts) and `--summary` (reports/expect_md.ts)
 * all render this one record.
 *
 * @module
 */
import { comparableOf, environmentDifferences } from "../core/expect_baseline.ts";
import type { ChecksPlan } from "../core/expect_run.ts";
import { errorMessage, quote, ValidationError } from "../core/errors.ts";
import { readRun, type RunData } from "../core/results.ts";
import { VERSION } from "../core/version.ts";
import { assertComparable } from "../core/expect_baseline.ts";
import { type ExpectationResult, judgeExpectations } from "./expect.ts";
import { type BaselineResult, compareWithBaseline } from "./expect_baseline.ts";
import { analyzeRun, type RunAnalysis, sourceFromRun } from "./model.ts";
import { renderJunit } from "./junit.ts";
import { renderSummary } from "./expect_md.ts";

/** The file a run's checks are recorded in. */
export const CHECKS_FILE = "checks.json";

/** The workload's own checks at one (operation, scale point). */
export interface CheckRow {
  op: string;
  cores: number;
  /** Observations (warm-ups included) */
  observations: number;
  failed: number;
  /** The failures' messages (distinct, at most 5) */
  errors: string[];
  /** Seconds of the successful repetitions, summed */
  seconds: number;
}

/** How many checks passed, failed, were inconclusive or skipped. */
export interface CheckCounts {
  passed: number;
  failed: number;
  inconclusive: number;
  skipped: number;
}

/** Everything a run was judged by (`checks.json`, schema version 1). */
export interface RunChecks {
  schema_version: 1;
  generator: string;
  judged_at: string;
  run: { id: string; dir: string; workload: string };
  /** An inconclusive expectation counts as failed */
  strict: boolean;
  /** Confidence level of every interval and test */
  level: number;
  checks: CheckRow[];
  expectations: ExpectationResult[];
  baseline: BaselineResult | null;
  counts: CheckCounts;
  /** Nothing failed */
  ok: boolean;
}

/** The workload's checks per (operation, core count), from the run's observations. */
export function checkRows(a: RunAnalysis): CheckRow[] {
  const rows = new Map<string, CheckRow>();
  for (const o of a.src.observations) {
    const key = `${o.op}\u0000${o.cores}`;
    let r = rows.get(key);
    if (!r) {
      rows.set(
        key,
        r = { op: o.op, cores: o.cores, observations: 0, failed: 0, errors: [], seconds: 0 },
      );
    }
    r.observations++;
    if (!o.ok) {
      r.failed++;
      const msg = o.error ?? "failed";
      if (!r.errors.includes(msg) && r.errors.length < 5) r.errors.push(msg);
    } else if (typeof o.seconds === "number") r.seconds += o.seconds;
  }
  return [...rows.values()];
}

/** Count the record's outcomes (checks, expectations, regressions). */
export function countChecks(
  c: Pick<RunChecks, "checks" | "expectations" | "baseline" | "strict">,
): CheckCounts {
  const n: CheckCounts = { passed: 0, failed: 0, inconclusive: 0, skipped: 0 };
  for (const r of c.checks) n[r.failed ? "failed" : "passed"]++;
  for (const e of c.expectations) {
    if (e.failed) n.failed++;
    else if (e.verdict === "pass") n.passed++;
    else if (e.verdict === "inconclusive") n.inconclusive++;
    else n.skipped++;
  }
  for (const r of c.baseline?.rows ?? []) {
    n[r.status === "fail" ? "failed" : r.status === "pass" ? "passed" : "skipped"]++;
  }
  return n;
}

/** Assemble the record. */
export function runChecks(
  a: RunAnalysis,
  parts: {
    expectations: ExpectationResult[];
    baseline: BaselineResult | null;
    strict: boolean;
    level?: number;
    checks?: CheckRow[];
  },
): RunChecks {
  const body = {
    checks: parts.checks ?? checkRows(a),
    expectations: parts.expectations,
    baseline: parts.baseline,
    strict: parts.strict,
  };
  const counts = countChecks(body);
  return {
    schema_version: 1,
    generator: `scalebench ${VERSION}`,
    judged_at: new Date().toISOString(),
    run: { id: a.src.id, dir: a.src.path, workload: a.src.workload },
    level: parts.level ?? 0.95,
    ...body,
    counts,
    ok: counts.failed === 0,
  };
}

/** Read and analyse a run directory. */
export async function analyzeRunDir(
  dir: string,
  options: { level?: number } = {},
): Promise<{ run: RunData; analysis: RunAnalysis }> {
  const run = await readRun(dir, { monitor: false });
  return { run, analysis: analyzeRun(sourceFromRun(run), { level: options.level }) };
}

/**
 * Compare `run` with the baseline run in `baseDir` (refused, ValidationError, when it measured
 * another workload, mode or parameters).
 */
export async function baselineOf(
  run: { run: RunData; analysis: RunAnalysis },
  options: { baseDir: string; maxRegression: number; level?: number; flag?: string },
): Promise<BaselineResult> {
  const what = `Baseline ${quote(options.baseDir, 200)} (${options.flag ?? "--baseline"})`;
  let base: Awaited<ReturnType<typeof analyzeRunDir>>;
  try {
    base = await analyzeRunDir(options.baseDir, { level: options.level });
  } catch (err) {
    if (err instanceof ValidationError) throw new ValidationError(`${what}: ${errorMessage(err)}`);
    throw err;
  }
  assertComparable(comparableOf(base.run.manifest), comparableOf(run.run.manifest), what);
  return compareWithBaseline(base.analysis, run.analysis, {
    dir: options.baseDir,
    maxRegression: options.maxRegression,
    level: options.level,
    environment: environmentDifferences(base.run.manifest, run.run.manifest),
  });
}

/** Judge a finished run by its planned checks (core/expect_run.ts) and record `checks.json`. */
export async function evaluateRun(
  runDir: string,
  plan: ChecksPlan,
  options: { level?: number } = {},
): Promise<RunChecks> {
  const run = await analyzeRunDir(runDir, options);
  const expectations = judgeExpectations(run.analysis, plan.expectations, { strict: plan.strict });
  const baseline = plan.baseline === null ? null : await baselineOf(run, {
    baseDir: plan.baseline,
    maxRegression: plan.maxRegression,
    level: options.level,
  });
  const checks = runChecks(run.analysis, {
    expectations,
    baseline,
    strict: plan.strict,
    level: options.level,
  });
  if (expectations.length || baseline) await writeChecks(runDir, checks);
  return checks;
}

/** Write `<run>/checks.json`. */
export async function writeChecks(runDir: string, checks: RunChecks): Promise<void> {
  await Deno.writeTextFile(
    `${runDir.replace(/\/+$/, "")}/${CHECKS_FILE}`,
    JSON.stringify(checks, null, 2) + "\n", // NaN and ±Infinity become null
  );
}

/** A run's recorded checks, or null when it has none (or they cannot be read). */
export async function readChecks(
  runDir: string,
  options: { onWarning?: (m: string) => void } = {},
): Promise<RunChecks | null> {
  const path = `${runDir.replace(/\/+$/, "")}/${CHECKS_FILE}`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return null;
  }
  try {
    const c = JSON.parse(text) as RunChecks;
    if (c?.schema_version === 1 && Array.isArray(c.expectations)) return c;
    options.onWarning?.(`${quote(path, 200)} is not a checks record of schema version 1: ignored`);
  } catch (err) {
    options.onWarning?.(`${quote(path, 200)} is not valid JSON (${errorMessage(err)}): ignored`);
  }
  return null;
}

const MARK = { pass: "PASS", fail: "FAIL", inconclusive: "INCONCLUSIVE", skipped: "SKIPPED" };

/** Terminal lines of the record: a head line, then one per expectation and comparison. */
export function checkLines(c: RunChecks): string[] {
  const out: string[] = [];
  const n = c.counts;
  if (c.expectations.length) {
    out.push(`Expectations (${c.strict ? "strict" : "inconclusive passes; --strict fails it"}):`);
    for (const e of c.expectations) {
      const v = e.failed ? "FAIL" : MARK[e.verdict];
      out.push(
        `  ${v.padEnd(12)} ${e.text}${
          e.judgedOp && e.op === null ? ` [${e.judgedOp}]` : ""
        }: ${e.detail}${
          e.verdict === "inconclusive" && !c.strict ? " (--strict would fail it)" : ""
        }`,
      );
    }
  }
  const b = c.baseline;
  if (b) {
    out.push(
      `Baseline ${b.dir}: ${b.regressions} regression${
        b.regressions === 1 ? "" : "s"
      } in ${b.rows.length} point${b.rows.length === 1 ? "" : "s"} (slower than ${
        fmtPctPlain(b.maxRegression)
      } with ${Math.round(b.level * 100)} % confidence fails)`,
    );
    for (const r of b.rows) {
      out.push(
        `  ${
          (r.status === "fail" ? "REGRESSION" : r.status === "untested" ? "UNTESTED" : "ok").padEnd(
            12,
          )
        } ${r.message}`,
      );
    }
    for (const u of b.unmatched) {
      out.push(`  ${"not compared".padEnd(12)} ${u.op} at ${u.cores} cores: only in the ${u.only}`);
    }
    out.push(
      b.environment.length
        ? `  Environment differs: ${
          b.environment.map((d) => `${d.field} ${d.base ?? "?"} → ${d.run ?? "?"}`).join("; ")
        }`
        : "  Environment: same host, CPU, Deno, scalebench and workload source as the baseline",
    );
  }
  out.push(
    `Checks: ${n.passed} passed, ${n.failed} failed, ${n.inconclusive} inconclusive, ${n.skipped} skipped`,
  );
  return out;
}

function fmtPctPlain(x: number): string {
  return `${Number((x * 100).toPrecision(3))} %`;
}

/**
 * After a run: judge it by its planned checks when there are any (expectations, a baseline, or
 * `--junit`/`--summary` asked), write `--junit` (replaced) and `--summary` (appended), and return
 * the record; null when nothing was asked.
 */
export async function finishRunChecks(
  runDir: string,
  plan: ChecksPlan,
): Promise<RunChecks | null> {
  if (!plan.expectations.length && !plan.baseline && !plan.junit && !plan.summary) return null;
  const checks = await evaluateRun(runDir, plan);
  await writeCiFiles(checks, plan);
  return checks;
}

/** Write `--junit FILE` (replaced) and append to `--summary FILE`; errors name the flag. */
export async function writeCiFiles(
  checks: RunChecks,
  files: { junit: string | null; summary: string | null },
): Promise<void> {
  const write = async (flag: string, path: string, text: string, append: boolean) => {
    try {
      await Deno.writeTextFile(path, text, { append });
    } catch (err) {
      throw new ValidationError(`Cannot write ${flag} ${quote(path, 200)}: ${errorMessage(err)}`);
    }
  };
  if (files.junit) await write("--junit", files.junit, renderJunit(checks), false);
  if (files.summary) await write("--summary", files.summary, renderSummary(checks), true);
}
