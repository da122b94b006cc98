/**
 * JUnit XML of a run's checks (`--junit FILE`), the format CI servers read (Jenkins, GitLab,
 * GitHub test reporters): a `<testsuites>` with up to three suites — the workload's checks (one
 * testcase per operation and scale point), the expectations (one per expectation and operation)
 * and the regressions against the baseline (one per operation and scale point). Every message
 * carries the numbers: the value, its interval and level, the bound. A failed check, a failed
 * expectation (or an inconclusive one with `--strict`) and a regression are `<failure>`s; an
 * inconclusive expectation, a skipped one and an untested comparison are `<skipped>` with the reason.
 * tests/testdata/expect/junit.xsd is the schema the output is validated against.
 *
 * @module
 */
import { coresLabel } from "../core/labels.ts";
import type { RunChecks } from "./expect_run.ts";

/** Escape text for XML content and attributes; drop characters XML 1.0 cannot hold. */
export function xmlEscape(value: unknown): string {
  return String(value ?? "")
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
    .replace(
      /[&<>"']/g,
      (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!,
    );
}

interface Case {
  name: string;
  classname: string;
  time: number;
  outcome:
    | { kind: "pass"; out: string }
    | { kind: "failure"; type: string; message: string; detail: string }
    | { kind: "skipped"; message: string };
}

/** A number for a message: 6 significant digits. */
function num(x: number | null): string {
  return x === null ? "not measured" : String(Number(x.toPrecision(6)));
}

function seconds(x: number): string {
  return (Number.isFinite(x) ? Math.max(0, x) : 0).toFixed(3);
}

function caseXml(c: Case): string {
  const head = `    <testcase name="${xmlEscape(c.name)}" classname="${
    xmlEscape(c.classname)
  }" time="${seconds(c.time)}"`;
  const o = c.outcome;
  if (o.kind === "pass") {
    return `${head}>\n      <system-out>${xmlEscape(o.out)}</system-out>\n    </testcase>`;
  }
  if (o.kind === "skipped") {
    return `${head}>\n      <skipped message="${xmlEscape(o.message)}"/>\n    </testcase>`;
  }
  return `${head}>\n      <failure message="${xmlEscape(o.message)}" type="${xmlEscape(o.type)}">${
    xmlEscape(o.detail)
  }</failure>\n    </testcase>`;
}

function suiteXml(
  name: string,
  cases: Case[],
  meta: { timestamp: string; properties: [string, string][] },
): string {
  const failures = cases.filter((c) => c.outcome.kind === "failure").length;
  const skipped = cases.filter((c) => c.outcome.kind === "skipped").length;
  const time = cases.reduce((s, c) => s + c.time, 0);
  const props = meta.properties.map(([k, v]) =>
    `      <property name="${xmlEscape(k)}" value="${xmlEscape(v)}"/>`
  ).join("\n");
  return `  <testsuite name="${xmlEscape(name)}" tests="${cases.length}" failures="${failures}" ` +
    `errors="0" skipped="${skipped}" time="${seconds(time)}" timestamp="${
      xmlEscape(meta.timestamp)
    }">\n    <properties>\n${props}\n    </properties>\n${
      cases.map(caseXml).join("\n")
    }\n  </testsuite>`;
}

function checkCases(c: RunChecks): Case[] {
  const cls = `scalebench.${c.run.workload}.checks`;
  return c.checks.map((r) => ({
    name: `${r.op} at ${coresLabel(r.cores)}`,
    classname: cls,
    time: r.seconds,
    outcome: r.failed
      ? {
        kind: "failure",
        type: "check",
        message: `${r.failed} of ${r.observations} observations of ${r.op} at ${
          coresLabel(r.cores)
        } failed: ${r.errors.join("; ")}`,
        detail: r.errors.join("\n"),
      }
      : { kind: "pass", out: `${r.observations} observations, every check passed` },
  }));
}

function expectationCases(c: RunChecks): Case[] {
  const cls = `scalebench.${c.run.workload}.expectations`;
  return c.expectations.map((e) => {
    const name = `${e.text}${e.op === null && e.judgedOp ? ` [${e.judgedOp}]` : ""}`;
    const detail = [
      e.message,
      `source: ${e.source}`,
      ...e.points.map((p) =>
        `${coresLabel(p.cores)}: ${num(p.value)}${
          p.ci
            ? ` [${num(p.ci.lo)}, ${num(p.ci.hi)}] level ${num(p.ci.level)} (${p.ci.method})`
            : ""
        } → ${p.verdict}`
      ),
      ...(e.fit
        ? [
          `${e.fit.law}.${e.fit.param}: ${e.fit.value}${
            e.fit.ci ? ` [${e.fit.ci.lo}, ${e.fit.ci.hi}] level ${e.fit.ci.level}` : ""
          }; fit ${e.fit.status}`,
        ]
        : []),
    ].join("\n");
    const outcome: Case["outcome"] = e.failed
      ? { kind: "failure", type: `expectation ${e.verdict}`, message: e.message, detail }
      : e.verdict === "pass"
      ? { kind: "pass", out: detail }
      : { kind: "skipped", message: e.message };
    return { name, classname: cls, time: 0, outcome };
  });
}

function regressionCases(c: RunChecks): Case[] {
  const b = c.baseline!;
  const cls = `scalebench.${c.run.workload}.regressions`;
  return b.rows.map((r) => ({
    name: `${r.op} at ${coresLabel(r.cores)}`,
    classname: cls,
    time: 0,
    outcome: r.status === "fail"
      ? {
        kind: "failure",
        type: "regression",
        message: r.message,
        detail: `${r.message}\nbase: median ${num(r.base.median)} s of ${r.base.n}; run: median ${
          num(r.run.median)
        } s of ${r.run.n}`,
      }
      : r.status === "untested"
      ? { kind: "skipped", message: r.message }
      : { kind: "pass", out: r.message },
  }));
}

/** The JUnit XML document of a run's checks. */
export function renderJunit(c: RunChecks): string {
  const w = c.run.workload;
  const properties: [string, string][] = [
    ["run_id", c.run.id],
    ["run_dir", c.run.dir],
    ["workload", w],
    ["level", String(c.level)],
    ["strict", String(c.strict)],
  ];
  const meta = { timestamp: c.judged_at.replace(/\.\d+Z$/, ""), properties };
  const suites: [string, Case[]][] = [];
  if (c.checks.length) suites.push([`${w}: checks`, checkCases(c)]);
  if (c.expectations.length) suites.push([`${w}: expectations`, expectationCases(c)]);
  if (c.baseline) {
    const b = c.baseline;
    suites.push([`${w}: regressions against ${b.runId}`, regressionCases(c)]);
    meta.properties = [
      ...properties,
      ["baseline", b.dir],
      ["max_regression", String(b.maxRegression)],
      ...b.environment.map((d): [string, string] => [
        `environment.${d.field}`,
        `${d.base ?? "?"} -> ${d.run ?? "?"}`,
      ]),
    ];
  }
  const all = suites.flatMap(([, cs]) => cs);
  const failures = all.filter((x) => x.outcome.kind === "failure").length;
  const skipped = all.filter((x) => x.outcome.kind === "skipped").length;
  const time = all.reduce((s, x) => s + x.time, 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${
    xmlEscape(`scalebench ${w}`)
  }" tests="${all.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${
    seconds(time)
  }">\n${suites.map(([name, cs]) => suiteXml(name, cs, meta)).join("\n")}\n</testsuites>\n`;
}
