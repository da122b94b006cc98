/**
 * Number formatting shared by the HTML, Markdown and terminal-like outputs. Deterministic (no
 * locale). One notation for a value with its interval everywhere, `0.17 [0.13, 0.33]`, with the
 * digits the interval's width supports; `–` only where the caller has no better reason to show.
 *
 * @module
 */

/** Placeholder for a missing value. */
export const NA = "–";

function finite(x: number | null | undefined): x is number {
  return typeof x === "number" && Number.isFinite(x);
}

function group(intPart: string): string {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** `digits` significant digits; integers ≥ 10^digits keep all digits, with thousands separators. */
export function fmtNum(x: number | null | undefined, digits = 4): string {
  if (!finite(x)) return NA;
  if (x === 0) return "0";
  const ax = Math.abs(x);
  if (ax >= 10 ** digits) return (x < 0 ? "-" : "") + group(Math.round(ax).toString());
  if (ax < 1e-4) return x.toExponential(digits - 1);
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(ax)));
  return x.toFixed(decimals);
}

/** Seconds with 4 significant digits. */
export function fmtSeconds(x: number | null | undefined): string {
  return fmtNum(x, 4);
}

/** A fraction as a percentage: 0.1234 → `12.3 %`. */
export function fmtPct(x: number | null | undefined, digits = 1): string {
  return finite(x) ? `${(x * 100).toFixed(digits)} %` : NA;
}

/** Bytes in binary units: `1.5 GiB`. */
export function fmtBytes(n: number | null | undefined): string {
  if (!finite(n) || n <= 0) return NA;
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) n /= 1024, i++;
  return `${n.toFixed(n >= 100 || i === 0 ? 0 : 1)} ${units[i]}`;
}

/** A count with an SI suffix: 500000000 → `500 M`. */
export function fmtCount(n: number | null | undefined): string {
  if (!finite(n)) return NA;
  const units: [number, string][] = [[1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"]];
  for (const [v, u] of units) if (Math.abs(n) >= v) return `${fmtNum(n / v, 3)} ${u}`;
  return Number.isInteger(n) ? String(n) : fmtNum(n, 4);
}

/** An ISO time as `2026-11-22 10:41:58 UTC`. */
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return NA;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

/** A duration in seconds as `1 h 02 min`, `3 min 05 s`, `2.03 s`. */
export function fmtDuration(s: number | null | undefined): string {
  if (!finite(s) || s < 0) return NA;
  if (s < 60) return `${fmtNum(s, 3)} s`;
  const m = Math.floor(s / 60), sec = Math.round(s % 60);
  if (m < 60) return `${m} min ${String(sec).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

/** An interval as the statistics give it: a `[lo, hi]` pair or `{lo, hi, level?, method?}`. */
export type IntervalLike =
  | readonly [number, number]
  | { lo: number; hi: number; level?: number; method?: string }
  | null
  | undefined;

/** The bounds of an interval, or null when it is missing or not finite. */
export function bounds(ci: IntervalLike): [number, number] | null {
  if (!ci) return null;
  const [lo, hi] = Array.isArray(ci) ? ci : [(ci as { lo: number }).lo, (ci as { hi: number }).hi];
  return finite(lo) && finite(hi) ? [Math.min(lo, hi), Math.max(lo, hi)] : null;
}

/** Decimal places that show two significant digits of `halfWidth` (negative: round to tens…). */
export function decimalsFor(halfWidth: number): number {
  return 1 - Math.floor(Math.log10(halfWidth));
}

/** `x` rounded to `decimals` places (negative: to 10^-decimals), large integers grouped. */
export function fmtFixed(x: number, decimals: number): string {
  if (decimals >= 0) {
    const s = x.toFixed(Math.min(decimals, 12));
    return Number(s) === 0 ? s.replace("-", "") : s;
  }
  const f = 10 ** -decimals;
  const r = Math.round(x / f) * f;
  return (r < 0 ? "-" : "") + group(Math.abs(r).toFixed(0));
}

/** `digits` significant digits (3 by default); large integers keep their digits. */
export function fmtSig(x: number | null | undefined, digits = 3): string {
  if (!finite(x)) return NA;
  if (x === 0) return "0";
  const ax = Math.abs(x);
  if (ax < 1e-4 || ax >= 1e9) return x.toExponential(digits - 1);
  return fmtFixed(x, Math.max(-12, digits - 1 - Math.floor(Math.log10(ax))));
}

/**
 * A value with its interval in one notation everywhere, `0.17 [0.13, 0.33]`: the digits follow
 * the interval's half-width (two significant digits of it), never more than the value's 6
 * significant digits. Without an interval: `digits` significant digits.
 */
export function fmtInterval(
  value: number | null | undefined,
  ci: IntervalLike,
  options: { digits?: number; unit?: string } = {},
): string {
  if (!finite(value)) return NA;
  const u = options.unit ? ` ${options.unit}` : "";
  const b = bounds(ci);
  if (!b) return fmtSig(value, options.digits ?? 3) + u;
  const h = (b[1] - b[0]) / 2;
  const most = 5 - Math.floor(Math.log10(Math.max(Math.abs(value), 1e-300)));
  const d = h > 0
    ? Math.min(decimalsFor(h), most)
    : Math.min(most, 3 - 1 - Math.floor(Math.log10(Math.abs(value) || 1)));
  return `${fmtFixed(value, d)} [${fmtFixed(b[0], d)}, ${fmtFixed(b[1], d)}]${u}`;
}

/** A confidence level as `95 %`. */
export function fmtLevel(level: number | null | undefined): string {
  return finite(level) ? `${Number((level * 100).toPrecision(3))} %` : "95 %";
}
