/**
 * The first run on a fresh machine and the next one (issue #15): README's demo through the
 * `./scalebench` launcher in a clean clone of this checkout's HEAD with an empty `DENO_DIR` and no
 * `node_modules`, then again warm.
 * - cold demo: goal < 10 s, no Download/Initialize lines, at most one "preparing dependencies";
 * - warm demo: goal < 2 s;
 * - for context: npm packages the cold demo installed, and the cold `deno task demo` (Deno's task
 *   runner first installs every package deno.lock pins, tests' included; `--quick` skips it).
 *
 * @module
 */
import { below, BenchReport } from "./_figures.ts";

const report = new BenchReport("cold_start");
const quick = Deno.args.includes("--quick");
const ROOT = new URL("../", import.meta.url).pathname;
/** README's demo (`scalebench demo`, which the `demo` task runs too). */
export const DEMO = ["demo"];
const dec = new TextDecoder();

async function timed(cmd: string[], options: { cwd: string; env: Record<string, string> }) {
  const t = performance.now();
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd: options.cwd,
    env: { NO_COLOR: "1", ...options.env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - t) / 1000;
  return {
    seconds,
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

/** A clean clone of this checkout's HEAD and an empty DENO_DIR beside it. */
async function freshClone(): Promise<{ dir: string; clone: string; env: Record<string, string> }> {
  const dir = await Deno.makeTempDir({ prefix: "scalebench-cold-" });
  const clone = `${dir}/clone`;
  const git = await new Deno.Command("git", { args: ["clone", "-q", ROOT, clone] }).output();
  if (!git.success) throw new Error(`git clone failed: ${dec.decode(git.stderr)}`);
  await Deno.mkdir(`${dir}/deno_dir`);
  return { dir, clone, env: { DENO_DIR: `${dir}/deno_dir`, SCALEBENCH_DENO: Deno.execPath() } };
}

const downloadLines = (text: string) =>
  text.split("\n").filter((l) => /^(Download|Initialize)\b/.test(l)).length;

const fresh = await freshClone();
try {
  const cmd = [`${fresh.clone}/scalebench`, ...DEMO, "-o", `${fresh.dir}/out`];
  const cold = await timed(cmd, { cwd: fresh.clone, env: fresh.env });
  if (cold.code !== 0) report.fail("cold demo", `exit ${cold.code}: ${cold.stderr.slice(-2000)}`);
  else {
    report.figure("cold demo (empty DENO_DIR, no node_modules)", cold.seconds, {
      goal: below(10),
      unit: "s",
    });
    const preparing = cold.stderr.split("\n").filter((l) => /preparing dependencies/.test(l));
    report.check(
      "cold demo prints no download lines, at most one 'preparing dependencies'",
      downloadLines(cold.stderr) === 0 && preparing.length <= 1,
      `${downloadLines(cold.stderr)} Download/Initialize lines, ${preparing.length} preparing`,
    );
    let packages = 0;
    for await (const e of Deno.readDir(`${fresh.clone}/node_modules/.deno`)) {
      if (e.isDirectory && e.name.includes("@")) packages++;
    }
    report.info("npm packages the cold demo installed", packages, { unit: "packages" });
    const warm = await timed(cmd, { cwd: fresh.clone, env: fresh.env });
    if (warm.code !== 0) report.fail("warm demo", `exit ${warm.code}: ${warm.stderr.slice(-2000)}`);
    else report.figure("warm demo", warm.seconds, { goal: below(2), unit: "s" });
  }
} finally {
  await Deno.remove(fresh.dir, { recursive: true });
}

if (!quick) {
  const task = await freshClone();
  try {
    const r = await timed([Deno.execPath(), "task", "demo"], { cwd: task.clone, env: task.env });
    if (r.code !== 0) {
      report.fail("cold deno task demo", `exit ${r.code}: ${r.stderr.slice(-2000)}`);
    } else {
      report.info("cold `deno task demo` (installs all of deno.lock first)", r.seconds, {
        unit: "s",
        detail: `${downloadLines(r.stderr)} Download/Initialize lines`,
      });
    }
  } finally {
    await Deno.remove(task.dir, { recursive: true });
  }
}

report.finish();
