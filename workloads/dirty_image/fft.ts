/**
 * Complex FFTs of any length: a mixed-radix Stockham autosort transform (radix 4, 2, 3, 5 and a
 * generic odd radix) with precomputed twiddles, and Bluestein's algorithm for lengths with a large
 * prime factor. Data are interleaved re/im in a Float64Array. No allocation per transform.
 *
 * The 2-D transform of a square grid does the rows (only those that may be non-zero), then, a strip
 * of 16 columns at a time, a transpose, the columns as rows, and the strip's consumer (the crop):
 * its output is the transposed spectrum, which the caller indexes accordingly (that saves a second
 * transpose), and the strip stays in cache — the whole transposed matrix is never written.
 *
 * Sign convention: `sign = −1` is the forward transform Σ x e^{−2πi jk/n}, `+1` the inverse
 * without the 1/n factor.
 *
 * @module
 */

interface Stage {
  radix: number;
  /** −1 forward, +1 inverse */
  sign: number;
  /** length of each sub-transform after this stage */
  m: number;
  /** stride (product of the radices before this stage) */
  s: number;
  /** twiddles wp^j for p in [0, m), j in [1, radix): (re, im) pairs */
  tw: Float64Array;
  /** DFT matrix of a generic radix: cos/sin of sign·2π·t/radix, t in [0, radix) */
  roots: Float64Array | null;
}

/** Largest prime factor handled by the generic butterfly; above it, Bluestein. */
const MAX_GENERIC_RADIX = 61;

/** Prime factors of n, smallest first. */
export function primeFactors(n: number): number[] {
  const out: number[] = [];
  for (let p = 2; p * p <= n; p++) {
    while (n % p === 0) {
      out.push(p);
      n /= p;
    }
  }
  if (n > 1) out.push(n);
  return out;
}

/** The smallest even n' ≥ n whose prime factors are all ≤ 5 (the fastest FFT sizes). */
export function goodSize(n: number): number {
  for (let m = Math.max(2, Math.ceil(n));; m++) {
    if (m % 2) continue;
    let r = m;
    for (const p of [2, 3, 5]) while (r % p === 0) r /= p;
    if (r === 1) return m;
  }
}

/** A planned 1-D complex FFT of length `n` in direction `sign`. */
export class FftPlan {
  readonly n: number;
  readonly sign: number;
  #stages: Stage[] = [];
  #work: Float64Array;
  #blue: Bluestein | null = null;

  constructor(n: number, sign: -1 | 1) {
    if (!Number.isInteger(n) || n < 1) {
      throw new Error(`FFT length must be a positive integer: ${n}`);
    }
    this.n = n;
    this.sign = sign;
    this.#work = new Float64Array(2 * n);
    const factors = primeFactors(n);
    if (factors.length && factors[factors.length - 1] > MAX_GENERIC_RADIX) {
      this.#blue = new Bluestein(n, sign);
      return;
    }
    // pair up the 2s as radix 4
    const radices: number[] = [];
    let twos = factors.filter((f) => f === 2).length;
    while (twos >= 2) {
      radices.push(4);
      twos -= 2;
    }
    if (twos) radices.push(2);
    radices.push(...factors.filter((f) => f !== 2));
    let len = n, s = 1;
    for (const radix of radices) {
      const m = len / radix;
      const tw = new Float64Array(2 * m * (radix - 1));
      for (let p = 0; p < m; p++) {
        for (let j = 1; j < radix; j++) {
          const a = (sign * 2 * Math.PI * p * j) / len;
          const at = 2 * (p * (radix - 1) + j - 1);
          tw[at] = Math.cos(a);
          tw[at + 1] = Math.sin(a);
        }
      }
      let roots: Float64Array | null = null;
      if (radix > 5) {
        roots = new Float64Array(2 * radix);
        for (let t = 0; t < radix; t++) {
          roots[2 * t] = Math.cos((sign * 2 * Math.PI * t) / radix);
          roots[2 * t + 1] = Math.sin((sign * 2 * Math.PI * t) / radix);
        }
      }
      this.#stages.push({ radix, sign, m, s, tw, roots });
      len = m;
      s *= radix;
    }
  }

