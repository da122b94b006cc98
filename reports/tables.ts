/**
 * HTML tables of a run: the timing table per operation (ngCASA style), the fits table and the
 * list of failed observations. Every value goes through the `markup` template (escaped).
 *
 * @module
 */
import { markup, type SafeHtml } from "./_escape.ts";
import { bounds, fmtBytes, fmtCount, fmtInterval, fmtLevel, fmtPct, fmtSig } from "./_format.ts";
import type { Estimate, Fits } from "./fits.ts";
import type { OpAnalysis, PointStats } from "./model.ts";
import type { Observation } from "../core/types.ts";
import { coresLabel } from "../core/labels.ts";
import { badge } from "./_page.ts";

function num(text: string | SafeHtml, cls = "num"): SafeHtml {
  return markup`<td class="${cls}">${text}</td>`;
}

/** A muted reason in place of a missing value (e.g. "n = 1: no CI"). */
export function reason(text: string): SafeHtml {
  return markup`<span class="na">${text}</span>`;
}

/** Flags of a point: noisy, outliers, failed, imported. */
export function pointFlags(p: PointStats): SafeHtml[] {
  const out: SafeHtml[] = [];
  if (p.summary?.noisy) out.push(badge("noisy", "warn"));
  const outliers = p.summary?.outliers.filter(Boolean).length ?? 0;
  if (outliers) out.push(badge(`${outliers} outlier${outliers > 1 ? "s" : ""}`, "bad"));
  if (p.failed) out.push(badge(`${p.failed} failed`, "bad"));
  if (!p.summary) out.push(badge("no successful repetition", "bad"));
  if (p.imported) out.push(badge("imported summary"));
  return out;
}

/** Why a point has no confidence interval. */
export function noCiReason(p: PointStats): string {
  if (!p.summary) return "no data";
  if (p.imported) return "imported: no CI";
  return p.summary.n < 2 ? `n = ${p.summary.n}: no CI` : "no CI";
}

function layout(p: PointStats): string {
  const v = (x: number | null) => (x === null ? "?" : String(x));
  if (p.nodes === null && p.ranks === null && p.threads === null) return "";
  return `${v(p.nodes)} × ${v(p.ranks)} × ${v(p.threads)}`;
}

/** The timing table of one operation: one row per scale point, units in every header. */
export function timingTable(op: OpAnalysis, mode: "strong" | "weak"): SafeHtml {
  const base = op.points.find((p) => p.summary && p.summary.median > 0);
  const rows = op.points.map((p) => {
    const s = p.summary;
    const isBase = p === base;
    const ci = s?.ci ? bounds(s.ci) : null;
    const median = s
      ? markup`<strong>${fmtInterval(s.median, ci)}</strong>${
        ci ? "" : markup` ${reason(noCiReason(p))}`
      }`
      : reason("no data");
    const iv = p.intervals;
    const none = reason(s ? "–" : "no data");
    // speedup, efficiency and Karp–Flatt against the baseline point, with their intervals
    const scaling = (v: number | null, ci: Parameters<typeof fmtInterval>[1] | undefined) =>
      isBase ? reason("baseline") : v === null ? none : fmtInterval(v, ci);
    const lay = layout(p);
    return markup`<tr class="${s?.noisy ? "flag-noisy" : ""}">
${num(markup`${p.cores}${lay ? markup`<br><span class="na">${lay}</span>` : ""}`)}
${num(p.imported ? reason("imported") : String(s?.n ?? 0), "num sep")}${num(median)}
${num(s ? fmtPct(s.cv, 1) : none)}
${num(scaling(p.speedup, iv?.speedup), "num sep")}
${num(scaling(p.efficiency, iv?.efficiency))}
${num(scaling(p.karpFlatt, iv?.karpFlatt))}
${num(p.peakRss === null ? reason("not recorded") : fmtBytes(p.peakRss), "num sep")}
${num(p.size === null ? reason("not recorded") : fmtCount(p.size))}
${num(p.rate === null ? reason("no metric") : fmtSig(p.rate, 3))}
<td class="sep flags">${pointFlags(p)}</td>
</tr>`;
  });
  return markup`
    <div class="scroll">
      <table class="timing">
        <thead>
          <tr class="group">
            <th>scale</th>
            <th colspan="3" class="sep">time</th>
            <th colspan="3" class="sep">scaling vs ${
    base ? coresLabel(base.cores) : "baseline"
  }</th>
            <th colspan="3" class="sep">resources</th>
            <th class="sep"></th>
          </tr>
          <tr>
            <th class="num">cores<br><span class="na">nodes×ranks×threads</span></th>
            <th class="num sep">reps</th>
            <th class="num">median [95 % CI] (s)</th>
            <th class="num">CV (%)</th>
            <th class="num sep">${mode === "weak" ? "scaled speedup (×)" : "speedup (×)"}</th>
            <th class="num">efficiency</th>
            <th class="num">Karp–Flatt e</th>
            <th class="num sep">peak memory</th>
            <th class="num">problem size</th>
            <th class="num">rate (${op.unit ?? "–"})</th>
            <th class="sep">flags</th>
          </tr>
        </thead>
        <tbody>${rows}</tbody>
      </table>
    </div>${levelCaption(op)}
  `;
}

