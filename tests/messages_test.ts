/**
 * Messages for mistakes a user makes: each one names the flag, key or file to fix, exit 2, and
 * nothing runs.
 */
import assert from "node:assert/strict";
import { cli } from "./_cli.ts";

async function inTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "scalebench-messages-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const AMDAHL = ["run", "amdahl", "-c", "1", "-r", "1", "--set", "work=1"];

Deno.test("-o naming a regular file says it is a file, not that a run directory exists", async () => {
  await inTemp(async (dir) => {
    await Deno.writeTextFile(`${dir}/afile`, "");
    const r = await cli([...AMDAHL, "-o", "afile"], { cwd: dir });
    assert.deepEqual(r, {
      code: 2,
      stdout: "",
      stderr: "Flag -o expects a results directory (got 'afile', which is a file)\n",
    });
  });
});

Deno.test("--report naming a regular file names --report, before anything runs", async () => {
  await inTemp(async (dir) => {
    await Deno.writeTextFile(`${dir}/afile`, "");
    const r = await cli([...AMDAHL, "-o", "out", "--report", "afile"], { cwd: dir });
    assert.deepEqual(r, {
      code: 2,
      stdout: "",
      stderr: "Flag --report expects a directory (got 'afile', which is a file)\n",
    });
    await assert.rejects(Deno.stat(`${dir}/out`), Deno.errors.NotFound);
  });
});

Deno.test("an unclosed quote in .env names the file, line and key", async () => {
  await inTemp(async (dir) => {
    await Deno.writeTextFile(`${dir}/x.env`, "# sweep\nSCALEBENCH_CORES='1,2\nSCALEBENCH_REPS=2\n");
    const r = await cli(["run", "amdahl", "--env-file", "x.env", "--dry-run"], { cwd: dir });
    assert.deepEqual(r, {
      code: 2,
      stdout: "",
      stderr:
        "Env file 'x.env' line 2: the value of SCALEBENCH_CORES opens a quote (') that is never closed\n",
    });
  });
});

Deno.test("a bad core list in .env names the key and file (not 'Flag Key …')", async () => {
  await inTemp(async (dir) => {
    await Deno.writeTextFile(`${dir}/x.env`, "SCALEBENCH_CORES='1,a'\n");
    const r = await cli(["run", "amdahl", "--env-file", "x.env", "--dry-run"], { cwd: dir });
    assert.deepEqual(r, {
      code: 2,
      stdout: "",
      stderr:
        "Key SCALEBENCH_CORES in 'x.env' expects whole numbers (got '1,a'; e.g. 1,2,4 or 1..48:2)\n",
    });
  });
});

Deno.test("a failed check's message is printed where it happens, in the words show uses", async () => {
  await inTemp(async (dir) => {
    const faulty = new URL("./testdata/workloads/faulty.ts", import.meta.url).pathname;
    const args = ["run", faulty, "--set", "fault=check", "--set", "at_rep=0", "-c", "1", "-r", "2"];
    const r = await cli([...args, "-o", "out", "--name", "f"], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    const failure = "  ✗ work · 1 core · rep 1: wrong on purpose";
    assert.deepEqual(r.stderr.split("\n").filter((l) => l.startsWith("  ")), [
      failure,
      "  p01-c0001: 1 ok, 1 failed, " + r.stderr.split("1 failed, ")[1].split("\n")[0],
    ]);
    const show = await cli(["show", `${dir}/out/f`]);
    assert.equal(show.code, 0, show.stderr);
    assert.equal(show.stdout.includes(`\n${failure.replace("✗ ", "")}\n`), true, show.stdout);
  });
});