  /** Transform the `n` complex values at `x[2·off …]` in place. */
  run(x: Float64Array, off = 0): void {
    if (this.#blue) {
      this.#blue.run(x, off);
      return;
    }
    let src = x, so = 2 * off, dst = this.#work, dO = 0;
    for (const st of this.#stages) {
      stage(st, src, so, dst, dO);
      const t = src, to = so;
      src = dst;
      so = dO;
      dst = t;
      dO = to;
    }
    if (src !== x) x.set(src.subarray(0, 2 * this.n), 2 * off);
  }
}

function stage(st: Stage, x: Float64Array, xo: number, y: Float64Array, yo: number): void {
  const { radix, m, s, tw } = st;
  if (radix === 4) radix4(st, x, xo, y, yo);
  else if (radix === 2) {
    for (let p = 0; p < m; p++) {
      const wr = tw[2 * p], wi = tw[2 * p + 1];
      for (let q = 0; q < s; q++) {
        const i0 = xo + 2 * (q + s * p), i1 = i0 + 2 * s * m;
        const ar = x[i0], ai = x[i0 + 1], br = x[i1], bi = x[i1 + 1];
        const o0 = yo + 2 * (q + s * 2 * p), o1 = o0 + 2 * s;
        y[o0] = ar + br;
        y[o0 + 1] = ai + bi;
        const dr = ar - br, di = ai - bi;
        y[o1] = dr * wr - di * wi;
        y[o1 + 1] = dr * wi + di * wr;
      }
    }
  } else if (radix === 3) radix3(st, x, xo, y, yo);
  else if (radix === 5) radix5(st, x, xo, y, yo);
  else generic(st, x, xo, y, yo);
}

function radix4(st: Stage, x: Float64Array, xo: number, y: Float64Array, yo: number): void {
  const { m, s, tw, sign } = st;
  const sm2 = 2 * s * m, s2 = 2 * s;
  for (let p = 0; p < m; p++) {
    const t = 6 * p;
    const w1r = tw[t], w1i = tw[t + 1], w2r = tw[t + 2], w2i = tw[t + 3];
    const w3r = tw[t + 4], w3i = tw[t + 5];
    for (let q = 0; q < s; q++) {
      const i0 = xo + 2 * (q + s * p);
      const i1 = i0 + sm2, i2 = i1 + sm2, i3 = i2 + sm2;
      const a0r = x[i0], a0i = x[i0 + 1], a1r = x[i1], a1i = x[i1 + 1];
      const a2r = x[i2], a2i = x[i2 + 1], a3r = x[i3], a3i = x[i3 + 1];
      const t0r = a0r + a2r, t0i = a0i + a2i, t1r = a0r - a2r, t1i = a0i - a2i;
      const t2r = a1r + a3r, t2i = a1i + a3i;
      // (a1 − a3)·(sign·i)
      const t3r = -sign * (a1i - a3i), t3i = sign * (a1r - a3r);
      const o0 = yo + 2 * (q + s * 4 * p), o1 = o0 + s2, o2 = o1 + s2, o3 = o2 + s2;
      y[o0] = t0r + t2r;
      y[o0 + 1] = t0i + t2i;
      let br = t1r + t3r, bi = t1i + t3i;
      y[o1] = br * w1r - bi * w1i;
      y[o1 + 1] = br * w1i + bi * w1r;
      br = t0r - t2r;
      bi = t0i - t2i;
      y[o2] = br * w2r - bi * w2i;
      y[o2 + 1] = br * w2i + bi * w2r;
      br = t1r - t3r;
      bi = t1i - t3i;
      y[o3] = br * w3r - bi * w3i;
      y[o3 + 1] = br * w3i + bi * w3r;
    }
  }
}

