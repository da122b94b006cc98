import assert from "node:assert/strict";
import { completeConfig } from "./config.ts";
import { configFromManifest, resumeConfig } from "./config_resume.ts";
import { ValidationError } from "./errors.ts";
import { defineSettings } from "./settings.ts";
import type { Manifest } from "./types.ts";

const PROVIDER = defineSettings({
  account: { flag: "--account <a>", type: "string", default: null, help: "" },
  token: { flag: "--token <t>", type: "string", default: null, secret: true, help: "" },
});
const stored = {
  ...completeConfig({ workload: "amdahl", cores: [1, 2], reps: 3 }, PROVIDER),
  providerSettings: { account: "astro", token: "<redacted>" },
};
const options = { runDir: "results/r1", providerSettings: PROVIDER };

Deno.test("resumeConfig() keeps the stored configuration and takes what may change", () => {
  const c = resumeConfig(stored, { timeout: 30, verbose: true }, options);
  assert.deepEqual([c.cores, c.reps, c.timeout, c.verbose], [[1, 2], 3, 30, true]);
  assert.deepEqual(c.providerSettings, { account: "astro", token: null });
  assert.equal(
    resumeConfig(stored, { providerSettings: { token: "t0k" } }, options).providerSettings.token,
    "t0k",
  );
  // the same value again is no contradiction
  assert.deepEqual(resumeConfig(stored, { cores: [1, 2], reps: 3 }, options).cores, [1, 2]);
});

Deno.test("resumeConfig() refuses a value that contradicts the run, naming both", () => {
  assert.throws(
    () => resumeConfig(stored, { cores: [1, 2, 4] }, options),
    new ValidationError(
      "--cores '1,2,4' contradicts run 'results/r1', which was made with '1,2': resume without it, or start a new run",
    ),
  );
  assert.throws(
    () => resumeConfig(stored, { providerSettings: { account: "other" } }, options),
    new ValidationError(
      "--account 'other' contradicts run 'results/r1', which was made with 'astro': resume without it, or start a new run",
    ),
  );
  assert.throws(() => resumeConfig(stored, { layout: "ranks" }, options), /--layout 'ranks'/);
});

Deno.test("configFromManifest() rebuilds the configuration of a manifest written before it", () => {
  const m = {
    schema_version: 1,
    run_id: "r1",
    name: null,
    workload: {
      name: "amdahl",
      ref: "amdahl",
      summary: "",
      params: { s: 0.1 },
      operations: ["burn"],
      source: null,
      sha256: null,
    },
    mode: "strong",
    provider: { name: "slurm", settings: { account: "a" }, jobs: [] },
    plan: {
      cores: [1, 4],
      layout: "ranks",
      cores_per_node: 4,
      reps: 7,
      warmup: 1,
      order: "sequential",
      seed: 3,
      timeout: 60,
      points: [],
    },
  } as unknown as Manifest;
  const c = configFromManifest(m);
  assert.deepEqual(
    [c.workload, c.provider, c.cores, c.layout, c.coresPerNode, c.reps, c.warmup, c.seed, c.ops],
    ["amdahl", "slurm", [1, 4], "ranks", 4, 7, 1, 3, ["burn"]],
  );
  assert.deepEqual([c.params, c.providerSettings, c.timeout], [{ s: 0.1 }, { account: "a" }, 60]);
  assert.deepEqual(configFromManifest({ ...m, config: stored }), stored);
});
