/**
 * Synthetic runs for the expectation and regression tests: observations whose times follow a
 * known law, with seeded multiplicative noise (tests/calibration.ts), analysed like a real run.
 *
 * @module
 */
import { type Rng, rng } from "../core/random.ts";
import type { Mode, Observation } from "../core/types.ts";
import { analyzeRun, type RunAnalysis } from "../reports/model.ts";
import { observation, runSource } from "./_fixtures.ts";
import type { Noise } from "./calibration.ts";

/** What to synthesise. */
export interface SyntheticRun {
  /** Seconds of each operation at a core count (the noise's median multiplies it) */
  ops: Record<string, (cores: number) => number>;
  cores: number[];
  reps: number;
  noise: Noise;
  /** A seeded generator (several runs can share one stream) */
  random: Rng;
  /** Every time multiplied by it (1.3: a 30 % slower version) */
  factor?: number;
  /** Rate = amount / seconds, unit `it/s` */
  amount?: number;
  mode?: Mode;
  id?: string;
  /** Observations that fail their check: `op@cores#rep` */
  failing?: string[];
}

/** Observations of a synthetic run. */
export function syntheticObservations(s: SyntheticRun): Observation[] {
  const out: Observation[] = [];
  for (const [op, time] of Object.entries(s.ops)) {
    for (const cores of s.cores) {
      for (let rep = 0; rep < s.reps; rep++) {
        const seconds = time(cores) * (s.factor ?? 1) * s.noise.draw(s.random);
        const failing = s.failing?.includes(`${op}@${cores}#${rep}`) ?? false;
        out.push(observation({
          workload: "synthetic",
          op,
          mode: s.mode ?? "strong",
          cores,
          rep,
          seconds: failing ? null : seconds,
          error: failing ? `Sum of ${op} is wrong at rep ${rep}` : null,
          unit: s.amount ? "it/s" : null,
          rate: s.amount && !failing ? s.amount / seconds : null,
          size: 1000,
        }));
      }
    }
  }
  return out;
}

/** A synthetic run, analysed. */
export function syntheticRun(s: SyntheticRun): RunAnalysis {
  const id = s.id ?? "synthetic";
  const src = runSource(syntheticObservations(s), {
    path: `/runs/${id}`,
    id,
    label: id,
    workload: "synthetic",
    mode: s.mode ?? "strong",
    params: { n: 1000 },
    provider: { name: "local", settings: {} },
    status: "complete",
    operations: Object.keys(s.ops),
  });
  return analyzeRun(src);
}

/** Amdahl's law: t(n) = t1·(s + (1 − s)/n). */
export function amdahl(t1: number, s: number): (cores: number) => number {
  return (n) => t1 * (s + (1 - s) / n);
}

/** A generator for a test, by seed. */
export function seeded(seed: number): Rng {
  return rng(seed);
}