function radix3(st: Stage, x: Float64Array, xo: number, y: Float64Array, yo: number): void {
  const { m, s, tw } = st;
  const h = st.sign * Math.sqrt(3) / 2;
  const sm2 = 2 * s * m, s2 = 2 * s;
  for (let p = 0; p < m; p++) {
    const w1r = tw[4 * p], w1i = tw[4 * p + 1], w2r = tw[4 * p + 2], w2i = tw[4 * p + 3];
    for (let q = 0; q < s; q++) {
      const i0 = xo + 2 * (q + s * p), i1 = i0 + sm2, i2 = i1 + sm2;
      const a0r = x[i0], a0i = x[i0 + 1];
      const t1r = x[i1] + x[i2], t1i = x[i1 + 1] + x[i2 + 1];
      const t2r = x[i1] - x[i2], t2i = x[i1 + 1] - x[i2 + 1];
      const cr = a0r - 0.5 * t1r, ci = a0i - 0.5 * t1i;
      // ± sign·i·(√3/2)·t2
      const dr = -h * t2i, di = h * t2r;
      const o0 = yo + 2 * (q + s * 3 * p), o1 = o0 + s2, o2 = o1 + s2;
      y[o0] = a0r + t1r;
      y[o0 + 1] = a0i + t1i;
      let br = cr + dr, bi = ci + di;
      y[o1] = br * w1r - bi * w1i;
      y[o1 + 1] = br * w1i + bi * w1r;
      br = cr - dr;
      bi = ci - di;
      y[o2] = br * w2r - bi * w2i;
      y[o2 + 1] = br * w2i + bi * w2r;
    }
  }
}

const C1 = Math.cos((2 * Math.PI) / 5), C2 = Math.cos((4 * Math.PI) / 5);
const S1 = Math.sin((2 * Math.PI) / 5), S2 = Math.sin((4 * Math.PI) / 5);

function radix5(st: Stage, x: Float64Array, xo: number, y: Float64Array, yo: number): void {
  const { m, s, tw } = st;
  const sg = st.sign;
  const s1 = sg * S1, s2 = sg * S2;
  const sm2 = 2 * s * m, st2 = 2 * s;
  for (let p = 0; p < m; p++) {
    const t = 8 * p;
    const w1r = tw[t], w1i = tw[t + 1], w2r = tw[t + 2], w2i = tw[t + 3];
    const w3r = tw[t + 4], w3i = tw[t + 5], w4r = tw[t + 6], w4i = tw[t + 7];
    for (let q = 0; q < s; q++) {
      const i0 = xo + 2 * (q + s * p), i1 = i0 + sm2, i2 = i1 + sm2, i3 = i2 + sm2, i4 = i3 + sm2;
      const a0r = x[i0], a0i = x[i0 + 1];
      const t1r = x[i1] + x[i4], t1i = x[i1 + 1] + x[i4 + 1];
      const t2r = x[i2] + x[i3], t2i = x[i2 + 1] + x[i3 + 1];
      const t3r = x[i1] - x[i4], t3i = x[i1 + 1] - x[i4 + 1];
      const t4r = x[i2] - x[i3], t4i = x[i2 + 1] - x[i3 + 1];
      const b1r = a0r + C1 * t1r + C2 * t2r, b1i = a0i + C1 * t1i + C2 * t2i;
      const b2r = a0r + C2 * t1r + C1 * t2r, b2i = a0i + C2 * t1i + C1 * t2i;
      // i·(s1 t3 + s2 t4) and i·(s2 t3 − s1 t4)
      const e1r = s1 * t3r + s2 * t4r, e1i = s1 * t3i + s2 * t4i;
      const e2r = s2 * t3r - s1 * t4r, e2i = s2 * t3i - s1 * t4i;
      const d1r = -e1i, d1i = e1r, d2r = -e2i, d2i = e2r;
      const o0 = yo + 2 * (q + s * 5 * p), o1 = o0 + st2, o2 = o1 + st2, o3 = o2 + st2;
      const o4 = o3 + st2;
      y[o0] = a0r + t1r + t2r;
      y[o0 + 1] = a0i + t1i + t2i;
      let br = b1r + d1r, bi = b1i + d1i;
      y[o1] = br * w1r - bi * w1i;
      y[o1 + 1] = br * w1i + bi * w1r;
      br = b2r + d2r;
      bi = b2i + d2i;
      y[o2] = br * w2r - bi * w2i;
      y[o2 + 1] = br * w2i + bi * w2r;
      br = b2r - d2r;
      bi = b2i - d2i;
      y[o3] = br * w3r - bi * w3i;
      y[o3 + 1] = br * w3i + bi * w3r;
      br = b1r - d1r;
      bi = b1i - d1i;
      y[o4] = br * w4r - bi * w4i;
      y[o4 + 1] = br * w4i + bi * w4r;
    }
  }
}