/** A caption when some intervals reach less than 95 % (fewer than 6 repetitions). */
function levelCaption(op: OpAnalysis): SafeHtml | string {
  const low = op.points.filter((p) => p.summary?.ci && p.summary.ci.level < 0.95 - 1e-9);
  if (!low.length) return "";
  const levels = [...new Set(low.map((p) => fmtLevel(p.summary!.ci!.level)))];
  return markup`<p class="sub">With ${
    [...new Set(low.map((p) => p.summary!.n))].join(" or ")
  } repetitions the interval of the median reaches ${levels.join(", ")} (at ${
    low.map((p) => p.cores).join(", ")
  } cores), not 95 %: its bounds are the extreme repetitions. Six or more repetitions give 95 %.</p>`;
}

function estimate(e: Estimate | null | undefined, why: string): SafeHtml {
  if (!e) return num(reason(why));
  return num(fmtInterval(e.value, e.ci));
}

function method(f: Fits): string {
  const m = (f as { method: string }).method;
  const level = (f as { level?: number }).level;
  return m === "none"
    ? "no interval (no degree of freedom left)"
    : `${m.replace(/-/g, " ")}${typeof level === "number" ? `, ${fmtLevel(level)}` : ""}`;
}

/** Plain sentences on the fits: each law's verdict and the comparison of the laws. */
export function verdictLines(f: Fits): string[] {
  const out: string[] = [];
  const laws: [string, { verdict?: { reason?: string } } | null][] = [
    ["Amdahl", f.amdahl],
    ["Gustafson", f.gustafson],
    ["USL", f.usl],
  ];
  for (const [name, fit] of laws) {
    const r = fit?.verdict?.reason;
    if (r) out.push(`${name}: ${r}`);
  }
  const usl = f.usl as { peakNote?: string } | null;
  if (usl?.peakNote) out.push(`USL peak: ${usl.peakNote}`);
  const cmp = (f as { comparison?: string | null }).comparison;
  if (cmp) out.push(cmp);
  return out;
}

/** Karp–Flatt text: one value with its core count, or the range over the points. */
export function karpFlattText(f: Fits): string | null {
  const kf = f.karpFlatt.filter((k) => k.e !== null) as { cores: number; e: number }[];
  if (!kf.length) return null;
  if (kf.length === 1) return `${fmtSig(kf[0].e, 2)} at ${kf[0].cores} cores`;
  const es = kf.map((k) => k.e);
  return `${fmtSig(Math.min(...es), 2)} to ${fmtSig(Math.max(...es), 2)} (${kf[0].cores}–${
    kf[kf.length - 1].cores
  } cores)`;
}

