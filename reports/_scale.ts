/**
 * Scales and ticks of the report's charts: linear and logarithmic (base 2 or 10) maps from data to
 * pixels, "nice" tick values, and a compact tick label format.
 *
 * @module
 */

/** A scale's kind. */
export type ScaleType = "linear" | "log";

/** A map from a data interval to a pixel interval. */
export interface Scale {
  type: ScaleType;
  domain: [number, number];
  range: [number, number];
  map(v: number): number;
}

/** Make a scale; a log scale needs a positive domain. */
export function scale(type: ScaleType, domain: [number, number], range: [number, number]): Scale {
  const f = type === "log" ? Math.log : (v: number) => v;
  const d0 = f(domain[0]), d1 = f(domain[1]);
  const span = d1 - d0 || 1;
  return {
    type,
    domain,
    range,
    map: (v) => range[0] + ((f(v) - d0) / span) * (range[1] - range[0]),
  };
}

function tickStep(lo: number, hi: number, count: number): number {
  const raw = (hi - lo) / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const e = raw / p;
  return (e >= 7.5 ? 10 : e >= 3.5 ? 5 : e >= 1.5 ? 2 : 1) * p;
}

/** About `count` round values in [lo, hi] (multiples of 1, 2 or 5 × 10^k). */
export function linearTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step = tickStep(lo, hi, count);
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) {
    out.push(Number((k * step).toPrecision(12)));
  }
  return out;
}

/**
 * Ticks of a log axis: powers of `base` when at least two fall in [lo, hi]; else 1-2-5 steps
 * (base 10) when they give at least three; else linear round values, which read well on a
 * narrow log axis.
 */
export function logTicks(lo: number, hi: number, base: 2 | 10 = 10): number[] {
  if (!(lo > 0) || !(hi > lo)) return [lo];
  const l = Math.log(base);
  const pows: number[] = [];
  for (let k = Math.ceil(Math.log(lo) / l - 1e-9); base ** k <= hi * (1 + 1e-9); k++) {
    pows.push(Number((base ** k).toPrecision(12)));
  }
  if (pows.length >= 3 && pows.length <= 10) return pows;
  if (pows.length > 10) {
    const stride = Math.ceil(pows.length / 8);
    return pows.filter((_, i) => i % stride === 0);
  }
  const steps: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); 10 ** k <= hi; k++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** k).toPrecision(12));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) steps.push(v);
    }
  }
  if (steps.length >= 3) return steps;
  const lin = linearTicks(lo, hi, 4).filter((v) => v > 0);
  return lin.length >= 2 ? lin : pows.length ? pows : lin;
}

/** A tick label: at most 4 significant digits, no trailing zeros, SI suffix from 10⁴. */
export function tickLabel(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4) {
    for (const [u, s] of [[1e9, "G"], [1e6, "M"], [1e3, "k"]] as const) {
      if (a >= u) return `${Number((v / u).toPrecision(3))}${s}`;
    }
  }
  if (a < 1e-3) return v.toExponential(0).replace("e", "e");
  return String(Number(v.toPrecision(4)));
}

/** Pad a data interval: by a factor on a log scale, by a fraction of its span on a linear one. */
export function pad(type: ScaleType, lo: number, hi: number, frac = 0.06): [number, number] {
  if (type === "log") {
    if (!(hi > lo)) return [lo / 1.25, hi * 1.25];
    const f = (hi / lo) ** frac;
    return [lo / f, hi * f];
  }
  if (!(hi > lo)) return [lo - (Math.abs(lo) || 1) * 0.1, hi + (Math.abs(hi) || 1) * 0.1];
  const d = (hi - lo) * frac;
  return [lo - d, hi + d];
}
