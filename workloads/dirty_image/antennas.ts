/**
 * A plausible interferometer: ALMA-like antenna pads (a dense core plus three spiral arms, at
 * least 15 m apart, scaled to a chosen longest baseline) on the Chajnantor plateau, the baselines
 * in measurement-set order, and their UVW coordinates as the earth turns.
 *
 * @module
 */
import { rng } from "../../core/random.ts";

/** ALMA's latitude, radians. */
export const ALMA_LATITUDE = (-23.0229 * Math.PI) / 180;

const MIN_SPACING = 15; // metres (12 m dishes)

/**
 * East-north-up positions in metres (`[e0, n0, u0, e1, …]`) of `count` antennas whose longest
 * baseline is `maxBaseline` metres. Deterministic for a seed.
 */
export function antennaLayout(
  count: number,
  opts: { maxBaseline: number; seed: number },
): Float64Array {
  const random = rng(opts.seed, 0xa1a);
  const pos = new Float64Array(count * 3);
  const core = Math.max(1, Math.round(count * 0.4));
  // a notional radius; the layout is rescaled to maxBaseline at the end
  const R = 1000;
  const placed: [number, number][] = [];
  const minSpacing = (MIN_SPACING / opts.maxBaseline) * 2 * R;
  for (let i = 0; i < count; i++) {
    let e = 0, n = 0;
    for (let attempt = 0; attempt < 200; attempt++) {
      if (i < core) {
        const r = 0.12 * R * Math.sqrt(random()), a = 2 * Math.PI * random();
        e = r * Math.cos(a);
        n = r * Math.sin(a);
      } else {
        const j = i - core, arms = 3, outer = count - core;
        const f = (Math.floor(j / arms) + 1) / Math.ceil(outer / arms);
        const r = R * (0.12 + 0.88 * f ** 1.3) * (1 + 0.05 * (random() - 0.5));
        const a = (2 * Math.PI * (j % arms)) / arms + 1.2 * f + 0.15 * (random() - 0.5);
        e = r * Math.cos(a);
        n = r * Math.sin(a);
      }
      if (placed.every(([pe, pn]) => Math.hypot(pe - e, pn - n) >= minSpacing)) break;
    }
    placed.push([e, n]);
    pos[3 * i] = e;
    pos[3 * i + 1] = n;
    pos[3 * i + 2] = 2 * (random() - 0.5); // the plateau is nearly flat
  }
  let longest = 0;
  for (let a = 0; a < count; a++) {
    for (let b = a + 1; b < count; b++) {
      longest = Math.max(
        longest,
        Math.hypot(pos[3 * a] - pos[3 * b], pos[3 * a + 1] - pos[3 * b + 1]),
      );
    }
  }
  const k = longest > 0 ? opts.maxBaseline / longest : 1;
  for (let i = 0; i < count; i++) {
    pos[3 * i] *= k;
    pos[3 * i + 1] *= k;
  }
  return pos;
}

/** Antenna pairs (a1 < a2) in measurement-set order: (0,1), (0,2), …, (1,2), … */
export function baselinePairs(count: number): Int32Array {
  const out = new Int32Array(count * (count - 1));
  let k = 0;
  for (let a = 0; a < count; a++) {
    for (let b = a + 1; b < count; b++) {
      out[k++] = a;
      out[k++] = b;
    }
  }
  return out;
}

/**
 * UVW in metres of every baseline (pos[a2] − pos[a1]) at hour angle `hourAngle` (radians),
 * for a phase centre at declination `dec`, written to `out[3·b …]`.
 */
export function uvwAt(
  enu: Float64Array,
  pairs: Int32Array,
  opts: { hourAngle: number; dec: number; latitude?: number; out: Float64Array; offset?: number },
): void {
  const lat = opts.latitude ?? ALMA_LATITUDE;
  const sl = Math.sin(lat), cl = Math.cos(lat);
  const sh = Math.sin(opts.hourAngle), ch = Math.cos(opts.hourAngle);
  const sd = Math.sin(opts.dec), cd = Math.cos(opts.dec);
  const out = opts.out, off = opts.offset ?? 0;
  const nb = pairs.length / 2;
  for (let b = 0; b < nb; b++) {
    const i = pairs[2 * b], j = pairs[2 * b + 1];
    const e = enu[3 * j] - enu[3 * i], n = enu[3 * j + 1] - enu[3 * i + 1];
    const up = enu[3 * j + 2] - enu[3 * i + 2];
    const bx = -sl * n + cl * up, by = e, bz = cl * n + sl * up;
    out[off + 3 * b] = sh * bx + ch * by;
    out[off + 3 * b + 1] = -sd * ch * bx + sd * sh * by + cd * bz;
    out[off + 3 * b + 2] = cd * ch * bx - cd * sh * by + sd * bz;
  }
}