/** The fits table: one row per operation, intervals in one notation, reasons for gaps. */
export function fitsTable(ops: OpAnalysis[], mode: "strong" | "weak"): SafeHtml {
  const notes = ops.map((o) => ({ op: o.op, lines: verdictLines(o.fits) })).filter((x) =>
    x.lines.length
  );
  const rows = ops.map((o) => {
    const f = o.fits;
    const k = new Set(o.points.filter((p) => p.summary).map((p) => p.cores)).size;
    const uslWhy = k < 3 ? `needs ≥ 3 core counts (has ${k})` : "no fit";
    const lawWhy = k < 2 ? "needs ≥ 2 core counts" : "no fit";
    const extrapolated = (f.usl as { peakExtrapolated?: boolean } | null)?.peakExtrapolated;
    const peak = f.usl
      ? f.usl.peakCores === null
        ? reason("no peak (κ = 0 or σ ≥ 1)")
        : markup`${fmtSig(f.usl.peakCores, 2)} cores, speedup ${fmtSig(f.usl.peakCapacity, 2)}${
          extrapolated ? markup` ${reason("extrapolated")}` : ""
        }`
      : reason(uslWhy);
    const kf = karpFlattText(f);
    return markup`<tr><td>${o.op}</td>
${mode === "weak" ? estimate(f.gustafson?.s, lawWhy) : estimate(f.amdahl?.s, lawWhy)}
${num(kf ?? reason(k < 2 ? "needs ≥ 2 core counts" : "baseline only"))}
${estimate(f.usl?.sigma, uslWhy)}${estimate(f.usl?.kappa, uslWhy)}${num(peak)}
<td>${method(f)}</td></tr>`;
  });
  return markup`
    <div class="scroll">
      <table class="fits">
        <thead>
          <tr>
            <th>operation</th>
            <th class="num">${
    mode === "weak"
      ? "Gustafson scaled serial fraction s′, relative to n₀ [95 % CI]"
      : "Amdahl serial fraction s, of the 1-core time [95 % CI]"
  }</th>
            <th class="num">Karp–Flatt e</th>
            <th class="num">USL σ, contention [95 % CI]</th>
            <th class="num">USL κ, coherency [95 % CI]</th>
            <th class="num">USL peak N* = √((1−σ)/κ)</th>
            <th>interval from</th>
          </tr>
        </thead>
        <tbody>${rows}</tbody>
      </table>
    </div>
    ${
    notes.length
      ? markup`<dl class="verdicts">${
        notes.map((n) => markup`<dt>${n.op}</dt>${n.lines.map((l) => markup`<dd>${l}</dd>`)}`)
      }</dl>`
      : ""
  }
  `;
}

/** Failed observations with their error messages. */
export function failuresTable(failures: Observation[], limit = 200): SafeHtml {
  const shown = failures.slice(0, limit);
  return markup`
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>operation</th>
            <th class="num">cores</th>
            <th class="num">rep</th>
            <th>warm-up</th>
            <th>error</th>
          </tr>
        </thead>
        <tbody>${
    shown.map((f) =>
      markup`<tr><td>${f.op}</td>${num(String(f.cores))}${num(String(f.rep + 1))}<td>${
        f.warmup ? "yes" : "no"
      }</td><td class="err">${f.error ?? "(no message)"}</td></tr>`
    )
  }</tbody>
      </table>
    </div>${
    failures.length > limit
      ? markup`<p class="sub">… and ${failures.length - limit} more failed observations</p>`
      : ""
  }
  `;
}

/** A definition list of label → value (values escaped unless already markup). */
export function metaList(items: [string, string | SafeHtml | null | undefined][]): SafeHtml {
  return markup`<dl class="meta">${
    items.filter(([, v]) => v !== null && v !== undefined && v !== "").map(([k, v]) =>
      markup`
        <dt>${k}</dt>
        <dd>${v}</dd>
      `
    )
  }</dl>`;
}
