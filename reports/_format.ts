/**
 * Number formatting shared by the HTML, Markdown and terminal-like outputs. Deterministic (no
 * locale): `–` for missing values.
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

/** An estimate with its uncertainty: `0.2003 ± 0.0051`. */
export function fmtEstimate(
  value: number | null | undefined,
  se: number | null | undefined,
): string {
  if (!finite(value)) return NA;
  return finite(se) ? `${fmtNum(value, 4)} ± ${fmtNum(se, 2)}` : fmtNum(value, 4);
}
