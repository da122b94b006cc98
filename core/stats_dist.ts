/**
 * Probability distributions used by the intervals and tests: normal, Student-t, F, binomial and
 * the exact null distribution of the Mann–Whitney U statistic. Pure functions, no dependencies.
 *
 * @module
 */

const LANCZOS = [
  0.99999999999980993,
  676.5203681218851,
  -1259.1392167224028,
  771.32342877765313,
  -176.61502916214059,
  12.507343278686905,
  -0.13857109526572012,
  9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error about 1e-15). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  x -= 1;
  let a = LANCZOS[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaCf(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1, d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularized incomplete beta function I_x(a, b) for a, b > 0 and x in [0, 1]. */
export function betaInc(x: number, { a, b }: { a: number; b: number }): number {
  if (!(x > 0)) return 0;
  if (!(x < 1)) return 1;
  const lnFront = lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) +
    b * Math.log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaCf(a, b, x)) / a;
  return 1 - (Math.exp(lnFront) * betaCf(b, a, 1 - x)) / b;
}

/** Standard normal cumulative distribution function. */
export function normalCdf(z: number): number {
  // erfc by Numerical Recipes' Chebyshev fit (erfcc): relative error below 1.2e-7
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const r = t * Math.exp(
    -x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
                  t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
                                  t * (-0.82215223 + t * 0.17087277)))))))),
  );
  return z >= 0 ? 1 - r / 2 : r / 2;
}

/** Quantile of the standard normal distribution (Acklam's algorithm, relative error below 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0)) return -Infinity;
  if (!(p < 1)) return Infinity;
  const a = [
    -39.69683028665376,
    220.9460984245205,
    -275.9285104469687,
    138.357751867269,
    -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406,
    161.5858368580409,
    -155.6989798598866,
    66.80131188771972,
    -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293,
    -0.3223964580411365,
    -2.400758277161838,
    -2.549732539343734,
    4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  let x: number;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - lo) {
    const q = p - 0.5, r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
      (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  return x;
}

/** Student-t cumulative distribution function with `df` > 0 degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  const tail = 0.5 * betaInc(df / (df + t * t), { a: df / 2, b: 0.5 });
  return t > 0 ? 1 - tail : tail;
}

/** Quantile of Student's t with `df` > 0 degrees of freedom (bisection on the CDF). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0)) return -Infinity;
  if (!(p < 1)) return Infinity;
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0, hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-14 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Upper tail P(F > f) of the F distribution with (d1, d2) degrees of freedom. */
export function fSurvival(f: number, { d1, d2 }: { d1: number; d2: number }): number {
  if (!(f > 0)) return 1;
  if (!Number.isFinite(f)) return 0;
  return betaInc(d2 / (d2 + d1 * f), { a: d2 / 2, b: d1 / 2 });
}

/** P(X ≤ k) for X ~ Binomial(n, p): summed term by term up to n = 50 (exact for p = ½). */
export function binomialCdf(k: number, { n, p }: { n: number; p: number }): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (n <= 50) {
    let c = 1, s = 0; // c = C(n, i), an exact integer below 2⁵³
    for (let i = 0; i <= k; i++) {
      s += c * p ** i * (1 - p) ** (n - i);
      c = (c * (n - i)) / (i + 1);
    }
    return Math.min(1, s);
  }
  return betaInc(1 - p, { a: n - k, b: k + 1 });
}

/**
 * Lower tail P(U ≤ u) of the Mann–Whitney U statistic of samples of sizes m and n under the null
 * hypothesis (no ties): exact by recursion for m·n ≤ 2500, else the normal approximation with a
 * continuity correction.
 */
export function mannWhitneyCdf(u: number, { m, n }: { m: number; n: number }): number {
  if (u < 0) return 0;
  if (u >= m * n) return 1;
  if (m * n > 2500) {
    const mu = (m * n) / 2, sd = Math.sqrt((m * n * (m + n + 1)) / 12);
    return normalCdf((Math.floor(u) + 0.5 - mu) / sd);
  }
  const probs = mannWhitneyPmf(m, n);
  let s = 0;
  for (let i = 0; i <= Math.floor(u); i++) s += probs[i];
  return Math.min(1, s);
}

const pmfCache = new Map<string, Float64Array>();

/**
 * Exact null distribution of U for sizes m, n: p(m, n, u) = m/(m+n)·p(m−1, n, u−n) +
 * n/(m+n)·p(m, n−1, u), built up over n with one row per m.
 */
function mannWhitneyPmf(m: number, n: number): Float64Array {
  if (m > n) return mannWhitneyPmf(n, m); // symmetric in (m, n)
  const key = `${m},${n}`;
  const hit = pmfCache.get(key);
  if (hit) return hit;
  // rows[i] = distribution for sizes (i, j) at the current j; U of (i, j) ranges over 0..i·j
  let rows: Float64Array[] = [];
  for (let i = 0; i <= m; i++) rows.push(Float64Array.of(1)); // j = 0: U = 0
  for (let j = 1; j <= n; j++) {
    const next: Float64Array[] = [Float64Array.of(1)]; // i = 0: U = 0
    for (let i = 1; i <= m; i++) {
      const out = new Float64Array(i * j + 1);
      const w1 = i / (i + j), w2 = j / (i + j);
      const a = next[i - 1]; // (i − 1, j), shifted by j
      for (let u = 0; u < a.length; u++) out[u + j] += w1 * a[u];
      const b = rows[i]; // (i, j − 1)
      for (let u = 0; u < b.length; u++) out[u] += w2 * b[u];
      next.push(out);
    }
    rows = next;
  }
  if (pmfCache.size > 200) pmfCache.clear();
  pmfCache.set(key, rows[m]);
  return rows[m];
}
