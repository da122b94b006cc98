/**
 * Monte-Carlo calibration of every interval and test the reports print, on synthetic data with a
 * known truth: each cell draws `trials` seeded data sets, computes the interval (or verdict) the
 * tool would, and counts how often it covers the truth (or raises a false alarm), next to the
 * level (or error rate) the tool states. Used by tests/calibration_test.ts (a small grid) and
 * bench/stats_bench.ts (a larger one).
 *
 * @module
 */
import { type Rng, rng } from "../core/random.ts";
import { normalQuantile } from "../core/stats_dist.ts";
import { medianCI } from "../core/stats_interval.ts";
import { compareSamples, ratioCI, regressionTest } from "../core/stats_compare.ts";
import { fitAmdahl, fitGustafson, fitUsl, type RepPoint } from "../reports/fits.ts";
import { analyzeRun } from "../reports/model.ts";
import { repetitions, runSource } from "./_fixtures.ts";

/** Multiplicative noise of one repetition's time, with its median. */
export interface Noise {
  name: string;
  draw(r: Rng): number;
  median: number;
}

/** Log-normal noise: exp(σ·Z), median 1. */
export function lognormal(sigma: number): Noise {
  return {
    name: `lognormal σ=${sigma}`,
    draw: (r) => Math.exp(sigma * normalQuantile(r())),
    median: 1,
  };
}

/** A right tail like timings have: 1 + m·Exp(1), median 1 + m·ln 2. */
export function expTail(m: number): Noise {
  return { name: `1+${m}·Exp`, draw: (r) => 1 - m * Math.log(1 - r()), median: 1 + m * Math.LN2 };
}

/** Uniform on [1 − w, 1 + w], median 1. */
export function uniform(w: number): Noise {
  return { name: `uniform ±${w}`, draw: (r) => 1 - w + 2 * w * r(), median: 1 };
}

/** Result of one cell: what the tool states and what happened. */
export interface Cell {
  name: string;
  /** Stated level (coverage cells) or stated error rate (false-alarm cells), averaged */
  stated: number;
  observed: number;
  /** Data sets that gave an interval (or a verdict) */
  trials: number;
}

/** A generator for one cell: its own stream, from the cell's name, so cells are independent. */
function cellRng(seed: number, name: string): Rng {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  return rng(seed, h);
}

function cell(name: string, c: { hits: number; stated: number; trials: number }): Cell {
  return { name, stated: c.stated / c.trials, observed: c.hits / c.trials, trials: c.trials };
}

function sample(r: Rng, o: { n: number; noise: Noise; scale?: number }): number[] {
  return Array.from({ length: o.n }, () => (o.scale ?? 1) * o.noise.draw(r));
}

/** Coverage of the median's interval (seconds, and rate = amount / seconds). */
export function medianCoverage(
  n: number,
  noise: Noise,
  o: { trials: number; seed: number; rate?: boolean },
): Cell {
  const name = `median${o.rate ? " rate" : ""} n=${n} ${noise.name}`;
  const r = cellRng(o.seed, name);
  let hits = 0, stated = 0, trials = 0;
  const truth = o.rate ? 1 / noise.median : noise.median;
  for (let t = 0; t < o.trials; t++) {
    const xs = sample(r, { n, noise }).map((x) => (o.rate ? 1 / x : x));
    const ci = medianCI(xs);
    if (!ci) continue;
    trials++;
    stated += ci.level;
    if (ci.lo <= truth && truth <= ci.hi) hits++;
  }
  return cell(name, { hits, stated, trials });
}

/** Coverage of the interval of a ratio of times (b = ratio × a in distribution). */
export function ratioCoverage(
  noise: Noise,
  o: { m: number; n: number; ratio: number; trials: number; seed: number },
): Cell {
  const { m, n, ratio } = o;
  const name = `ratio ${m}:${n} r=${ratio} ${noise.name}`;
  const r = cellRng(o.seed, name);
  let hits = 0, stated = 0, trials = 0;
  for (let t = 0; t < o.trials; t++) {
    const ci = ratioCI(sample(r, { n: m, noise }), sample(r, { n, noise, scale: ratio }));
    if (!ci) continue;
    trials++;
    stated += ci.level;
    if (ci.lo <= ratio && ratio <= ci.hi) hits++;
  }
  return cell(name, { hits, stated, trials });
}

/** Coverage of the speedup and efficiency intervals of analyzeRun() at 2 cores, Amdahl truth. */
export function speedupCoverage(
  noise: Noise,
  o: { reps: number; s: number; trials: number; seed: number },
): Cell[] {
  const { reps, s } = o;
  const r = cellRng(o.seed, `speedup r=${reps} s=${s} ${noise.name}`);
  const speedup = 1 / (s + (1 - s) / 2);
  let hs = 0, he = 0, stated = 0, trials = 0;
  for (let t = 0; t < o.trials; t++) {
    const src = runSource([
      ...repetitions(1, sample(r, { n: reps, noise })),
      ...repetitions(2, sample(r, { n: reps, noise, scale: 1 / speedup })),
    ]);
    const p = analyzeRun(src).ops[0].points[1];
    const sp = p.intervals.speedup, ef = p.intervals.efficiency;
    if (!sp || !ef) continue;
    trials++;
    stated += sp.level;
    if (sp.lo <= speedup && speedup <= sp.hi) hs++;
    if (ef.lo <= speedup / 2 && speedup / 2 <= ef.hi) he++;
  }
  return [
    cell(`speedup 2 cores r=${reps} ${noise.name}`, { hits: hs, stated, trials }),
    cell(`efficiency 2 cores r=${reps} ${noise.name}`, { hits: he, stated, trials }),
  ];
}

