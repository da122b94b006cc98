import { assert, assertEquals, assertMatch, assertStringIncludes } from "../core/_assert.ts";
import { readRun } from "../core/results.ts";
import { cli, spawnCli } from "./_cli.ts";

const tmp = () => Deno.makeTempDir({ prefix: "scalebench-cli-" });

Deno.test("run amdahl --json records every observation and exits 0", async () => {
  const out = await tmp();
  const r = await cli([
    "run",
    "amdahl",
    "--set",
    "s=0.2",
    "--set",
    "work=50",
    "-c",
    "1,2",
    "-r",
    "3",
    "-o",
    out,
    "--json",
  ]);
  assertEquals(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assertEquals([result.status, result.observations, result.failed], ["complete", 6, 0]);
  const run = await readRun(result.run_dir);
  assertEquals(run.observations.map((o) => [o.cores, o.threads, o.rep, o.ok]), [
    [1, 1, 0, true],
    [1, 1, 1, true],
    [1, 1, 2, true],
    [2, 2, 0, true],
    [2, 2, 1, true],
    [2, 2, 2, true],
  ]);
  assertEquals(run.manifest.workload.params, { s: 0.2, work: 50 });
  assertMatch(run.manifest.workload.sha256 ?? "", /^[0-9a-f]{64}$/);
  assertEquals(run.manifest.command.slice(0, 3), ["scalebench", "run", "amdahl"]);
  await Deno.remove(out, { recursive: true });
});

Deno.test("bad input gets one plain line on stderr and exit 2", async () => {
  const dir = await tmp();
  await Deno.writeTextFile(`${dir}/bad.env`, "OBS_PER_ITER=abc\n");
  await Deno.writeTextFile(`${dir}/throws.ts`, 'throw new Error("boom at import");\n');
  await Deno.writeTextFile(`${dir}/nodefault.ts`, "export const x = 1;\n");
  await Deno.writeTextFile(`${dir}/ro`, "");
  const cases: [string[], string][] = [
    [["run", "nope"], "Unknown workload 'nope' (known: "],
    [["run", "amdahl", "-c", "0"], "Flag --cores expects core counts of at least 1 (got '0'"],
    [
      ["run", "amdahl", "-c", "2..1"],
      "Flag --cores has a range whose end is below its start (got '2..1'",
    ],
    [
      ["run", "amdahl", "--set", "s=1.5"],
      "Parameter 's' of workload 'amdahl' must be ≤ 1 (got '1.5')",
    ],
    [
      ["run", "amdahl", "--set", "nosuch=1"],
      "Unknown parameter 'nosuch' for workload 'amdahl' (known: s, work)",
    ],
    [
      ["run", "amdahl", "--env-file", `${dir}/bad.env`],
      `Key OBS_PER_ITER in '${dir}/bad.env' expects a whole number (got 'abc')`,
    ],
    [["run", "amdahl", "-o", `${dir}/ro/sub`], `Cannot write results to '${dir}/ro/sub' (-o)`],
    [
      ["run", `${dir}/throws.ts`],
      `Workload file '${dir}/throws.ts' failed to load: boom at import`,
    ],
    [
      ["run", `${dir}/nodefault.ts`],
      `Workload file '${dir}/nodefault.ts' has no default export made with defineWorkload`,
    ],
    [["run", "amdahl", "--bogus"], "Unknown option '--bogus'"],
    [["run", "amdahl", "-p", "nope"], "Unknown provider 'nope'"],
    [
      ["run", "amdahl", "--layout", "diagonal"],
      "Unknown layout 'diagonal' for --layout (known: threads, ranks, ranks:T)",
    ],
    [["show", dir], `'${dir}' is not a scalebench run directory (no manifest.json)`],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args, { cwd: dir });
    assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    const lines = r.stderr.trim().split("\n");
    assertEquals(lines.length, 1, `${args.join(" ")} printed ${lines.length} lines: ${r.stderr}`);
    assertStringIncludes(lines[0], message);
    assert(!/\bat .*:\d+:\d+/.test(r.stderr), `stack trace in: ${r.stderr}`);
  }
  await Deno.remove(dir, { recursive: true });
});

async function lineCount(path: string): Promise<number> {
  try {
    return (await Deno.readTextFile(path)).split("\n").filter((l) => l.trim()).length;
  } catch {
    return 0;
  }
}

