/**
 * Markdown export for a README or a CI comment: per run a short header, its expectations and
 * regressions (when recorded), a timing table per operation and the fits; then the comparisons.
 * User text is escaped for Markdown and HTML.
 *
 * @module
 */
import { bounds, fmtBytes, fmtCount, fmtInterval, fmtPct, fmtSig, NA } from "./_format.ts";
import { pairSentence, runNames } from "./html_compare.ts";
import { karpFlattText } from "./tables.ts";
import type { Comparison } from "./compare.ts";
import type { OpAnalysis, RunAnalysis } from "./model.ts";
import { failureLine } from "../core/labels.ts";
import { checksSection } from "./expect_md.ts";

/** Escape text for a Markdown table cell or line (also neutralises inline HTML). */
export function mdEsc(value: unknown): string {
  const s = value === null || value === undefined ? "" : String(value);
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]|#~]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, " ");
}

function row(cells: string[]): string {
  return `| ${cells.join(" | ")} |`;
}

function table(head: string[], rows: string[][], align: ("l" | "r")[]): string[] {
  return [
    row(head),
    row(align.map((a) => (a === "r" ? "---:" : ":---"))),
    ...rows.map(row),
  ];
}

function opTable(o: OpAnalysis, mode: string): string[] {
  const head = [
    "cores",
    "nodes × ranks × threads",
    "reps",
    "median [95 % CI] (s)",
    "min – max (s)",
    "CV (%)",
    mode === "weak" ? "scaled speedup (×)" : "speedup (×)",
    "efficiency",
    "Karp–Flatt e",
    "peak memory",
    "problem size",
    `rate (${o.unit ? mdEsc(o.unit) : "–"})`,
    "flags",
  ];
  const base = o.points.find((p) => p.summary && p.summary.median > 0);
  const rows = o.points.map((p) => {
    const s = p.summary;
    const flags = [
      s?.noisy ? "noisy" : "",
      s?.outliers.some(Boolean) ? `${s.outliers.filter(Boolean).length} outlier(s)` : "",
      p.failed ? `${p.failed} failed` : "",
    ].filter(Boolean).join(", ");
    const n = (x: number | null) => (x === null ? "?" : String(x));
    const ci = s ? bounds(s.ci) : null;
    const isBase = p === base;
    return [
      String(p.cores),
      `${n(p.nodes)} × ${n(p.ranks)} × ${n(p.threads)}`,
      p.imported ? "imported" : String(s?.n ?? 0),
      s ? `**${fmtInterval(s.median, ci)}**${ci ? "" : ` _(n = ${s.n}: no CI)_`}` : "_no data_",
      s ? `${fmtSig(s.min, 3)} – ${fmtSig(s.max, 3)}` : NA,
      s ? fmtPct(s.cv) : NA,
      isBase ? "_baseline_" : fmtInterval(p.speedup, p.intervals?.speedup),
      isBase ? "_baseline_" : fmtInterval(p.efficiency, p.intervals?.efficiency),
      isBase ? "_baseline_" : fmtInterval(p.karpFlatt, p.intervals?.karpFlatt),
      p.peakRss === null ? "_not recorded_" : fmtBytes(p.peakRss),
      p.size === null ? "_not recorded_" : fmtCount(p.size),
      p.rate === null ? "_no metric_" : fmtSig(p.rate, 3),
      flags,
    ];
  });
  return table(head, rows, head.map((_, i) => (i === head.length - 1 ? "l" : "r")));
}

