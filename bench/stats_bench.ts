/**
 * Statistics that keep their promises, measured:
 * - calibration on a larger grid than tests/calibration_test.ts: for every interval the reports
 *   print (median seconds and rate, speedup and efficiency, the ratio of two runs, Amdahl s,
 *   Gustafson s′, USL σ and κ) |observed coverage − stated level| ≤ 0.03 per cell, and for the
 *   comparisons |observed − stated false-positive rate| ≤ 0.03; the verdicts flag data that
 *   follow the law in ≤ 4 % of data sets and USL data with a peak (which Amdahl cannot follow)
 *   in ≥ 95 %;
 * - the `amdahl` workload's steadiness from work = 100 to 10 000 Miter: burn()'s CPU time per
 *   iteration (coefficient of variation across sizes < 5 %, no repetition 1.5× its size's
 *   median), and the workload's CPU time per iteration end to end (1 core, s = 0.1; CV < 5 %);
 *   CPU time, because other processes on a shared machine inflate wall time (printed too).
 *
 * `deno run -A bench/stats_bench.ts [--quick]` (quick: every other value of each grid axis, the
 * same data sets per cell; sizes up to 3000).
 *
 * @module
 */
import { atLeast, atMost, BenchReport } from "./_figures.ts";
import {
  type Cell,
  comparisonFalsePositives,
  expTail,
  fitCoverage,
  lognormal,
  medianCoverage,
  ratioCoverage,
  regressionFalseAlarms,
  speedupCoverage,
  uniform,
} from "../tests/calibration.ts";
import { fitScaling } from "../reports/fits.ts";
import { rng } from "../core/random.ts";
import { mean, median, std } from "../core/stats.ts";
import { runInProcess } from "../workloads/testing.ts";
import { burn } from "../workloads/amdahl.ts";
import process from "node:process";

const quick = Deno.args.includes("--quick");
const cv = (xs: number[]) => std(xs) / mean(xs);
const report = new BenchReport("stats");
/** Quick mode: every other value of each grid axis (never fewer data sets per cell: a cell's
 * Monte-Carlo error must stay well below the 0.03 it is judged by) */
const pick = <T>(xs: T[]): T[] => (quick ? xs.filter((_, i) => i % 2 === 0) : xs);

function calibrated(c: Cell): void {
  report.figure(c.name, Math.abs(c.observed - c.stated), {
    goal: atMost(0.03),
    detail: `observed ${c.observed.toFixed(3)}, stated ${
      c.stated.toFixed(3)
    }, ${c.trials} data sets`,
  });
}

for (const noise of pick([lognormal(0.02), lognormal(0.3), expTail(0.1), uniform(0.1)])) {
  for (const n of pick([2, 3, 4, 5, 6, 7, 8, 10, 15, 20, 50])) {
    calibrated(medianCoverage(n, noise, { trials: 4000, seed: 1 }));
  }
  calibrated(medianCoverage(9, noise, { trials: 4000, seed: 2, rate: true }));
}
for (const noise of pick([lognormal(0.1), expTail(0.2)])) {
  for (const [m, n] of [[2, 4], [3, 3], [3, 5], [4, 4], [5, 5], [8, 8], [10, 10], [20, 30]]) {
    for (const r of pick([1, 1.3, 3])) {
      calibrated(ratioCoverage(noise, { m, n, ratio: r, trials: 2000, seed: 3 }));
    }
  }
}
for (const reps of [3, 5, 10]) {
  for (const s of [0, 0.3]) {
    for (const c of speedupCoverage(expTail(0.1), { reps, s, trials: 1000, seed: 4 })) {
      calibrated(c);
    }
  }
}
for (const noise of pick([lognormal(0.05), expTail(0.2)])) {
  for (const [m, n] of [[3, 3], [4, 4], [5, 5], [3, 8], [10, 10], [20, 20], [50, 50]]) {
    calibrated(comparisonFalsePositives(noise, { m, n, trials: 4000, seed: 5 }));
    calibrated(
      regressionFalseAlarms(noise, { m, n, ratio: 1.1, maxRegression: 0.1, trials: 4000, seed: 6 }),
    );
  }
}

function fits(cells: Cell[]): void {
  for (const c of cells) {
    if (c.name.startsWith("verdict")) {
      report.figure(c.name, c.observed, {
        goal: atMost(0.04),
        unit: "",
        detail: `share of ${c.trials} data sets following the law that the verdict flags`,
      });
    } else calibrated(c);
  }
}