Deno.test("kill -9 of the driver mid-sweep, then --resume completes with no duplicate and no loss", async () => {
  const out = await tmp();
  const child = spawnCli([
    "run",
    "amdahl",
    "-c",
    "1,2",
    "--layout",
    "ranks",
    "-r",
    "6",
    "--warmup",
    "1",
    "--set",
    "work=150",
    "-o",
    out,
    "--name",
    "killed",
  ]);
  const obsFile = `${out}/killed/observations.jsonl`;
  for (let i = 0; i < 300 && (await lineCount(obsFile)) < 4; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGKILL");
  await child.status;
  await child.stdout.cancel();
  await child.stderr.cancel();
  const before = await lineCount(obsFile);
  assert(before >= 4 && before < 14, `killed after ${before} observations`);
  const r = await cli(["run", "--resume", `${out}/killed`, "--json"]);
  assertEquals(r.code, 0, r.stderr);
  const run = await readRun(`${out}/killed`);
  const keys = run.observations.map((o) => `${o.cores}/${o.rep}/${o.warmup}`);
  assertEquals(new Set(keys).size, keys.length, "duplicates");
  const expected = [1, 2].flatMap((
    c,
  ) => [`${c}/0/true`, ...[0, 1, 2, 3, 4, 5].map((rep) => `${c}/${rep}/false`)]);
  assertEquals([...keys].sort(), expected.sort());
  assertEquals(run.manifest.status, "complete");
  assertEquals(run.manifest.resumes.length, 1);
  assertEquals(JSON.parse(r.stdout).recorded, 14 - before);
  const again = await cli(["run", "amdahl", "--set", "s=0.5", "--resume", `${out}/killed`]);
  assertEquals(again.code, 2);
  assertStringIncludes(again.stderr, "--resume cannot change it to '0.5'");
  // the manifest's configuration is the run's: a flag that contradicts it is refused, naming both
  assertEquals(run.manifest.config?.cores, [1, 2]);
  const cores = await cli(["run", "--resume", `${out}/killed`, "-c", "1,2,4"]);
  assertEquals([cores.code, cores.stderr.trim()], [
    2,
    `--cores '1,2,4' contradicts run '${out}/killed', which was made with '1,2': resume without it, or start a new run`,
  ]);
  const provider = await cli(["run", "--resume", `${out}/killed`, "-p", "slurm"]);
  assertEquals(provider.code, 2);
  assertStringIncludes(provider.stderr, "--provider 'slurm' contradicts run");
  // the same values, and settings that only change how the run is watched, are fine
  const same = await cli([
    "run",
    "--resume",
    `${out}/killed`,
    "-c",
    "1,2",
    "--layout",
    "ranks",
    "--timeout",
    "60",
    "--json",
  ]);
  assertEquals([same.code, JSON.parse(same.stdout).recorded], [0, 0], same.stderr);
  await Deno.remove(out, { recursive: true });
});

Deno.test("init scaffolds a workload and a test that pass as generated", async () => {
  const dir = await tmp();
  const r = await cli(["init", "my-bench", "--dir", dir]);
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stdout, `Created ${dir}/my_bench.ts and ${dir}/my_bench_test.ts`);
  // run where it was put: its deno.json maps scalebench/testing to this checkout's testing.ts
  assertStringIncludes(r.stdout, `Mapped scalebench/testing in ${dir}/deno.json`);
  const test = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--quiet", "my_bench_test.ts"],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(test.stdout) + new TextDecoder().decode(test.stderr);
  assertEquals(test.code, 0, text);
  assertStringIncludes(text, "1 passed");
  const check = await new Deno.Command(Deno.execPath(), {
    args: ["check", "my_bench.ts", "my_bench_test.ts"],
    cwd: dir,
    stderr: "piped",
  }).output();
  assertEquals(check.code, 0, new TextDecoder().decode(check.stderr));
  const again = await cli(["init", "my-bench", "--dir", dir]);
  assertEquals(again.code, 2);
  assertStringIncludes(again.stderr, "already exists");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("show prints the run and a table per operation; list names workloads and providers", async () => {
  const out = await tmp();
  const r = await cli([
    "run",
    "amdahl",
    "--set",
    "work=20",
    "-c",
    "1,2",
    "-r",
    "2",
    "-o",
    out,
    "--name",
    "shown",
  ]);
  assertEquals(r.code, 0, r.stderr);
  const s = await cli(["show", `${out}/shown`]);
  assertEquals(s.code, 0, s.stderr);
  assertStringIncludes(s.stdout, "Run shown — complete");
  assertMatch(s.stdout, /^ {4}1 {2}.*\b1×1 {5}2 {2}/m);
  assertMatch(s.stdout, /^ {4}2 {2}.*\b1×2 {5}2 {2}/m);
  const l = await cli(["list"]);
  assertEquals(l.code, 0);
  assertStringIncludes(l.stdout, "amdahl");
  assertStringIncludes(
    l.stdout,
    "--set s (float [0..1], default 0.1): Serial fraction of the",
  );
  assertStringIncludes(l.stdout, "local");
  // the flag column stays aligned however the help wraps
  const lp = await cli(["list", "providers"]);
  assertMatch(lp.stdout, /^ {6}--pin {27}Pin each local rank/m);
  assertMatch(lp.stdout, /^ {6}--account <name> {16}Slurm account to charge/m);
  for (const what of ["providers", "workloads"]) {
    const j = await cli(["list", what, "--json"]); // one JSON document, never wrapped
    assertEquals([j.code, Array.isArray(JSON.parse(j.stdout))], [0, true]);
  }
  const v = await cli(["--version"]);
  assertEquals([v.code, v.stdout.trim()], [
    0,
    JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url))).version,
  ]);
  await Deno.remove(out, { recursive: true });
});

