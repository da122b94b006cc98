/**
 * A small SVG chart renderer for the report's figures: linear or log axes with ticks at given or
 * round values, lines (solid or dashed), uncertainty bands, markers of several shapes (so series
 * differ in greyscale too), error bars, shaded spans and labelled rules, and a legend whose
 * symbols are the marks themselves. The data domain always covers every mark, so nothing is
 * clipped; rule labels that would overlap move to a new row. Every text is escaped.
 *
 * A chart is data first ({@linkcode Chart}): the report's tests check those values against the
 * model, and {@linkcode renderChart} only maps them to pixels.
 *
 * @module
 */
import { esc } from "./_escape.ts";
import {
  linearTicks,
  logTicks,
  pad,
  type Scale,
  scale,
  type ScaleType,
  tickLabel,
} from "./_scale.ts";

/** Marker shapes. */
export type Shape = "circle" | "square" | "triangle" | "diamond" | "down" | "times" | "plus";

/** One axis. */
export interface Axis {
  type: ScaleType;
  /** Log base of the automatic ticks (default 10) */
  base?: 2 | 10;
  label: string;
  /** Tick values (default: round values of the domain) */
  ticks?: number[];
  /** Labels of `ticks` (default: {@linkcode tickLabel}) */
  tickLabels?: string[];
  /** Data values the domain must include (besides the marks), e.g. 0 or 1 */
  include?: number[];
}

/** Stroke style. */
export interface Stroke {
  color: string;
  width?: number;
  /** SVG dash array, e.g. "6 4" */
  dash?: string;
}

/** A marker style. */
export interface MarkerStyle {
  shape: Shape;
  /** Radius in px */
  r: number;
  color: string;
  /** Filled (default) or hollow */
  filled?: boolean;
  opacity?: number;
}

/** A polyline through (x, y). */
export interface LineLayer {
  kind: "line";
  name: string;
  points: [number, number][];
  stroke: Stroke;
}

/** A band between lo(x) and hi(x). */
export interface BandLayer {
  kind: "band";
  name: string;
  points: [number, number, number][];
  color: string;
  opacity?: number;
}

/** One marker at (x, y); `title` is its tooltip. */
export interface Mark {
  x: number;
  y: number;
  title?: string;
}

/** Markers; with `jitter`, markers sharing an x spread sideways by a few pixels. */
export interface MarksLayer {
  kind: "marks";
  name: string;
  points: Mark[];
  marker: MarkerStyle;
  jitter?: boolean;
}

/** Vertical error bars with caps. */
export interface ErrorLayer {
  kind: "errorbars";
  name: string;
  points: { x: number; lo: number; hi: number }[];
  stroke: Stroke;
}

/** Shaded x spans across the plot's height. */
export interface SpanLayer {
  kind: "spans";
  name: string;
  spans: { x1: number; x2: number }[];
  color: string;
  opacity?: number;
}

/** Vertical rules with labels at the top (in rows, never overlapping). */
export interface RuleLayer {
  kind: "rules";
  name: string;
  rules: { x: number; label: string }[];
}

/** A layer of a chart. */
export type Layer = LineLayer | BandLayer | MarksLayer | ErrorLayer | SpanLayer | RuleLayer;

/** A legend entry: its symbol is drawn like the mark (line, dash, band, marker or a mix). */
export interface LegendItem {
  label: string;
  line?: Stroke;
  marker?: MarkerStyle;
  band?: { color: string; opacity?: number };
}

/** A chart: axes, layers in drawing order, legend. */
export interface Chart {
  width?: number;
  height?: number;
  x: Axis;
  y: Axis;
  layers: Layer[];
  legend: LegendItem[];
}

/** Options of {@linkcode renderChart}. */
export interface RenderOptions {
  /** A standalone SVG file: XML namespace, white background, the caption as a title */
  standalone?: boolean;
  caption?: string;
  /** Accessible description */
  alt?: string;
}