for (const noise of pick([lognormal(0.01), lognormal(0.1), expTail(0.05)])) {
  for (const cores of [[1, 2], [1, 2, 3], [1, 2, 4, 8, 16], [2, 4, 8, 16, 32]]) {
    for (const reps of [1, 3, 5]) {
      if (cores.length === 2 && reps === 1) continue; // exactly determined: no interval
      for (const s of pick([0.01, 0.1, 0.5, 0.9])) {
        fits(
          fitCoverage({ law: "amdahl", s }, {
            cores: cores,
            reps,
            noise: noise,
            trials: 1000,
            seed: 7,
          }),
        );
      }
    }
  }
  for (const reps of [1, 3, 5]) {
    for (const s of [0.01, 0.1, 0.5]) {
      fits(
        fitCoverage({ law: "gustafson", s }, {
          cores: [1, 2, 4, 8, 16],
          reps,
          noise: noise,
          trials: 1000,
          seed: 8,
        }),
      );
    }
  }
}
for (const [sigma, kappa] of [[0.05, 0.01], [0.2, 0.002], [0.02, 0.05]]) {
  for (const reps of pick([1, 3, 5])) {
    fits(
      fitCoverage({ law: "usl", sigma, kappa }, {
        cores: [1, 2, 4, 8, 16],
        reps,
        noise: lognormal(0.05),
        trials: 1000,
        seed: 9,
      }),
    );
  }
}

// power: USL data with a peak at 6.9 cores (σ = 0.05, κ = 0.02) make Amdahl's verdict object
{
  const r = rng(10);
  const n = 300;
  let flagged = 0;
  for (let t = 0; t < n; t++) {
    const pts = [1, 2, 4, 8, 16].map((c) => {
      const T = (1 + 0.05 * (c - 1) + 0.02 * c * (c - 1)) / c;
      const seconds = [0, 1, 2].map(() => T * Math.exp(0.05 * (r() - 0.5) * 3.46));
      return { cores: c, seconds, median: median(seconds) };
    });
    const status = fitScaling(pts, { mode: "strong" }).amdahl!.verdict.status;
    if (status === "lack-of-fit" || status === "contradicted") flagged++;
  }
  report.figure("Amdahl verdict on USL data peaking at 6.9 cores", flagged / n, {
    goal: atLeast(0.95),
    detail: `flagged in ${flagged} of ${n} data sets (3 repetitions, uniform log-noise, sd 5 %)`,
  });
}

// amdahl's time per iteration across sizes: burn() itself in CPU time (immune to other load; a
// V8 stall is CPU-bound and shows there), then the workload end to end in wall time
{
  const sizes = quick ? [100, 300, 1000, 3000] : [100, 300, 1000, 3000, 10000];
  const cpuPerIter: number[] = [];
  let worst = 0;
  for (const work of sizes) {
    const reps: number[] = [];
    for (let i = 0; i < (work >= 3000 ? 2 : 3); i++) {
      const c0 = process.cpuUsage();
      burn(0, work * 1e6);
      const c = process.cpuUsage(c0);
      reps.push(((c.user + c.system) / 1e6 / (work * 1e6)) * 1e9);
    }
    const m = median(reps);
    cpuPerIter.push(m);
    worst = Math.max(worst, ...reps.map((x) => x / m));
    report.info(`burn() work=${work}: CPU time per iteration`, m, {
      unit: "ns",
      detail: `repetitions ${reps.map((x) => x.toFixed(3)).join(", ")} ns`,
    });
  }
  report.figure("burn() CPU time per iteration, CV across sizes", cv(cpuPerIter) * 100, {
    goal: atMost(5),
    unit: "%",
    detail: `work ${sizes.join(", ")} Miter`,
  });
  report.figure("burn() slowest repetition / its size's median", worst, {
    goal: atMost(1.5),
    detail: "the stall of issue #9 was 18.7 s against 2.0 s (9×)",
  });

  // end to end: the workload's CPU time per iteration (the run's CPU time less that of a run of
  // 1000 iterations: rank and thread start-up), and its wall time (fastest repetition)
  const cpuOf = async (work: number, reps: number) => {
    const c0 = process.cpuUsage();
    const recs = await runInProcess("amdahl", { params: { s: 0.1, work }, reps, warmup: 1 });
    const c = process.cpuUsage(c0);
    return { cpu: (c.user + c.system) / 1e6, recs };
  };
  const cpuPerRun: number[] = [], wallPerIter: number[] = [];
  for (const work of sizes) {
    const reps = work >= 3000 ? 2 : 3;
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) starts.push((await cpuOf(0.001, reps)).cpu);
    const base = median(starts);
    const { cpu, recs } = await cpuOf(work, reps);
    const iterations = (reps + 1) * work * 1e6;
    cpuPerRun.push(((cpu - base) / iterations) * 1e9);
    const secs = recs.filter((x) => !x.warmup && x.ok).map((x) => x.seconds!);
    wallPerIter.push((Math.min(...secs) / (work * 1e6)) * 1e9);
    report.info(`amdahl work=${work}: CPU time per iteration`, cpuPerRun.at(-1)!, {
      unit: "ns",
      detail: `wall: fastest repetition ${wallPerIter.at(-1)!.toFixed(3)} ns per iteration; ` +
        `repetitions ${secs.map((x) => x.toFixed(3)).join(", ")} s`,
    });
  }
  report.figure("amdahl CPU time per iteration, CV across sizes", cv(cpuPerRun) * 100, {
    goal: atMost(5),
    unit: "%",
    detail: `work ${sizes.join(", ")} Miter, 1 core, s = 0.1, end to end`,
  });
  report.info("amdahl wall time per iteration, CV across sizes", cv(wallPerIter) * 100, {
    unit: "%",
    detail: "fastest repetition per size; other processes on the machine inflate it",
  });
}

report.finish();