/** How often identical distributions are called faster or slower, against the stated rate. */
export function comparisonFalsePositives(
  noise: Noise,
  o: { m: number; n: number; trials: number; seed: number },
): Cell {
  const { m, n } = o;
  const r = cellRng(o.seed, `false positives ${m}:${n} ${noise.name}`);
  let hits = 0, stated = 0, trials = 0;
  for (let t = 0; t < o.trials; t++) {
    const c = compareSamples(sample(r, { n: m, noise }), sample(r, { n, noise }));
    if (c.falsePositiveRate === null) continue;
    trials++;
    stated += c.falsePositiveRate;
    if (c.verdict !== "indistinguishable") hits++;
  }
  return cell(`false positives ${m}:${n} ${noise.name}`, { hits, stated, trials });
}

/** How often a slowdown of exactly `ratio` is flagged as beyond `maxRegression`. */
export function regressionFalseAlarms(
  noise: Noise,
  o: { m: number; n: number; ratio: number; maxRegression: number; trials: number; seed: number },
): Cell {
  const { m, n, ratio, maxRegression } = o;
  const r = cellRng(o.seed, `regression ${m}:${n} ${ratio} ${maxRegression} ${noise.name}`);
  let hits = 0, stated = 0, trials = 0;
  for (let t = 0; t < o.trials; t++) {
    const g = regressionTest(sample(r, { n: m, noise }), sample(r, { n, noise, scale: ratio }), {
      maxRegression,
    });
    if (g.falseAlarmRate === null) continue;
    trials++;
    stated += g.falseAlarmRate;
    if (g.regressed) hits++;
  }
  return cell(`regression alarms ${m}:${n} at ${ratio}× (max ${maxRegression})`, {
    hits,
    stated,
    trials,
  });
}

/** A scaling law with its true parameters. */
export type Truth =
  | { law: "amdahl"; s: number }
  | { law: "gustafson"; s: number }
  | { law: "usl"; sigma: number; kappa: number };

/** Time of the law at n cores (1-core time 1; relative to n₀ = the first core count). */
export function lawTime(truth: Truth, at: { n: number; n0?: number }): number {
  const n = at.n, k = n / (at.n0 ?? 1);
  switch (truth.law) {
    case "amdahl":
      return truth.s + (1 - truth.s) / n;
    case "gustafson":
      return k / (k - truth.s * (k - 1));
    case "usl":
      return (1 + truth.sigma * (k - 1) + truth.kappa * k * (k - 1)) / k;
  }
}

function describe(t: Truth): string {
  return t.law === "usl" ? `usl σ=${t.sigma} κ=${t.kappa}` : `${t.law} s=${t.s}`;
}

/**
 * Coverage of the fitted parameters' intervals, and how often the fit's verdict flags data that
 * do follow the law (stated rate: the check level, per check).
 */
export function fitCoverage(
  truth: Truth,
  o: { cores: number[]; reps: number; noise: Noise; trials: number; seed: number },
): Cell[] {
  const { cores, reps, noise } = o;
  const where = `${describe(truth)} cores ${cores.join(",")} r=${reps} ${noise.name}`;
  const r = cellRng(o.seed, where);
  const names = truth.law === "usl" ? ["σ", "κ"] : [truth.law === "amdahl" ? "s" : "s′"];
  const values = truth.law === "usl" ? [truth.sigma, truth.kappa] : [truth.s];
  const hits = names.map(() => 0);
  let stated = 0, trials = 0, flagged = 0, fits = 0;
  for (let t = 0; t < o.trials; t++) {
    const pts: RepPoint[] = cores.map((n) => {
      const seconds = sample(r, { n: reps, noise, scale: lawTime(truth, { n, n0: cores[0] }) });
      return { cores: n, seconds, median: seconds[0] };
    });
    const fit = truth.law === "amdahl"
      ? fitAmdahl(pts)
      : truth.law === "gustafson"
      ? fitGustafson(pts)
      : fitUsl(pts, "strong");
    if (!fit) continue;
    fits++;
    const status = fit.verdict.status;
    if (status === "lack-of-fit" || status === "contradicted") flagged++;
    const ests = "sigma" in fit ? [fit.sigma, fit.kappa] : [fit.s];
    if (!ests[0].ci) continue;
    trials++;
    stated += ests[0].ci.level;
    ests.forEach((e, j) => {
      if (e.ci!.lo <= values[j] && values[j] <= e.ci!.hi) hits[j]++;
    });
  }
  return [
    ...names.map((nm, j) => cell(`${nm}: ${where}`, { hits: hits[j], stated, trials })),
    { name: `verdict flags: ${where}`, stated: NaN, observed: flagged / fits, trials: fits },
  ];
}
