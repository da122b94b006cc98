/**
 * The `./scalebench` launcher: it finds Deno 2.9.6 and execs it, so flags reach scalebench and
 * Ctrl-C or a SIGTERM to the launcher's process reaches the sweep (exit 130, no rank left).
 */
import assert from "node:assert/strict";
import { VERSION } from "../core/version.ts";
import { assertNoRanksLeft, FAULTY, rankProcesses } from "./provider_conformance.ts";

const LAUNCHER = new URL("../scalebench", import.meta.url).pathname;
const dec = new TextDecoder();

/** Run the launcher to the end with `env` (the test's own Deno unless env says otherwise). */
async function launch(args: string[], env: Record<string, string> = {}, cwd?: string) {
  const out = await new Deno.Command(LAUNCHER, {
    args,
    env: { SCALEBENCH_DENO: Deno.execPath(), NO_COLOR: "1", ...env },
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** The one run directory under `out`, once it exists. */
async function runDirIn(out: string): Promise<string> {
  for (;;) {
    try {
      for await (const e of Deno.readDir(out)) if (e.isDirectory) return `${out}/${e.name}`;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.test({
    name: `./scalebench passes ${signal} to the sweep: exit 130, no rank left, run resumable`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const dir = await Deno.makeTempDir({ prefix: "scalebench-launcher-" });
      // a flag Node would take for its own (--env-file) must reach scalebench
      await Deno.writeTextFile(`${dir}/x.env`, "SCALEBENCH_REPS=1\n");
      const child = new Deno.Command(LAUNCHER, {
        args: [
          "run",
          FAULTY,
          "--set",
          "fault=hang",
          "-c",
          "2",
          "--layout",
          "ranks",
          "--env-file",
          "x.env",
          "-o",
          `${dir}/out`,
        ],
        cwd: dir,
        env: { SCALEBENCH_DENO: Deno.execPath(), NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const runDir = await runDirIn(`${dir}/out`);
      while ((await rankProcesses(runDir)).length < 2) {
        await new Promise((r) => setTimeout(r, 100));
      }
      // the launcher's process is Deno itself (exec), not a shell or Node in between
      assert.equal(
        await Deno.realPath(`/proc/${child.pid}/exe`),
        await Deno.realPath(Deno.execPath()),
      );
      child.kill(signal);
      const out = await child.output();
      assert.equal(out.code, 130, dec.decode(out.stderr));
      await assertNoRanksLeft(runDir);
      const manifest = JSON.parse(await Deno.readTextFile(`${runDir}/manifest.json`));
      assert.equal(manifest.status, "interrupted");
      await Deno.remove(dir, { recursive: true });
    },
  });
}

Deno.test("./scalebench passes every flag to scalebench, from any directory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scalebench-launcher-" });
  await Deno.writeTextFile(`${dir}/x.env`, "SCALEBENCH_REPS=3\n");
  const r = await launch(
    ["run", "amdahl", "--env-file", "x.env", "-c", "1", "--dry-run", "--json"],
    {},
    dir,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).reps, 3);
  assert.deepEqual(await launch(["--version"]), { code: 0, stdout: `${VERSION}\n`, stderr: "" });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("./scalebench takes Deno 2.9.6 from PATH and refuses another version", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scalebench-launcher-" });
  await Deno.symlink(Deno.execPath(), `${dir}/deno`);
  const path = `${dir}:/usr/bin:/bin`;
  assert.deepEqual(await launch(["--version"], { SCALEBENCH_DENO: "", PATH: path }), {
    code: 0,
    stdout: `${VERSION}\n`,
    stderr: "",
  });
  await Deno.writeTextFile(`${dir}/old`, "#!/bin/sh\necho 'deno 1.46.3 (stable)'\n", {
    mode: 0o755,
  });
  assert.deepEqual(await launch(["--version"], { SCALEBENCH_DENO: `${dir}/old` }), {
    code: 2,
    stdout: "",
    stderr: `scalebench: SCALEBENCH_DENO='${dir}/old' is not Deno 2.9.6\n`,
  });
  await Deno.remove(dir, { recursive: true });
});
