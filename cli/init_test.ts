import assert from "node:assert/strict";
import { ValidationError } from "../core/errors.ts";
import {
  currentLaunch,
  importName,
  type Launch,
  launchExpression,
  scaffold,
  testingModule,
  testTemplate,
  workloadTemplate,
} from "./init.ts";

const CHECKOUT: Launch = {
  kind: "checkout",
  launcher: "/src/sb/scalebench",
  types: "file:///src/sb/mod.ts",
  testing: "file:///src/sb/testing.ts",
};
const BUNDLE: Launch = { kind: "bundle", bundle: "/opt/sb dist/scalebench.js" };
const BINARY: Launch = { kind: "binary", binary: "/usr/bin/sb" };

async function read(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return null;
  }
}

Deno.test("launchExpression() starts a bundle with the test's own Deno, a checkout with its launcher", () => {
  assert.equal(
    launchExpression({ kind: "bundle", bundle: "/opt/sb/scalebench.js" }),
    '[Deno.execPath(), "run", "-A", "--quiet", "/opt/sb/scalebench.js"]',
  );
  assert.equal(launchExpression(CHECKOUT), '["/src/sb/scalebench"]');
  assert.equal(launchExpression(BINARY), '["/usr/bin/sb"]');
});

Deno.test("testingModule() maps scalebench/testing to a checkout's testing.ts or the bundle", () => {
  assert.equal(testingModule(CHECKOUT), "file:///src/sb/testing.ts");
  assert.equal(testingModule(BUNDLE), "file:///opt/sb%20dist/scalebench.js");
  assert.equal(testingModule(BINARY), null);
});

Deno.test("testTemplate() imports the workload and measure(), and nothing of this machine", () => {
  const t = testTemplate("my-bench");
  assert.deepEqual(t.match(/^import .*$/gm), [
    'import { measure } from "scalebench/testing";',
    'import myBench from "./my_bench.ts";',
  ]);
  assert.match(t, /^ {2}const r = await measure\(myBench, \{ cores: \[1, 2\] \}\);$/m);
  assert.match(t, /^ {2}r\.expect\("speedup>=0\.5@2"\);$/m);
  assert.equal(t.includes(Deno.execPath()) || t.includes("file://"), false);
});

Deno.test("importName() makes an identifier of a workload name", () => {
  assert.deepEqual(
    ["sum", "my-bench", "a_b-c", "class", "measure", "x2"].map(importName),
    ["sum", "myBench", "aBC", "classWorkload", "measureWorkload", "x2"],
  );
});

Deno.test("workloadTemplate() imports the API's types only from a mod.ts that exists", () => {
  assert.equal(workloadTemplate("w", null).includes("import"), false);
  const launch = currentLaunch(); // this test: deno running a test file, so a bundle-like main
  assert.equal(launch.kind, "bundle");
  assert.match(
    workloadTemplate("w", "file:///src/mod.ts"),
    /^import type \{ WorkloadApi \} from "file:\/\/\/src\/mod\.ts";$/m,
  );
});

Deno.test("scaffold() maps scalebench/testing in the directory's deno.json, keeping what it has", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scalebench-init-" });
  // none yet: written
  const fresh = await scaffold("one", { dir: `${dir}/fresh`, launch: CHECKOUT });
  assert.deepEqual(fresh, {
    files: [`${dir}/fresh/one.ts`, `${dir}/fresh/one_test.ts`],
    config: `${dir}/fresh/deno.json`,
    notes: [],
  });
  assert.equal(
    await read(`${dir}/fresh/deno.json`),
    '{\n  "imports": {\n    "scalebench/testing": "file:///src/sb/testing.ts"\n  }\n}\n',
  );
  // a second workload beside it: the mapping is there already
  const second = await scaffold("two", { dir: `${dir}/fresh`, launch: BUNDLE });
  assert.deepEqual([second.config, second.notes], [null, []]);
  assert.match((await read(`${dir}/fresh/deno.json`))!, /testing\.ts/);
  // the user's own deno.json: the import added, the rest kept
  await Deno.mkdir(`${dir}/own`);
  await Deno.writeTextFile(
    `${dir}/own/deno.json`,
    JSON.stringify({ imports: { yaml: "npm:yaml@2" }, tasks: { t: "deno test" } }),
  );
  const own = await scaffold("three", { dir: `${dir}/own`, launch: BUNDLE });
  assert.equal(own.config, `${dir}/own/deno.json`);
  assert.deepEqual(JSON.parse((await read(`${dir}/own/deno.json`))!), {
    imports: { yaml: "npm:yaml@2", "scalebench/testing": "file:///opt/sb%20dist/scalebench.js" },
    tasks: { t: "deno test" },
  });
  // a config with comments is left alone, with a note of what to add
  for (
    const [sub, file, text] of [
      ["c1", "deno.jsonc", "{}"],
      ["c2", "deno.json", '{ // mine\n "imports": {} }'],
    ]
  ) {
    await Deno.mkdir(`${dir}/${sub}`);
    await Deno.writeTextFile(`${dir}/${sub}/${file}`, text);
    const kept = await scaffold("four", { dir: `${dir}/${sub}`, launch: BUNDLE });
    assert.deepEqual([kept.config, kept.notes], [null, [
      `Add "scalebench/testing": "file:///opt/sb%20dist/scalebench.js" to "imports" in ${dir}/${sub}/${file}`,
    ]]);
    assert.equal(await read(`${dir}/${sub}/${file}`), text);
    assert.equal(await read(`${dir}/${sub}/deno.json${file === "deno.json" ? "c" : ""}`), null);
  }
  // below a directory whose config maps it (a checkout's): nothing written
  const below = await scaffold("five", { dir: `${dir}/fresh/sub`, launch: CHECKOUT });
  assert.deepEqual([below.config, await read(`${dir}/fresh/sub/deno.json`)], [null, null]);
  // a compiled binary: a test that runs it, no mapping
  const binary = await scaffold("six", { dir: `${dir}/bin`, launch: BINARY });
  assert.equal(binary.config, null);
  assert.match((await read(`${dir}/bin/six_test.ts`))!, /^ {2}\["\/usr\/bin\/sb"\];$/m);
  assert.equal(await read(`${dir}/bin/deno.json`), null);
  await assert.rejects(
    () => scaffold("one", { dir: `${dir}/fresh`, launch: CHECKOUT }),
    (err) => err instanceof ValidationError && /one\.ts' already exists/.test(err.message),
  );
  await Deno.remove(dir, { recursive: true });
});