function generic(st: Stage, x: Float64Array, xo: number, y: Float64Array, yo: number): void {
  const { radix: r, m, s, tw } = st;
  const roots = st.roots!;
  for (let p = 0; p < m; p++) {
    for (let q = 0; q < s; q++) {
      const i0 = xo + 2 * (q + s * p);
      const o0 = yo + 2 * (q + s * r * p);
      for (let j = 0; j < r; j++) {
        let sr = 0, si = 0;
        for (let k = 0; k < r; k++) {
          const t = (j * k) % r;
          const ar = x[i0 + 2 * s * m * k], ai = x[i0 + 2 * s * m * k + 1];
          const cr = roots[2 * t], ci = roots[2 * t + 1];
          sr += ar * cr - ai * ci;
          si += ar * ci + ai * cr;
        }
        if (j > 0) {
          const at = 2 * (p * (r - 1) + j - 1);
          const wr = tw[at], wi = tw[at + 1];
          const tr = sr * wr - si * wi;
          si = sr * wi + si * wr;
          sr = tr;
        }
        y[o0 + 2 * s * j] = sr;
        y[o0 + 2 * s * j + 1] = si;
      }
    }
  }
}

/** Bluestein's chirp-z transform: a length-n DFT as a power-of-two convolution. */
class Bluestein {
  #n: number;
  #chirp: Float64Array;
  #kernel: Float64Array;
  #buf: Float64Array;
  #fwd: FftPlan;
  #inv: FftPlan;

  constructor(n: number, sign: number) {
    this.#n = n;
    let m = 1;
    while (m < 2 * n - 1) m *= 2;
    this.#fwd = new FftPlan(m, -1);
    this.#inv = new FftPlan(m, 1);
    this.#chirp = new Float64Array(2 * n);
    for (let k = 0; k < n; k++) {
      const a = (sign * Math.PI * ((k * k) % (2 * n))) / n;
      this.#chirp[2 * k] = Math.cos(a);
      this.#chirp[2 * k + 1] = Math.sin(a);
    }
    this.#kernel = new Float64Array(2 * m);
    for (let k = 0; k < n; k++) {
      const re = this.#chirp[2 * k], im = -this.#chirp[2 * k + 1];
      this.#kernel[2 * k] = re;
      this.#kernel[2 * k + 1] = im;
      if (k > 0) {
        this.#kernel[2 * (m - k)] = re;
        this.#kernel[2 * (m - k) + 1] = im;
      }
    }
    this.#fwd.run(this.#kernel);
    this.#buf = new Float64Array(2 * m);
  }

  run(x: Float64Array, off: number): void {
    const n = this.#n, c = this.#chirp, b = this.#buf, kf = this.#kernel;
    const m = b.length / 2;
    b.fill(0);
    for (let k = 0; k < n; k++) {
      const xr = x[2 * (off + k)], xi = x[2 * (off + k) + 1];
      b[2 * k] = xr * c[2 * k] - xi * c[2 * k + 1];
      b[2 * k + 1] = xr * c[2 * k + 1] + xi * c[2 * k];
    }
    this.#fwd.run(b);
    for (let k = 0; k < m; k++) {
      const br = b[2 * k], bi = b[2 * k + 1], kr = kf[2 * k], ki = kf[2 * k + 1];
      b[2 * k] = br * kr - bi * ki;
      b[2 * k + 1] = br * ki + bi * kr;
    }
    this.#inv.run(b);
    for (let k = 0; k < n; k++) {
      const br = b[2 * k] / m, bi = b[2 * k + 1] / m;
      x[2 * (off + k)] = br * c[2 * k] - bi * c[2 * k + 1];
      x[2 * (off + k) + 1] = br * c[2 * k + 1] + bi * c[2 * k];
    }
  }
}

