import { assert, assertEquals, assertStringIncludes } from "../core/_assert.ts";
import { cli } from "./_cli.ts";
import { FIXTURES } from "./_report.ts";

async function copyRun(src: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "scalebench-run-" });
  for await (const e of Deno.readDir(src)) {
    if (e.isFile) await Deno.copyFile(`${src}/${e.name}`, `${dir}/${e.name}`);
  }
  return dir;
}

Deno.test("scalebench report prints the index path; default -o is <first run dir>/report", async () => {
  const run = await copyRun(FIXTURES.amdahl);
  const r = await cli(["report", run]);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.stdout.trim(), `${run}/report/index.html`);
  assertEquals(r.stderr, "");
  assertStringIncludes(await Deno.readTextFile(`${run}/report/run-amdahl-s02.html`), "Amdahl");
});

Deno.test("scalebench report --format md|csv|json -o DIR writes one file", async () => {
  const out = await Deno.makeTempDir();
  for (
    const [format, file] of [["md", "report.md"], ["csv", "report.csv"], ["json", "report.json"]]
  ) {
    const r = await cli(["report", FIXTURES.amdahl, FIXTURES.slurm, "-o", out, "--format", format]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout.trim(), `${out}/${file}`);
  }
});

Deno.test("scalebench report warns on stderr about a torn last line and still renders", async () => {
  const out = await Deno.makeTempDir();
  const r = await cli(["report", FIXTURES.torn, "-o", out]);
  assertEquals(r.code, 0);
  assertEquals(r.stdout.trim(), `${out}/index.html`);
  assertEquals(r.stderr.trim().split("\n").length, 1);
  assertStringIncludes(r.stderr, "Ignoring a torn last line in");
});

Deno.test("scalebench report: bad input is one line on stderr and exit 2", async () => {
  const out = await Deno.makeTempDir();
  const notRun = await Deno.makeTempDir();
  const cases: [string[], string][] = [
    [
      ["report", FIXTURES.amdahl, "-o", out, "--format", "pdf"],
      "Unknown format 'pdf' for --format (known: html, md, csv, json)",
    ],
    [
      ["report", notRun, "-o", out],
      `'${notRun}' is not a scalebench run directory (no manifest.json)`,
    ],
    [
      ["report", `${notRun}/missing`, "-o", out],
      `Input '${notRun}/missing' does not exist (RUN_DIR)`,
    ],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args);
    assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assertEquals(r.stderr, message + "\n");
    assertEquals(r.stdout, "");
  }
  const empty = await cli(["report", FIXTURES.empty, "-o", out]);
  assertEquals(empty.code, 0);
  assert((await Deno.readTextFile(`${out}/run-empty.html`)).includes("No observations recorded."));
});
