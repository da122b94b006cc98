/**
 * A provider plugin loaded by path from a temporary directory — the README's example, verbatim —
 * type-checks against `scalebench/testing`, passes the provider conformance suite, and runs from
 * the command line with its own flag (`-p ./launcher_provider.ts --launcher …`), resumable.
 */
import assert from "node:assert/strict";
import { readRun } from "../core/results.ts";
import { ValidationError } from "../core/errors.ts";
import { getProvider, loadProvider } from "../providers/mod.ts";
import { cli } from "./_cli.ts";
import { assertNoRanksLeft, providerConformance } from "../testing.ts";

const SOURCE = new URL("./testdata/plugins/launcher_provider.ts", import.meta.url);
const ROOT = new URL("../", import.meta.url).pathname;
const dir = await Deno.makeTempDir({ prefix: "scalebench-plugin-" });
const plugin = `${dir}/launcher_provider.ts`;
await Deno.copyFile(SOURCE, plugin);
const { provider, ref } = await loadProvider(plugin);

Deno.test("loadProvider() loads a plugin by path; the README shows it verbatim", async () => {
  assert.equal(provider.name, "launcher");
  assert.equal(ref, `file://${plugin}`);
  assert.deepEqual(Object.keys(provider.settings), ["launcher"]);
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  assert.ok(readme.includes(await Deno.readTextFile(SOURCE)), "README has the plugin's code");
});

Deno.test("the plugin type-checks against scalebench/testing", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  await Deno.writeTextFile(
    `${dir}/deno.json`,
    JSON.stringify({
      // a project that depends on scalebench: its dependencies, and scalebench/testing
      imports: { ...config.imports, "scalebench/testing": `${ROOT}testing.ts` },
      compilerOptions: config.compilerOptions,
      nodeModulesDir: "auto",
      lock: false,
    }),
  );
  await Deno.symlink(`${ROOT}node_modules`, `${dir}/node_modules`).catch(() => {});
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--quiet", "--config", `${dir}/deno.json`, plugin],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
});

providerConformance({
  provider,
  settings: { launcher: "nice -n 1" },
  assertNothingLeft: ({ runDir }) => assertNoRanksLeft(runDir, 2),
});

Deno.test({
  name: "run -p ./plugin.ts --launcher … runs through the plugin, records it and resumes with it",
  sanitizeResources: false,
  async fn() {
    const out = `${dir}/results`;
    const args = ["-c", "1,2", "--layout", "ranks", "-r", "1", "--set", "work=10", "-o", out];
    const r = await cli([
      "run",
      "amdahl",
      "-p",
      "./launcher_provider.ts",
      "--launcher",
      "nice -n 2",
      ...args,
      "--json",
    ], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const { run_dir } = JSON.parse(r.stdout);
    const run = await readRun(run_dir);
    assert.deepEqual(
      [
        run.manifest.provider.name,
        run.manifest.config?.provider,
        run.manifest.config?.providerSettings,
      ],
      ["launcher", `file://${plugin}`, { launcher: "nice -n 2" }],
    );
    assert.deepEqual(run.observations.map((o) => [o.cores, o.ok]), [[1, true], [2, true]]);
    const spec = await Deno.readTextFile(`${run_dir}/logs/p00-c001-b00.spec.json`).catch(() => "");
    assert.ok(spec.includes('"run_id"') || spec === "", "spec saved");
    const again = await cli(["run", "--resume", run_dir, "--json"], { cwd: ROOT });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).recorded, 0);
    const bad = await cli(["run", "--resume", run_dir, "--launcher", "nice -n 3"], { cwd: ROOT });
    assert.equal(bad.code, 2);
    assert.equal(
      bad.stderr.trim(),
      `--launcher 'nice -n 3' contradicts run '${run_dir}', which was made with 'nice -n 2': resume without it, or start a new run`,
    );
  },
});

Deno.test({
  name: "run names the plugin in an env file (SCALEBENCH_PROVIDER=./plugin.ts) with its settings",
  sanitizeResources: false,
  async fn() {
    const env = `${dir}/plugin.env`;
    await Deno.writeTextFile(
      env,
      "SCALEBENCH_PROVIDER=./launcher_provider.ts\nLAUNCHER=nice -n 4\n",
    );
    const r = await cli([
      "run",
      "amdahl",
      "--env-file",
      env,
      "-c",
      "1",
      "-r",
      "1",
      "--set",
      "work=5",
      "-o",
      `${dir}/from_env`,
      "--json",
    ], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const run = await readRun(JSON.parse(r.stdout).run_dir);
    assert.deepEqual(
      [run.manifest.provider.name, run.manifest.config?.providerSettings, run.observations.length],
      ["launcher", { launcher: "nice -n 4" }, 1],
    );
  },
});

Deno.test({
  name: "the bundle loads the plugin by path too (its API arrives as a parameter)",
  sanitizeResources: false,
  async fn() {
    const bundle = `${dir}/scalebench.js`;
    const built = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "-o", bundle, `${ROOT}cli/main.ts`],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(built.code, 0, new TextDecoder().decode(built.stderr));
    const r = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--quiet",
        bundle,
        "run",
        "amdahl",
        "-p",
        "./launcher_provider.ts",
        "--launcher",
        "nice -n 1",
        "-c",
        "2",
        "--layout",
        "ranks",
        "-r",
        "1",
        "--set",
        "work=5",
        "-o",
        `${dir}/bundled`,
        "--json",
      ],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    assert.equal(r.code, 0, dec.decode(r.stderr));
    const run = await readRun(JSON.parse(dec.decode(r.stdout)).run_dir);
    assert.deepEqual(
      [run.manifest.provider.name, run.observations.map((o) => [o.ranks, o.ok])],
      ["launcher", [[2, true]]],
    );
  },
});

Deno.test({
  name: "loadProvider() loads a plugin by URL, and names what is wrong with a bad one",
  sanitizeResources: false,
  async fn() {
    const code = await Deno.readTextFile(SOURCE);
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () => new Response(code, { headers: { "content-type": "application/typescript" } }),
    );
    try {
      // in a process of its own without the lock file: the test must not add the served
      // module's hash to the project's deno.lock
      const url = `http://127.0.0.1:${server.addr.port}/launcher_provider.ts`;
      const script = `import { loadProvider } from "${ROOT}providers/mod.ts";
        const l = await loadProvider(${JSON.stringify(url)});
        console.log(JSON.stringify([l.provider.name, l.ref]));`;
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["eval", "--quiet", "--no-lock", "--config", `${ROOT}deno.json`, script],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), ["launcher", url]);
    } finally {
      await server.shutdown();
    }
    await assert.rejects(
      loadProvider(`${dir}/nope.ts`, { flag: "--provider" }),
      new ValidationError(
        `Provider plugin '${dir}/nope.ts' (--provider) is not a readable file`,
      ),
    );
    await Deno.writeTextFile(`${dir}/not_a_provider.ts`, "export default { name: 'x' };\n");
    await assert.rejects(
      loadProvider(`${dir}/not_a_provider.ts`),
      new ValidationError(
        `Provider plugin '${dir}/not_a_provider.ts' has no default export that is a provider (an object with name, settings and open(), or a function returning one)`,
      ),
    );
    assert.throws(
      () => getProvider("pbs"),
      /^ValidationError: Unknown provider 'pbs' \(known: local, slurm, kubernetes[\w, ]*; or a plugin: \.\/file\.ts, a URL or an npm: specifier\)$/,
    );
  },
});
