/**
 * HTML tables of a run: the timing table per operation (ngCASA style), the fits table and the
 * list of failed observations. Every value goes through the `markup` template (escaped).
 *
 * @module
 */
import { markup, type SafeHtml } from "./_escape.ts";
import { fmtBytes, fmtCount, fmtEstimate, fmtNum, fmtPct, fmtSeconds, NA } from "./_format.ts";
import type { Estimate, Fits } from "./fits.ts";
import type { OpAnalysis, PointStats } from "./model.ts";
import type { Observation } from "../core/types.ts";
import { badge } from "./_page.ts";

function num(text: string, cls = "num"): SafeHtml {
  return markup`<td class="${cls}">${text}</td>`;
}

function int(x: number | null): string {
  return x === null ? NA : String(x);
}

/** Flags of a point: noisy, outliers, failed, imported. */
export function pointFlags(p: PointStats): SafeHtml[] {
  const out: SafeHtml[] = [];
  if (p.summary?.noisy) out.push(badge(`noisy · CV ${fmtPct(p.summary.cv, 0)}`, "warn"));
  const outliers = p.summary?.outliers.filter(Boolean).length ?? 0;
  if (outliers) out.push(badge(`${outliers} outlier${outliers > 1 ? "s" : ""}`, "bad"));
  if (p.failed) out.push(badge(`${p.failed} failed`, "bad"));
  if (!p.summary) out.push(badge("no successful repetition", "bad"));
  return out;
}

/** The timing table of one operation. */
export function timingTable(op: OpAnalysis, mode: "strong" | "weak"): SafeHtml {
  const unit = op.unit ? ` (${op.unit})` : "";
  const rows = op.points.map((p) => {
    const s = p.summary;
    return markup`<tr class="${s?.noisy ? "flag-noisy" : ""}">
${num(String(p.cores))}${num(int(p.nodes))}${num(int(p.ranks))}${num(int(p.threads))}
${num(p.imported ? NA : String(s?.n ?? 0), "num sep")}${num(fmtSeconds(s?.min))}
<td class="num"><strong>${fmtSeconds(s?.median)}</strong></td>${num(fmtSeconds(s?.mean))}
${num(fmtSeconds(s?.max))}${num(fmtSeconds(s?.std))}
${num(s?.ci95 ? `${fmtSeconds(s.ci95[0])} – ${fmtSeconds(s.ci95[1])}` : NA)}
${num(fmtPct(s?.cv))}
${num(fmtNum(p.speedup, 3), "num sep")}${num(fmtPct(p.efficiency, 0))}${num(fmtNum(p.karpFlatt, 3))}
${num(fmtBytes(p.peakRss), "num sep")}${num(fmtCount(p.size))}${num(fmtNum(p.rate, 4))}
<td class="sep">${pointFlags(p)}</td>
</tr>`;
  });
  return markup`
    <div class="scroll">
      <table>
        <thead>
          <tr class="group">
            <th colspan="4">scale</th>
            <th colspan="8" class="sep">seconds</th>
            <th colspan="3" class="sep">scaling</th>
            <th colspan="3" class="sep">resources</th>
            <th class="sep"></th>
          </tr>
          <tr>
            <th class="num">cores</th>
            <th class="num">nodes</th>
            <th class="num">ranks</th>
            <th class="num">threads</th>
            <th class="num sep">reps</th>
            <th class="num">min</th>
            <th class="num">median</th>
            <th class="num">mean</th>
            <th class="num">max</th>
            <th class="num">std</th>
            <th class="num">95 % CI of median</th>
            <th class="num">CV</th>
            <th class="num sep">${mode === "weak" ? "scaled speedup" : "speedup"}</th>
            <th class="num">efficiency</th>
            <th class="num">Karp–Flatt</th>
            <th class="num sep">total memory</th>
            <th class="num">problem size</th>
            <th class="num">rate${unit}</th>
            <th class="sep">flags</th>
          </tr>
        </thead>
        <tbody>${rows}</tbody>
      </table>
    </div>
  `;
}

function estimate(e: Estimate | null | undefined): SafeHtml {
  if (!e) return num(NA);
  const ci = e.ci ? ` [${fmtNum(e.ci[0], 3)}, ${fmtNum(e.ci[1], 3)}]` : "";
  return markup`<td class="num">${fmtEstimate(e.value, e.se)}<br><small>${ci}</small></td>`;
}

function method(f: Fits): string {
  return f.method === "bootstrap"
    ? `bootstrap ×${f.resamples}`
    : f.method === "least-squares"
    ? "least squares"
    : "none";
}

/** The fits table: one row per operation. */
export function fitsTable(ops: OpAnalysis[], mode: "strong" | "weak"): SafeHtml {
  const rows = ops.map((o) => {
    const f = o.fits;
    const kf = f.karpFlatt.filter((k) => k.e !== null).map((k) => k.e as number);
    const kfText = kf.length ? `${fmtNum(Math.min(...kf), 3)} … ${fmtNum(Math.max(...kf), 3)}` : NA;
    const peak = f.usl
      ? f.usl.peakCores === null
        ? "no peak (κ ≤ 0)"
        : `${fmtNum(f.usl.peakCores, 3)} cores (speedup ${fmtNum(f.usl.peakCapacity, 3)})`
      : NA;
    return markup`<tr><td>${o.op}</td>
${mode === "weak" ? estimate(f.gustafson?.s) : estimate(f.amdahl?.s)}
${num(kfText)}${estimate(f.usl?.sigma)}${estimate(f.usl?.kappa)}${num(peak)}
<td>${method(f)}</td></tr>`;
  });
  return markup`
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>operation</th>
            <th class="num">${
    mode === "weak" ? "Gustafson scaled serial fraction s′" : "Amdahl serial fraction s"
  }</th>
            <th class="num">Karp–Flatt e (range)</th>
            <th class="num">USL σ (contention)</th>
            <th class="num">USL κ (coherency)</th>
            <th class="num">USL peak N* = √((1−σ)/κ)</th>
            <th>± from</th>
          </tr>
        </thead>
        <tbody>${rows}</tbody>
      </table>
    </div>
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
      markup`<tr><td>${f.op}</td>${num(String(f.cores))}${num(String(f.rep))}<td>${
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
