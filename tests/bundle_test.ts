import { assertEquals } from "../core/_assert.ts";
import { readRun } from "../core/results.ts";

const ROOT = new URL("../", import.meta.url);

async function sh(cmd: string[], cwd?: string): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

Deno.test("the bundle runs sweeps with threads, monitoring and a user's workload file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scalebench-bundle-" });
  const bundle = `${dir}/scalebench.js`;
  const built = await sh([
    Deno.execPath(),
    "bundle",
    "--quiet",
    "-o",
    bundle,
    new URL("cli/main.ts", ROOT).pathname,
  ], ROOT.pathname);
  assertEquals(built.code, 0, built.out);
  const sb = [Deno.execPath(), "run", "-A", "--quiet", bundle];
  const init = await sh([...sb, "init", "user-work", "--dir", dir], dir);
  assertEquals(init.code, 0, init.out);
  // generated from the bundle: no import of a mod.ts that is not there, no path of this machine
  // in the test; it imports the workload and measure() from "scalebench/testing", which the
  // deno.json beside it maps to the bundle, and passes as generated (threads started from the
  // bundle imported by the test, not run)
  const [work, test, config] = await Promise.all(
    ["user_work.ts", "user_work_test.ts", "deno.json"].map((f) => Deno.readTextFile(`${dir}/${f}`)),
  );
  assertEquals([work.includes("import"), test.includes(dir)], [false, false]);
  assertEquals(
    test.match(/^import .*$/gm),
    ['import { measure } from "scalebench/testing";', 'import userWork from "./user_work.ts";'],
  );
  assertEquals(JSON.parse(config), {
    imports: { "scalebench/testing": new URL(`file://${bundle}`).href },
  });
  const check = await sh([Deno.execPath(), "check", `${dir}/user_work.ts`], dir);
  assertEquals(check.code, 0, check.out);
  const generated = await sh([Deno.execPath(), "test", "-A", "user_work_test.ts"], dir);
  assertEquals(generated.code, 0, generated.out);
  // deno-lint-ignore no-control-regex
  const plain = generated.out.replace(/\x1b\[[0-9;]*m/g, "");
  assertEquals(plain.includes("ok | 1 passed | 0 failed"), true, plain);
  for (const workload of ["amdahl", `${dir}/user_work.ts`]) {
    const r = await sh([
      ...sb,
      "run",
      workload,
      "-c",
      "1,2",
      "-r",
      "1",
      "-o",
      `${dir}/out`,
      "--set",
      workload === "amdahl" ? "work=20" : "n=100000",
      "--json",
    ], dir);
    assertEquals(r.code, 0, r.out);
    const result = JSON.parse(r.out.trim().split("\n").pop()!);
    assertEquals([result.observations, result.failed], [2, 0]);
    const run = await readRun(result.run_dir);
    assertEquals(run.observations.map((o) => [o.cores, o.threads, o.ok]), [[1, 1, true], [
      2,
      2,
      true,
    ]]);
    assertEquals(run.monitor.length > 0, true);
  }
  await Deno.remove(dir, { recursive: true });
});
