import { assertEquals, assertRejects, assertStringIncludes } from "./_assert.ts";
import { ValidationError } from "./errors.ts";
import { parseJsonl, readRun, RunStore } from "./results.ts";
import type { Manifest, Observation } from "./types.ts";

function manifest(runId: string): Manifest {
  return {
    schema_version: 1,
    run_id: runId,
    name: null,
    workload: {
      name: "w",
      ref: "w",
      summary: "",
      params: {},
      operations: ["op"],
      source: null,
      sha256: null,
    },
    mode: "strong",
    provider: { name: "local", settings: {}, jobs: [] },
    plan: {
      cores: [1],
      layout: "threads",
      cores_per_node: 1,
      reps: 1,
      warmup: 0,
      order: "sequential",
      seed: 1,
      timeout: 0,
      points: [],
    },
    environment: {
      host: "h",
      cpu_model: null,
      cores: 1,
      memory_bytes: null,
      os: "linux",
      deno: "2",
      v8: "1",
      scalebench: "0",
    },
    started_at: "2026-01-01T00:00:00.000Z",
    ended_at: null,
    status: "running",
    resumes: [],
    command: [],
  };
}

const obs = (rep: number): Observation => ({
  workload: "w",
  op: "op",
  mode: "strong",
  cores: 1,
  nodes: 1,
  ranks: 1,
  threads: 1,
  rep,
  warmup: false,
  seconds: 0.5,
  rank_seconds: [0.5],
  ok: true,
  error: null,
  unit: null,
  rate: null,
  peak_rss_bytes: 10,
  size: 3,
});

Deno.test("RunStore appends observations that readRun() reads back, and updates the manifest atomically", async () => {
  const dir = await Deno.makeTempDir();
  const store = await RunStore.create(dir, manifest("r1"));
  store.appendObservation(obs(0));
  store.appendObservation(obs(1));
  store.appendMonitor({ t: 1, rank: 0, rss_bytes: 5, cpu_percent: 50 });
  await store.updateManifest((m) => (m.status = "complete"));
  store.close();
  const run = await readRun(`${dir}/r1`);
  assertEquals(run.observations, [obs(0), obs(1)]);
  assertEquals(run.monitor, [{ t: 1, rank: 0, rss_bytes: 5, cpu_percent: 50 }]);
  assertEquals(run.manifest.status, "complete");
  assertEquals(run.warnings, []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readRun() ignores a torn last line with a warning, and RunStore.open() trims it before appending", async () => {
  const dir = await Deno.makeTempDir();
  const store = await RunStore.create(dir, manifest("r2"));
  store.appendObservation(obs(0));
  store.close();
  await Deno.writeTextFile(`${dir}/r2/observations.jsonl`, '{"workload":"w","op":', {
    append: true,
  });
  const warnings: string[] = [];
  const run = await readRun(`${dir}/r2`, { onWarning: (w) => warnings.push(w) });
  assertEquals(run.observations.length, 1);
  assertEquals(warnings.length, 1);
  assertStringIncludes(warnings[0], "Ignoring a torn last line in");
  const { store: again } = await RunStore.open(`${dir}/r2`);
  again.appendObservation(obs(1));
  again.close();
  assertEquals((await readRun(`${dir}/r2`)).observations, [obs(0), obs(1)]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readRun() rejects a directory without a manifest, and create() an existing run", async () => {
  const dir = await Deno.makeTempDir();
  await assertRejects(
    () => readRun(dir),
    ValidationError,
    "is not a scalebench run directory (no manifest.json)",
  );
  (await RunStore.create(dir, manifest("r3"))).close();
  await assertRejects(
    () => RunStore.create(dir, manifest("r3")),
    ValidationError,
    "already exists",
  );
  await assertRejects(
    () => RunStore.create("/proc/nope", manifest("r4")),
    ValidationError,
    "Cannot write results to '/proc/nope' (-o)",
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("parseJsonl() skips a malformed middle line with its line number", () => {
  const w: string[] = [];
  assertEquals(
    parseJsonl('{"a":1}\nnot json\n{"a":2}\n', { file: "f", onWarning: (m) => w.push(m) }),
    [{ a: 1 }, { a: 2 }],
  );
  assertEquals(w, ["Ignoring malformed line 2 in 'f'"]);
});