const FONT = "DejaVu Sans, Verdana, Arial, sans-serif";
const FS = 12;
/** Estimated text width (DejaVu Sans is wide: ~0.6 em per character on average). */
export function textWidth(s: string, size = FS): number {
  return [...s].length * size * 0.6;
}

function n(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/** SVG path of a marker centred at (x, y). */
export function markerPath(shape: Shape, x: number, y: number, r: number): string {
  const p = (pts: [number, number][]) =>
    `M${pts.map(([a, b]) => `${n(x + a)},${n(y + b)}`).join("L")}Z`;
  switch (shape) {
    case "circle":
      return `M${n(x - r)},${n(y)}a${n(r)},${n(r)} 0 1,0 ${n(2 * r)},0a${n(r)},${n(r)} 0 1,0 ${
        n(-2 * r)
      },0Z`;
    case "square":
      return p([[-r * 0.88, -r * 0.88], [r * 0.88, -r * 0.88], [r * 0.88, r * 0.88], [
        -r * 0.88,
        r * 0.88,
      ]]);
    case "triangle":
      return p([[0, -r * 1.15], [r, r * 0.75], [-r, r * 0.75]]);
    case "down":
      return p([[0, r * 1.15], [r, -r * 0.75], [-r, -r * 0.75]]);
    case "diamond":
      return p([[0, -r * 1.2], [r, 0], [0, r * 1.2], [-r, 0]]);
    case "times":
      return `M${n(x - r)},${n(y - r)}L${n(x + r)},${n(y + r)}M${n(x - r)},${n(y + r)}L${
        n(x + r)
      },${n(y - r)}`;
    case "plus":
      return `M${n(x - r)},${n(y)}L${n(x + r)},${n(y)}M${n(x)},${n(y - r)}L${n(x)},${n(y + r)}`;
  }
}

function markerSvg(m: MarkerStyle, x: number, y: number, extra = ""): string {
  const open = m.shape === "times" || m.shape === "plus" || m.filled === false;
  const op = m.opacity !== undefined && m.opacity < 1 ? ` opacity="${m.opacity}"` : "";
  const paint = open
    ? `fill="none" stroke="${m.color}" stroke-width="${m.shape === "times" ? 1.8 : 1.3}"`
    : `fill="${m.color}" stroke="#fff" stroke-width="0.8"`;
  return `<path d="${markerPath(m.shape, x, y, m.r)}" ${paint}${op}${extra}/>`;
}

function strokeAttrs(s: Stroke): string {
  return `stroke="${s.color}" stroke-width="${s.width ?? 1.5}"${
    s.dash ? ` stroke-dasharray="${s.dash}"` : ""
  } fill="none"`;
}

function extent(c: Chart, axis: "x" | "y"): [number, number] {
  let lo = Infinity, hi = -Infinity;
  const add = (v: number) => {
    if (!Number.isFinite(v)) return;
    if (c[axis].type === "log" && !(v > 0)) return;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  };
  for (const l of c.layers) {
    if (l.kind === "line") { for (const p of l.points) add(axis === "x" ? p[0] : p[1]); }
    else if (l.kind === "band") {
      for (const p of l.points) axis === "x" ? add(p[0]) : (add(p[1]), add(p[2]));
    } else if (l.kind === "marks") { for (const p of l.points) add(p[axis]); }
    else if (l.kind === "errorbars") {
      for (const p of l.points) axis === "x" ? add(p.x) : (add(p.lo), add(p.hi));
    } else if (l.kind === "spans" && axis === "x") {
      for (const s of l.spans) add(s.x1), add(s.x2);
    } else if (l.kind === "rules" && axis === "x") { for (const r of l.rules) add(r.x); }
  }
  for (const v of c[axis].include ?? []) add(v);
  if (lo === Infinity) return c[axis].type === "log" ? [1, 10] : [0, 1];
  return [lo, hi];
}

interface LegendBox {
  svg: string;
  height: number;
}

function legendSvg(items: LegendItem[], width: number, left: number): LegendBox {
  const parts: string[] = [];
  let x = left, y = 0;
  const rowH = 18;
  for (const it of items) {
    const w = 30 + textWidth(it.label) + 14;
    if (x + w > width && x > left) x = left, y += rowH;
    const cy = y + rowH / 2;
    if (it.band) {
      parts.push(
        `<rect x="${n(x)}" y="${
          n(cy - 5)
        }" width="24" height="10" fill="${it.band.color}" fill-opacity="${
          it.band.opacity ?? 0.2
        }"/>`,
      );
    }
    if (it.line) {
      parts.push(`<path d="M${n(x)},${n(cy)}h24" ${strokeAttrs(it.line)}/>`);
    }
    if (it.marker) parts.push(markerSvg(it.marker, x + 12, cy));
    parts.push(
      `<text x="${n(x + 30)}" y="${n(cy)}" dy="0.35em">${esc(it.label)}</text>`,
    );
    x += w;
  }
  return {
    svg: items.length ? `<g class="legend">${parts.join("")}</g>` : "",
    height: items.length ? y + rowH + 6 : 0,
  };
}

/** Pixel offsets that spread `count` markers sharing an x by at most `maxPx` either side. */
export function jitterOffsets(count: number, maxPx: number): number[] {
  if (count < 2) return [0];
  return Array.from({ length: count }, (_, i) => ((i / (count - 1)) * 2 - 1) * maxPx);
}

function ticksOf(a: Axis, dom: [number, number]): { v: number; label: string }[] {
  const vals = a.ticks ?? (a.type === "log" ? logTicks(dom[0], dom[1], a.base ?? 10) : linearTicks(
    dom[0],
    dom[1],
    5,
  ));
  return vals.map((v, i) => ({ v, label: a.tickLabels?.[i] ?? tickLabel(v) }))
    .filter((t) => t.v >= dom[0] * (1 - 1e-9) && t.v <= dom[1] * (1 + 1e-9) || a.ticks);
}

/** The plot area and scales a chart gets, for tests and for callers that place extra marks. */
export interface Frame {
  x: Scale;
  y: Scale;
  width: number;
  height: number;
  top: number;
}

/** Compute the scales of `c` (the domain padded around every mark). */
export function frame(c: Chart, legendHeight = 0, offsetTop = 0): Frame {
  const width = c.width ?? 640, height = c.height ?? 360;
  const xd = pad(c.x.type, ...extent(c, "x"), c.x.type === "log" ? 0.05 : 0.03);
  const yd0 = extent(c, "y");
  const yd = pad(c.y.type, ...yd0, 0.06);
  if (c.y.type === "linear" && yd0[0] >= 0 && yd[0] < 0 && (c.y.include ?? []).includes(0)) {
    yd[0] = 0;
  }
  const yTicks = ticksOf(c.y, yd);
  const labelW = Math.max(...yTicks.map((t) => textWidth(t.label, 11)), 10);
  const left = Math.ceil(labelW + 36), right = 14;
  const top = offsetTop + legendHeight + 10, bottom = 46;
  return {
    x: scale(c.x.type, xd, [left, width - right]),
    y: scale(c.y.type, yd, [height - bottom, top]),
    width,
    height,
    top,
  };
}

/** Render a chart to SVG markup. */
export function renderChart(c: Chart, options: RenderOptions = {}): string {
  const width = c.width ?? 640;
  const titleH = options.standalone && options.caption ? 26 : 0;
  const left0 = 8;
  const legend = legendSvg(c.legend, width - 8, left0);
  const f = frame(c, legend.height, titleH);
  const height = f.height;
  const [x0, x1] = f.x.range, [y0, y1] = f.y.range;
  const out: string[] = [];
  const xd = f.x.domain, yd = f.y.domain;
  // grid and axes
  const xt = ticksOf(c.x, xd), yt = ticksOf(c.y, yd);
  const grid: string[] = [], labels: string[] = [];
  for (const t of yt) {
    const y = f.y.map(t.v);
    grid.push(`M${n(x0)},${n(y)}H${n(x1)}`);
    labels.push(
      `<text x="${n(x0 - 6)}" y="${n(y)}" dy="0.32em" text-anchor="end" font-size="11">${
        esc(t.label)
      }</text>`,
    );
  }
  let lastRight = -Infinity;
  for (const t of xt) {
    const x = f.x.map(t.v);
    grid.push(`M${n(x)},${n(y1)}V${n(y0)}`);
    const w = textWidth(t.label, 11);
    if (x - w / 2 < lastRight + 4) continue; // never overlap tick labels
    lastRight = x + w / 2;
    labels.push(
      `<text x="${n(x)}" y="${n(y0 + 16)}" text-anchor="middle" font-size="11">${
        esc(t.label)
      }</text>`,
    );
  }
  out.push(
    `<path class="grid" d="${
      grid.join("")
    }" stroke="currentColor" stroke-opacity="0.12" fill="none"/>`,
  );
  // layers
  for (const l of c.layers) out.push(layerSvg(l, f));
  // frame and axis labels on top
  out.push(
    `<path d="M${n(x0)},${n(y1)}V${n(y0)}H${
      n(x1)
    }" stroke="currentColor" stroke-opacity="0.6" fill="none"/>`,
    `<g class="ticks">${labels.join("")}</g>`,
    `<text x="${n((x0 + x1) / 2)}" y="${n(y0 + 36)}" text-anchor="middle">${esc(c.x.label)}</text>`,
    `<text transform="translate(${n(14)},${n((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle">${
      esc(c.y.label)
    }</text>`,
  );
  const legendG = legend.svg ? `<g transform="translate(0,${titleH + 4})">${legend.svg}</g>` : "";
  const title = titleH
    ? `<text x="8" y="18" font-weight="bold" font-size="13">${esc(options.caption)}</text>`
    : "";
  const ns = options.standalone ? ` xmlns="http://www.w3.org/2000/svg"` : "";
  const bg = options.standalone ? `<rect width="100%" height="100%" fill="#fff"/>` : "";
  const color = options.standalone ? ` color="#1f2328"` : "";
  const label = options.alt ?? options.caption ?? "";
  return `<svg${ns} class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img"${
    label ? ` aria-label="${esc(label)}"` : ""
  } font-family="${FONT}" font-size="${FS}" fill="currentColor"${color}>${bg}${title}${legendG}${
    out.join("")
  }</svg>`;
}

function layerSvg(l: Layer, f: Frame): string {
  const X = f.x.map, Y = f.y.map;
  const cls = ` data-layer="${esc(l.name)}"`;
  switch (l.kind) {
    case "line": {
      const pts = l.points.filter(([x, y]) => Number.isFinite(X(x)) && Number.isFinite(Y(y)));
      if (pts.length < 2) return "";
      const d = pts.map(([x, y], i) => `${i ? "L" : "M"}${n(X(x))},${n(Y(y))}`).join("");
      return `<path${cls} d="${d}" ${strokeAttrs(l.stroke)} stroke-linejoin="round"/>`;
    }
    case "band": {
      const pts = l.points.filter(([x, lo, hi]) => [X(x), Y(lo), Y(hi)].every(Number.isFinite));
      if (pts.length < 2) return "";
      const up = pts.map(([x, , hi], i) => `${i ? "L" : "M"}${n(X(x))},${n(Y(hi))}`).join("");
      const down = [...pts].reverse().map(([x, lo]) => `L${n(X(x))},${n(Y(lo))}`).join("");
      return `<path${cls} d="${up}${down}Z" fill="${l.color}" fill-opacity="${
        l.opacity ?? 0.18
      }" stroke="none"/>`;
    }
    case "marks": {
      const byX = new Map<number, Mark[]>();
      for (const p of l.points) byX.set(p.x, [...(byX.get(p.x) ?? []), p]);
      const xs = [...byX.keys()].map(X).sort((a, b) => a - b);
      let gap = Infinity;
      for (let i = 1; i < xs.length; i++) gap = Math.min(gap, xs[i] - xs[i - 1]);
      // spread markers sharing an x by less than a fifth of the gap to the next x (≤ 5 px)
      const maxPx = l.jitter ? Math.min(5, gap / 5) : 0;
      const parts: string[] = [];
      for (const [x, list] of byX) {
        const off = jitterOffsets(list.length, maxPx);
        list.forEach((p, i) => {
          if (!Number.isFinite(Y(p.y))) return;
          parts.push(
            markerSvg(
              l.marker,
              X(x) + off[i],
              Y(p.y),
              ` data-x="${p.x}" data-y="${p.y}"`,
            ).replace(
              "/>",
              p.title ? `><title>${esc(p.title)}</title></path>` : "/>",
            ),
          );
        });
      }
      return `<g${cls}>${parts.join("")}</g>`;
    }
    case "errorbars": {
      const d = l.points.filter((p) => Number.isFinite(Y(p.lo)) && Number.isFinite(Y(p.hi)))
        .map((p) => {
          const x = X(p.x), a = Y(p.lo), b = Y(p.hi);
          return `M${n(x)},${n(a)}V${n(b)}M${n(x - 4)},${n(a)}h8M${n(x - 4)},${n(b)}h8`;
        }).join("");
      return d ? `<path${cls} d="${d}" ${strokeAttrs(l.stroke)}/>` : "";
    }
    case "spans": {
      const [top, bottom] = [f.y.range[1], f.y.range[0]];
      return `<g${cls} fill="${l.color}" fill-opacity="${l.opacity ?? 0.14}">${
        l.spans.map((s) =>
          `<rect x="${n(X(s.x1))}" y="${n(top)}" width="${
            n(Math.max(0.5, X(s.x2) - X(s.x1)))
          }" height="${n(bottom - top)}"/>`
        ).join("")
      }</g>`;
    }
    case "rules": {
      const [top, bottom] = [f.y.range[1], f.y.range[0]];
      const rows: number[] = [];
      const parts: string[] = [];
      for (const r of [...l.rules].sort((a, b) => a.x - b.x)) {
        const x = X(r.x), w = textWidth(r.label, 11);
        let row = rows.findIndex((end) => end + 4 < x);
        if (row < 0) row = rows.length, rows.push(0);
        rows[row] = x + 3 + w;
        parts.push(
          `<path d="M${n(x)},${n(top)}V${n(bottom)}" stroke="currentColor" stroke-opacity="0.45"/>`,
          `<text x="${n(x + 3)}" y="${n(top + 12 + row * 13)}" font-size="11">${
            esc(r.label)
          }</text>`,
        );
      }
      return `<g${cls}>${parts.join("")}</g>`;
    }
  }
}

/** A legend symbol alone, as a small inline SVG (for tables that name a series). */
export function symbolSvg(item: Omit<LegendItem, "label">): string {
  const parts: string[] = [];
  if (item.band) {
    parts.push(
      `<rect x="2" y="2" width="24" height="10" fill="${item.band.color}" fill-opacity="${
        item.band.opacity ?? 0.2
      }"/>`,
    );
  }
  if (item.line) parts.push(`<path d="M2,7h24" ${strokeAttrs(item.line)}/>`);
  if (item.marker) parts.push(markerSvg(item.marker, 14, 7));
  return `<svg class="sym" width="28" height="14" viewBox="0 0 28 14" aria-hidden="true">${
    parts.join("")
  }</svg>`;
}