/** Columns of the transposed spectrum handed to a consumer at a time (see Fft2d.runStrips). */
export const STRIP = 16;

/** Square 2-D FFT of `n × n` complex values with a reusable plan and transpose buffer. */
export class Fft2d {
  readonly n: number;
  #plan: FftPlan;
  #strip: Float64Array;
  #tmp: Float64Array | null = null;

  constructor(n: number, sign: -1 | 1) {
    this.n = n;
    this.#plan = new FftPlan(n, sign);
    this.#strip = new Float64Array(2 * STRIP * n);
  }

  /**
   * Transform `grid` (row-major n × n, interleaved complex; rows outside `[row0, row1)` must be
   * zero and are skipped) and hand the transposed result to `strip`, at most {@linkcode STRIP}
   * columns at a time: `strip(t, c0, c1)` gets `t[2·((x − c0)·n + y)]`, the spectrum at row y and
   * column x ∈ [c0, c1), for the columns x in `cols` (ranges [a, b); default all). The grid's rows
   * are transformed in place. Each strip goes from the transpose through its column transforms to
   * its consumer while it is in cache: the n × n transposed matrix is never written.
   */
  runStrips(
    grid: Float64Array,
    opts: {
      row0?: number;
      row1?: number;
      cols?: [number, number][];
      strip(t: Float64Array, c0: number, c1: number): void;
    },
  ): void {
    const n = this.n, plan = this.#plan, t = this.#strip;
    const r0 = Math.max(0, opts.row0 ?? 0), r1 = Math.min(n, opts.row1 ?? n);
    for (let r = r0; r < r1; r++) plan.run(grid, r * n);
    for (const [a, b] of opts.cols ?? [[0, n]]) {
      for (let c0 = a; c0 < b; c0 += STRIP) {
        const c1 = Math.min(b, c0 + STRIP);
        transpose(grid, t, { n, r0, r1, c0, c1 });
        for (let c = 0; c < c1 - c0; c++) plan.run(t, c * n);
        opts.strip(t, c0, c1);
      }
    }
  }

  /**
   * Transform `grid` as {@linkcode runStrips} does and return the whole transposed result:
   * `out[x·n + y]` is the spectrum at row y, column x — only for the columns x in `cols`. The
   * returned buffer is owned by this object and reused by the next call.
   */
  runTransposed(
    grid: Float64Array,
    opts: { row0?: number; row1?: number; cols?: [number, number][] } = {},
  ): Float64Array {
    const n = this.n;
    const out = this.#tmp ??= new Float64Array(2 * n * n);
    this.runStrips(grid, {
      ...opts,
      strip: (t, c0, c1) => out.set(t.subarray(0, 2 * (c1 - c0) * n), 2 * c0 * n),
    });
    return out;
  }
}

/**
 * out[(c − c0)·n + r] = a[r·n + c] for complex n × n, columns [c0, c1) (at most a strip); rows
 * outside [r0, r1) are 0.
 */
function transpose(
  a: Float64Array,
  out: Float64Array,
  o: { n: number; r0: number; r1: number; c0: number; c1: number },
): void {
  const { n, r0, r1, c0, c1 } = o;
  for (let c = 0; c < c1 - c0; c++) {
    out.fill(0, 2 * c * n, 2 * (c * n + r0));
    out.fill(0, 2 * (c * n + r1), 2 * (c + 1) * n);
  }
  for (let r = r0; r < r1; r++) {
    let src = 2 * (r * n + c0);
    let dst = 2 * r;
    for (let c = c0; c < c1; c++) {
      out[dst] = a[src];
      out[dst + 1] = a[src + 1];
      src += 2;
      dst += 2 * n;
    }
  }
}
