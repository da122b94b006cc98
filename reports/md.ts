/**
 * Markdown export for a README or a CI comment: per run a short header, a timing table per
 * operation and the fits; then the comparisons. User text is escaped for Markdown and HTML.
 *
 * @module
 */
import { fmtBytes, fmtCount, fmtEstimate, fmtNum, fmtPct, fmtSeconds, NA } from "./_format.ts";
import type { Comparison } from "./compare.ts";
import type { OpAnalysis, RunAnalysis } from "./model.ts";

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
    "nodes",
    "ranks",
    "threads",
    "reps",
    "median s",
    "mean s",
    "min s",
    "max s",
    "std s",
    "95 % CI",
    "CV",
    mode === "weak" ? "scaled speedup" : "speedup",
    "efficiency",
    "memory",
    "size",
    `rate${o.unit ? ` (${mdEsc(o.unit)})` : ""}`,
    "flags",
  ];
  const rows = o.points.map((p) => {
    const s = p.summary;
    const flags = [
      s?.noisy ? "noisy" : "",
      s?.outliers.some(Boolean) ? `${s.outliers.filter(Boolean).length} outlier(s)` : "",
      p.failed ? `${p.failed} failed` : "",
    ].filter(Boolean).join(", ");
    const n = (x: number | null) => (x === null ? NA : String(x));
    return [
      String(p.cores),
      n(p.nodes),
      n(p.ranks),
      n(p.threads),
      p.imported ? NA : String(s?.n ?? 0),
      s ? `**${fmtSeconds(s.median)}**` : NA,
      fmtSeconds(s?.mean),
      fmtSeconds(s?.min),
      fmtSeconds(s?.max),
      fmtSeconds(s?.std),
      s?.ci95 ? `${fmtSeconds(s.ci95[0])} – ${fmtSeconds(s.ci95[1])}` : NA,
      fmtPct(s?.cv),
      fmtNum(p.speedup, 3),
      fmtPct(p.efficiency, 0),
      fmtBytes(p.peakRss),
      fmtCount(p.size),
      fmtNum(p.rate, 4),
      flags,
    ];
  });
  return table(head, rows, head.map((_, i) => (i === head.length - 1 ? "l" : "r")));
}

function fitsLines(ops: OpAnalysis[], mode: string): string[] {
  const rows = ops.filter((o) => o.fits.amdahl || o.fits.gustafson || o.fits.usl).map((o) => {
    const f = o.fits;
    const s = mode === "weak" ? f.gustafson?.s : f.amdahl?.s;
    return [
      mdEsc(o.op),
      s ? fmtEstimate(s.value, s.se) : NA,
      f.usl ? fmtEstimate(f.usl.sigma.value, f.usl.sigma.se) : NA,
      f.usl ? fmtEstimate(f.usl.kappa.value, f.usl.kappa.se) : NA,
      f.usl?.peakCores ? fmtNum(f.usl.peakCores, 3) : NA,
      f.method,
    ];
  });
  if (!rows.length) return [];
  return [
    "",
    "**Scaling-law fits**",
    "",
    ...table(
      [
        "operation",
        mode === "weak" ? "Gustafson s′" : "Amdahl s",
        "USL σ",
        "USL κ",
        "USL N*",
        "uncertainty",
      ],
      rows,
      ["l", "r", "r", "r", "r", "l"],
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
    if (a.counts.total === 0) out.push("", "_No observations recorded._");
    for (const o of a.ops) out.push("", `### ${mdEsc(o.op)}`, "", ...opTable(o, s.mode));
    out.push(...fitsLines(a.ops, s.mode));
    if (a.failures.length) {
      out.push("", "**Failed observations**", "");
      for (const f of a.failures.slice(0, 50)) {
        out.push(`- ${mdEsc(f.op)} · ${f.cores} cores · rep ${f.rep}: ${mdEsc(f.error ?? "")}`);
      }
      if (a.failures.length > 50) out.push(`- … and ${a.failures.length - 50} more`);
    }
    out.push("");
  }
  for (const c of comparisons) {
    out.push(`## Comparison: ${mdEsc(c.workload)}`, "");
    for (const p of c.pairs) {
      out.push(
        `B = ${mdEsc(p.b.src.label)} vs A = ${mdEsc(p.a.src.label)}: B faster at ${p.wins.B}, ` +
          `A faster at ${p.wins.A}, indistinguishable at ${p.wins.tie} points.`,
        "",
      );
      const rows = p.ops.flatMap((o) =>
        o.rows.map((r) => [
          mdEsc(o.op),
          String(r.cores),
          fmtSeconds(r.a),
          fmtSeconds(r.b),
          fmtNum(r.ratio, 3),
          r.faster === "tie" ? "≈" : r.faster === "A" ? "A" : "B",
        ])
      );
      out.push(
        ...table(["operation", "cores", "A median s", "B median s", "B/A", "faster"], rows, [
          "l",
          "r",
          "r",
          "r",
          "r",
          "l",
        ]),
        "",
      );
    }
  }
  return out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";
}