Deno.test("run dataframes --env-file <dask-bench .env> --dry-run --json prints the plan dask-bench would run", async () => {
  const dir = await tmp();
  const env = await Deno.readTextFile(new URL("./testdata/env/dask-bench.env", import.meta.url));
  for (const [kube, provider] of [["False", "slurm"], ["True", "kubernetes"]]) {
    await Deno.writeTextFile(`${dir}/d.env`, env.replace("KUBE=False", `KUBE=${kube}`));
    const r = await cli(
      ["run", "dataframes", "--env-file", `${dir}/d.env`, "--dry-run", "--json"],
      { cwd: dir },
    );
    assertEquals(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout);
    assertEquals([plan.workload, plan.provider, plan.reps, plan.layout, plan.mode], [
      "dataframes",
      provider,
      30,
      "ranks",
      "weak",
    ]);
    assertEquals(plan.params.rows, 3000);
    const cores = [1, ...Array.from({ length: 24 }, (_, i) => 2 * (i + 1))];
    assertEquals(plan.points.map((p: { cores: number }) => p.cores), cores);
    assertEquals(
      plan.points.map((p: { nodes: number }) => p.nodes),
      cores.map((c) => Math.ceil(c / 24)),
    );
    assertEquals(plan.points[24].rows, undefined);
    assertEquals(plan.points[24].params.rows, 3000 * 48);
    assertEquals(plan.jobs.length, 25);
    const submit = JSON.stringify(plan.jobs[24].submit);
    if (provider === "slurm") {
      for (
        const d of [
          "--nodes=2",
          "--ntasks=48",
          "--account=account_name_on_SLURM",
          "--partition=partition_name_on_SLURM",
          "--time=36:00:00",
          "--mem=300G",
          "--exclusive",
        ]
      ) {
        assertStringIncludes(submit, d);
      }
    } else {
      for (const d of ["daskbench", "docker.io/pasianeight/daskbench:thin", "Indexed"]) {
        assertStringIncludes(submit, d);
      }
    }
  }
  // nothing was started or written besides our .env
  const entries = [];
  for await (const e of Deno.readDir(dir)) entries.push(e.name);
  assertEquals(entries, ["d.env"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a rank whose reader goes away exits quietly with 141", async () => {
  const dir = await tmp();
  const spec = {
    run_id: "r",
    batch: "b",
    workload: "amdahl",
    mode: "strong",
    point: {
      index: 0,
      cores: 1,
      nodes: 1,
      ranks: 1,
      threads: 1,
      params: { s: 0.1, work: 200 },
      size: 0,
    },
    tasks: Array.from(
      { length: 50 },
      (_, rep) => ({ op: "burn", rep, warmup: false, record: true }),
    ),
    seed: 1,
    monitor_interval: 0,
    rendezvous: { host: "127.0.0.1", port: 0, timeout: 10 },
  };
  await Deno.writeTextFile(`${dir}/spec.json`, JSON.stringify(spec));
  const main = new URL("../cli/main.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", main, "rank"],
    env: { SCALEBENCH_SPEC_FILE: `${dir}/spec.json`, SCALEBENCH_TOKEN: "t", SCALEBENCH_RANK: "0" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes('"type":"obs"')) seen += (await reader.read()).value ?? "";
  await reader.cancel();
  const status = await child.status;
  const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
  assertEquals(status.code, 141);
  assertEquals(stderr, "");
  await Deno.remove(dir, { recursive: true });
});
