import { assertEquals, assertThrows } from "./_assert.ts";
import { defaultCores, resolveConfig as resolve } from "./config.ts";
import { ValidationError } from "./errors.ts";
import { type ConfigSources, defineSettings } from "./settings.ts";

const slurm = defineSettings({
  account: {
    flag: "--account <name>",
    env: ["SCALEBENCH_SLURM_ACCOUNT", "ACCOUNT"],
    type: "string",
    default: null,
    help: "",
  },
});
const providers = { local: {}, slurm, kubernetes: {} };
const opts = { workload: "arrays", set: {}, providerSettings: providers };
/** The resolved record with its origins and warnings beside it, as the tests read them. */
const resolveConfig = (src: ConfigSources, o: typeof opts) => {
  const r = resolve(src, o);
  return { ...r.config, origins: r.origins, warnings: r.warnings };
};
const src = (over: Partial<ConfigSources> = {}): ConfigSources => ({
  flags: {},
  env: {},
  dotenv: {},
  dotenvPath: null,
  ...over,
});

Deno.test("resolveConfig() fills every setting with its default", () => {
  const c = resolveConfig(src(), opts);
  assertEquals(
    [
      c.provider,
      c.mode,
      c.cores,
      c.layout,
      c.coresPerNode,
      c.reps,
      c.warmup,
      c.order,
      c.seed,
      c.output,
      c.name,
      c.timeout,
    ],
    ["local", null, defaultCores(), "threads", null, 5, 0, "sequential", 1, "results", null, 0],
  );
  assertEquals(c.origins.reps, "default");
});

Deno.test("resolveConfig() takes flags over environment over .env over defaults", () => {
  const dotenv = { OBS_PER_ITER: "30", SCALEBENCH_WARMUP: "2", RES_DIR: "./r" };
  const env = { OBS_PER_ITER: "10", SCALEBENCH_REPS: "7" };
  const c = resolveConfig(src({ flags: { warmup: "3" }, env, dotenv, dotenvPath: "x.env" }), opts);
  assertEquals([c.reps, c.warmup, c.output], [7, 3, "./r"]);
  assertEquals([c.origins.reps, c.origins.warmup, c.origins.output], [
    "Environment variable SCALEBENCH_REPS",
    "Flag --warmup",
    "Key RES_DIR in 'x.env'",
  ]);
});

Deno.test("resolveConfig() reads a dask-bench .env as it is", () => {
  const dotenv = {
    KUBE: "False",
    MAX_N_CORES: "48",
    CORES_PER_NODE: "24",
    STEP_BY: "2",
    OBS_PER_ITER: "30",
    TIMEOUT: "600",
    POLL_INTERVAL: "10",
    PROBLEM_SIZE_ARRAY: "5000",
    PROBLEM_SIZE_DATAFRAMES: "3000",
    ACCOUNT: "acct",
    RES_FILE_NAME: "bench1",
  };
  const c = resolveConfig(src({ dotenv, dotenvPath: ".env" }), opts);
  assertEquals(c.provider, "slurm");
  assertEquals(c.cores, [1, ...Array.from({ length: 24 }, (_, i) => 2 * (i + 1))]);
  assertEquals([c.coresPerNode, c.reps, c.timeout, c.pollInterval, c.name], [
    24,
    30,
    600,
    10,
    "bench1",
  ]);
  assertEquals(c.params, { size: "5000" });
  assertEquals(c.layout, "ranks");
  assertEquals(
    resolveConfig(src({ dotenv, flags: { layout: "threads" } }), opts).layout,
    "threads",
  );
  assertEquals(c.providerSettings, { account: "acct" });
  assertEquals(c.warnings, []);
  assertEquals(resolveConfig(src({ dotenv: { KUBE: "True" } }), opts).provider, "kubernetes");
  assertEquals(
    resolveConfig(src({ dotenv: { KUBE: "True" }, flags: { provider: "local" } }), opts).provider,
    "local",
  );
});

Deno.test("resolveConfig() lets --set override dask-bench problem sizes", () => {
  const c = resolveConfig(src({ env: { PROBLEM_SIZE_DATAFRAMES: "100" } }), {
    ...opts,
    set: { rows: "7" },
  });
  assertEquals(c.params, { rows: "7" });
});

Deno.test("resolveConfig() warns about unknown .env keys and names a bad value's key and file", () => {
  assertEquals(resolveConfig(src({ dotenv: { NOPE: "1" }, dotenvPath: "a.env" }), opts).warnings, [
    "Ignoring keys in 'a.env' that do nothing here: NOPE (unknown)",
  ]);
  assertThrows(
    () => resolveConfig(src({ dotenv: { OBS_PER_ITER: "abc" }, dotenvPath: "a.env" }), opts),
    ValidationError,
    "Key OBS_PER_ITER in 'a.env' expects a whole number (got 'abc')",
  );
  assertThrows(
    () => resolveConfig(src({ env: { TIMEOUT: "-1" } }), opts),
    ValidationError,
    "Environment variable TIMEOUT expects a number ≥ 0 (got '-1')",
  );
  assertThrows(
    () => resolveConfig(src({ flags: { order: "zigzag" } }), opts),
    ValidationError,
    "Flag --order expects one of sequential, interleaved, random (got 'zigzag')",
  );
  assertThrows(
    () => resolveConfig(src({ flags: { provider: "nope" } }), opts),
    ValidationError,
    "Unknown provider 'nope' (--provider; known: local, slurm, kubernetes; or a plugin: ./file.ts, a URL or an npm: specifier)",
  );
  assertThrows(
    () => resolveConfig(src({ flags: { name: "a b" } }), opts),
    ValidationError,
    "Flag --name expects letters",
  );
});
