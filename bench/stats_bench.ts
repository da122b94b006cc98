/**
 * Statistics that keep their promises, measured:
 * - calibration on a larger grid than tests/calibration_test.ts: for every interval the reports
 *   print (median seconds and rate, speedup and efficiency, the ratio of two runs, Amdahl s,
 *   Gustafson s′, USL σ and κ) |observed coverage − stated level| ≤ 0.03 per cell, and for the
 *   comparisons |observed − stated false-positive rate| ≤ 0.03; the verdicts flag data that
 *   follow the law in ≤ 4 % of data sets and USL data with a peak (which Amdahl cannot follow)
 *   in ≥ 95 %;
 * - the `amdahl` workload's steadiness: time per iteration from work = 100 to 10 000 Miter
 *   (1 core, s = 0.1), coefficient of variation across sizes < 5 % (on a quiet machine).
 *
 * `deno run -A bench/stats_bench.ts [--quick]` (quick: fewer data sets, sizes up to 3000).
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

const quick = Deno.args.includes("--quick");
const report = new BenchReport("stats");
const K = quick ? 0.4 : 1; // share of the data sets per cell

function calibrated(c: Cell): void {
  report.figure(c.name, Math.abs(c.observed - c.stated), {
    goal: atMost(0.03),
    detail: `observed ${c.observed.toFixed(3)}, stated ${
      c.stated.toFixed(3)
    }, ${c.trials} data sets`,
  });
}

const trials = (n: number) => Math.round(n * K);

for (const noise of [lognormal(0.02), lognormal(0.3), expTail(0.1), uniform(0.1)]) {
  for (const n of [2, 3, 4, 5, 6, 7, 8, 10, 15, 20, 50]) {
    calibrated(medianCoverage(n, noise, { trials: trials(4000), seed: 1 }));
  }
  calibrated(medianCoverage(9, noise, { trials: trials(4000), seed: 2, rate: true }));
}
for (const noise of [lognormal(0.1), expTail(0.2)]) {
  for (const [m, n] of [[2, 4], [3, 3], [3, 5], [4, 4], [5, 5], [8, 8], [10, 10], [20, 30]]) {
    for (const r of [1, 1.3, 3]) {
      calibrated(ratioCoverage(m, n, r, noise, { trials: trials(2000), seed: 3 }));
    }
  }
}
for (const reps of [3, 5, 10]) {
  for (const s of [0, 0.3]) {
    for (const c of speedupCoverage(reps, s, expTail(0.1), { trials: trials(1000), seed: 4 })) {
      calibrated(c);
    }
  }
}
for (const noise of [lognormal(0.05), expTail(0.2)]) {
  for (const [m, n] of [[3, 3], [4, 4], [5, 5], [3, 8], [10, 10], [20, 20], [50, 50]]) {
    calibrated(comparisonFalsePositives(m, n, noise, { trials: trials(4000), seed: 5 }));
    calibrated(regressionFalseAlarms(m, n, 1.1, 0.1, noise, { trials: trials(4000), seed: 6 }));
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

for (const noise of [lognormal(0.01), lognormal(0.1), expTail(0.05)]) {
  for (const cores of [[1, 2], [1, 2, 3], [1, 2, 4, 8, 16], [2, 4, 8, 16, 32]]) {
    for (const reps of [1, 3, 5]) {
      if (cores.length === 2 && reps === 1) continue; // exactly determined: no interval
      for (const s of [0.01, 0.1, 0.5, 0.9]) {
        fits(
          fitCoverage({ law: "amdahl", s }, cores, reps, noise, { trials: trials(1000), seed: 7 }),
        );
      }
    }
  }
  for (const reps of [1, 3, 5]) {
    for (const s of [0.01, 0.1, 0.5]) {
      fits(
        fitCoverage({ law: "gustafson", s }, [1, 2, 4, 8, 16], reps, noise, {
          trials: trials(1000),
          seed: 8,
        }),
      );
    }
  }
}
for (const [sigma, kappa] of [[0.05, 0.01], [0.2, 0.002], [0.02, 0.05]]) {
  for (const reps of [1, 3, 5]) {
    fits(
      fitCoverage({ law: "usl", sigma, kappa }, [1, 2, 4, 8, 16], reps, lognormal(0.05), {
        trials: trials(500),
        seed: 9,
      }),
    );
  }
}

// power: USL data with a peak at 6.9 cores (σ = 0.05, κ = 0.02) make Amdahl's verdict object
{
  const r = rng(10);
  const n = trials(300);
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

// amdahl's per-iteration time across sizes
{
  const sizes = quick ? [100, 300, 1000, 3000] : [100, 300, 1000, 3000, 10000];
  const perIter: number[] = [];
  for (const work of sizes) {
    const recs = await runInProcess("amdahl", {
      params: { s: 0.1, work },
      reps: work >= 3000 ? 2 : 3,
      warmup: 1,
    });
    const secs = recs.filter((x) => !x.warmup && x.ok).map((x) => x.seconds!);
    const ns = (median(secs) / (work * 1e6)) * 1e9;
    perIter.push(ns);
    report.info(`amdahl work=${work}: time per iteration`, ns, {
      unit: "ns",
      detail: `repetitions ${secs.map((x) => x.toFixed(3)).join(", ")} s; slowest/fastest ${
        (Math.max(...secs) / Math.min(...secs)).toFixed(3)
      }`,
    });
  }
  const cv = std(perIter) / mean(perIter);
  report.figure("amdahl time per iteration, CV across sizes", cv * 100, {
    goal: atMost(5),
    unit: "%",
    detail: `work ${sizes.join(", ")} Miter at 1 core (a stall as before would give > 50 %)`,
  });
}

report.finish();
