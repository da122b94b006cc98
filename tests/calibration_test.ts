/**
 * Calibration: seeded Monte-Carlo checks that every interval the reports print covers the truth
 * as often as its stated level says (within ±0.03), and that comparisons raise false alarms as
 * often as they say. A small grid, fast enough for every test run; `deno task bench stats` runs a
 * larger one (bench/stats_bench.ts).
 */
import assert from "node:assert/strict";
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
} from "./calibration.ts";

const TOLERANCE = 0.03;

function calibrated(cells: Cell[]): void {
  const off = cells.filter((c) => !(Math.abs(c.observed - c.stated) <= TOLERANCE));
  assert.deepEqual(
    off.map((c) => `${c.name}: observed ${c.observed.toFixed(3)}, stated ${c.stated.toFixed(3)}`),
    [],
  );
  for (const c of cells) assert.ok(c.trials >= 200, `${c.name}: only ${c.trials} trials`);
}

Deno.test("median intervals (seconds and rates) cover the median as often as stated", () => {
  const cells: Cell[] = [];
  for (const noise of [lognormal(0.05), expTail(0.1), uniform(0.05)]) {
    for (const n of [3, 5, 6, 10, 20]) {
      cells.push(medianCoverage(n, noise, { trials: 1500, seed: 1 }));
    }
  }
  cells.push(medianCoverage(7, expTail(0.1), { trials: 1500, seed: 2, rate: true }));
  calibrated(cells);
  // below 6 repetitions the stated level is the exact one of [min, max], not 95 %
  assert.ok(Math.abs(cells[0].stated - 0.75) < 1e-12 && Math.abs(cells[1].stated - 0.9375) < 1e-12);
});

Deno.test("ratio, speedup and efficiency intervals cover the true ratio as often as stated", () => {
  const cells: Cell[] = [];
  for (const noise of [lognormal(0.1), expTail(0.1)]) {
    for (const [m, n] of [[3, 3], [5, 5], [4, 8], [10, 10]]) {
      cells.push(ratioCoverage(noise, { m, n, ratio: 1.7, trials: 1000, seed: 3 }));
    }
  }
  cells.push(...speedupCoverage(expTail(0.1), { reps: 5, s: 0.2, trials: 400, seed: 4 }));
  calibrated(cells);
});

Deno.test("comparisons of identical runs call a difference as often as their stated rate", () => {
  const cells: Cell[] = [];
  for (const [m, n] of [[3, 3], [5, 5], [10, 10], [20, 20]]) {
    cells.push(comparisonFalsePositives(expTail(0.1), { m, n, trials: 2000, seed: 5 }));
  }
  // a slowdown of exactly the allowed 10 %: flagged at most as often as stated
  for (const [m, n] of [[3, 3], [5, 5], [10, 10]]) {
    cells.push(
      regressionFalseAlarms(expTail(0.1), {
        m,
        n,
        ratio: 1.1,
        maxRegression: 0.1,
        trials: 2000,
        seed: 6,
      }),
    );
  }
  calibrated(cells);
  // unchanged runs (ratio 1) are (almost) never a 10 % regression
  const same = regressionFalseAlarms(expTail(0.1), {
    m: 5,
    n: 5,
    ratio: 1,
    maxRegression: 0.1,
    trials: 2000,
    seed: 7,
  });
  assert.ok(same.observed <= 0.005, `${same.observed}`);
});

Deno.test("Amdahl and Gustafson intervals cover s and s′; verdicts rarely flag the true law", () => {
  const cells: Cell[] = [];
  for (const cores of [[1, 2, 4, 8, 16], [1, 2, 3]]) {
    for (const reps of [1, 5]) {
      for (const s of [0.05, 0.5]) {
        cells.push(
          ...fitCoverage({ law: "amdahl", s }, {
            cores: cores,
            reps: reps,
            noise: lognormal(0.05),
            trials: 500,
            seed: 8,
          }),
        );
      }
    }
  }
  cells.push(
    ...fitCoverage({ law: "amdahl", s: 0.2 }, {
      cores: [1, 2, 4, 8],
      reps: 3,
      noise: expTail(0.05),
      trials: 500,
      seed: 9,
    }),
  );
  for (const s of [0.05, 0.5]) {
    cells.push(
      ...fitCoverage({ law: "gustafson", s }, {
        cores: [1, 2, 4, 8, 16],
        reps: 3,
        noise: lognormal(0.05),
        trials: 500,
        seed: 10,
      }),
    );
  }
  const flags = cells.filter((c) => c.name.startsWith("verdict"));
  calibrated(cells.filter((c) => !c.name.startsWith("verdict")));
  for (const f of flags) assert.ok(f.observed <= 0.04, `${f.name}: ${f.observed}`);
});

Deno.test("USL intervals cover σ and κ", () => {
  const cells = fitCoverage({ law: "usl", sigma: 0.05, kappa: 0.01 }, {
    cores: [1, 2, 4, 8, 16],
    reps: 3,
    noise: lognormal(0.05),
    trials: 300,
    seed: 11,
  });
  calibrated(cells.slice(0, 2));
  assert.ok(cells[2].observed <= 0.04, `${cells[2].name}: ${cells[2].observed}`);
});