function fitsLines(ops: OpAnalysis[], mode: string): string[] {
  const rows = ops.filter((o) => o.fits.amdahl || o.fits.gustafson || o.fits.usl).map((o) => {
    const f = o.fits;
    const s = mode === "weak" ? f.gustafson?.s : f.amdahl?.s;
    const k = new Set(o.points.filter((p) => p.summary).map((p) => p.cores)).size;
    const uslWhy = `_needs ≥ 3 core counts (has ${k})_`;
    return [
      mdEsc(o.op),
      s ? fmtInterval(s.value, s.ci) : "_no fit_",
      karpFlattText(f) ?? "_baseline only_",
      f.usl ? fmtInterval(f.usl.sigma.value, f.usl.sigma.ci) : uslWhy,
      f.usl ? fmtInterval(f.usl.kappa.value, f.usl.kappa.ci) : uslWhy,
      f.usl
        ? (f.usl.peakCores ? `${fmtSig(f.usl.peakCores, 2)} cores` : `_${mdEsc(f.usl.peakNote)}_`)
        : uslWhy,
      f.method,
    ];
  });
  if (!rows.length) return [];
  return [
    "",
    "**Scaling-law fits** (value [95 % CI])",
    "",
    ...table(
      [
        "operation",
        mode === "weak" ? "Gustafson s′" : "Amdahl s",
        "Karp–Flatt e",
        "USL σ",
        "USL κ",
        "USL peak N*",
        "interval from",
      ],
      rows,
      ["l", "r", "r", "r", "r", "r", "l"],
    ),
  ];
}

/** Render the Markdown document. */
export function renderMarkdown(runs: RunAnalysis[], comparisons: Comparison[]): string {
  const out: string[] = ["# Scaling report", ""];
  for (const a of runs) {
    const s = a.src;
    out.push(`## ${mdEsc(s.workload)} — ${mdEsc(s.label)}`, "");
    out.push(
      `- ${s.mode} scaling, provider ${mdEsc(s.provider?.name ?? NA)}, status ${
        mdEsc(s.status ?? NA)
      }`,
    );
    const params = Object.entries(s.params);
    if (params.length) {
      out.push(`- parameters: ${params.map(([k, v]) => `${mdEsc(k)}=${mdEsc(v)}`).join(", ")}`);
    }
    out.push(
      `- ${a.counts.measured} measured, ${a.counts.warmup} warm-up, ${a.counts.failed} failed observations`,
    );
    for (const w of s.warnings) out.push(`- warning: ${mdEsc(w)}`);
    // expectations and the baseline comparison (checks.json; reports/expect_md.ts)
    if (s.checks) out.push("", ...checksSection(s.checks));
    if (a.counts.total === 0) out.push("", "_No observations recorded._");
    for (const o of a.ops) out.push("", `### ${mdEsc(o.op)}`, "", ...opTable(o, s.mode));
    out.push(...fitsLines(a.ops, s.mode));
    if (a.failures.length) {
      out.push("", "**Failed observations**", "");
      for (const f of a.failures.slice(0, 50)) {
        out.push(`- ${mdEsc(failureLine(f))}`);
      }
      if (a.failures.length > 50) out.push(`- … and ${a.failures.length - 50} more`);
    }
    out.push("");
  }
  for (const c of comparisons) {
    out.push(`## Comparison: ${mdEsc(c.workload)}`, "");
    const names = runNames(c.runs);
    for (const [j, p] of c.pairs.entries()) {
      const pn: [string, string] = [names[0], names[j + 1]];
      out.push(`B = ${mdEsc(pn[1])} vs A = ${mdEsc(pn[0])}: ${mdEsc(pairSentence(p, pn))}`, "");
      const rows = p.ops.flatMap((o) =>
        o.rows.map((r) => [
          mdEsc(o.op),
          String(r.cores),
          fmtInterval(r.a, r.aCi),
          fmtInterval(r.b, r.bCi),
          fmtInterval(r.ratio, r.ratioCi),
          r.faster === "tie" ? "no clear difference" : r.faster,
        ])
      );
      out.push(
        ...table(
          [
            "operation",
            "cores",
            "A: median [95 % CI] (s)",
            "B: median [95 % CI] (s)",
            "B/A [95 % CI] (×)",
            "faster",
          ],
          rows,
          ["l", "r", "r", "r", "r", "l"],
        ),
        "",
      );
    }
  }
  return out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";
}
