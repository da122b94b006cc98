import { assertEquals, assertStringIncludes, assertThrows } from "../core/_assert.ts";
import { ValidationError } from "../core/errors.ts";
import { containerfile, IMAGE_DEFAULTS, workloadCopy } from "./image.ts";

Deno.test("containerfile() installs Deno from npm and runs the bundle behind `scalebench`", () => {
  const text = containerfile(IMAGE_DEFAULTS);
  const lines = text.split("\n");
  assertEquals(lines.filter((l) => l.startsWith("FROM ")), [
    "FROM debian:bookworm-slim AS deno",
    "FROM debian:bookworm-slim",
  ]);
  assertStringIncludes(text, " && npm install -g deno@2.9.6 \\\n");
  assertStringIncludes(text, 'COPY ["dist/scalebench.js","/opt/scalebench/scalebench.js"]\n');
  assertStringIncludes(
    text,
    `'exec tini -s -g -- /usr/local/bin/deno run -A --quiet --no-config /opt/scalebench/scalebench.js "$@"'`,
  );
  assertEquals(lines.slice(-5), [
    "USER 10001",
    "WORKDIR /home/scalebench",
    'ENTRYPOINT ["scalebench"]',
    'CMD ["--help"]',
    "",
  ]);
});

Deno.test("containerfile() copies workload files to their absolute paths", () => {
  const text = containerfile({
    ...IMAGE_DEFAULTS,
    base: "debian:trixie-slim",
    workloads: [workloadCopy("work/my_bench.ts", "/home/me/proj")],
  });
  assertStringIncludes(text, 'COPY ["work/my_bench.ts","/home/me/proj/work/my_bench.ts"]\nENV ');
  assertStringIncludes(text, "FROM debian:trixie-slim AS deno\n");
});

Deno.test("workloadCopy() rejects files outside the build context", () => {
  assertEquals(workloadCopy("/home/me/proj/a.ts", "/home/me/proj/"), {
    from: "a.ts",
    to: "/home/me/proj/a.ts",
  });
  assertThrows(
    () => workloadCopy("../other/a.ts", "/home/me/proj"),
    ValidationError,
    "Workload file '../other/a.ts' (--workload) is outside the build context '/home/me/proj'",
  );
});

Deno.test("scalebench image writes the Containerfile once and refuses to overwrite it", async () => {
  const dir = await Deno.makeTempDir();
  const run = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--quiet",
        new URL("./main.ts", import.meta.url).pathname,
        "image",
        ...args,
      ],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return { code: out.code, out: dec.decode(out.stdout), err: dec.decode(out.stderr) };
  };
  const first = await run();
  assertEquals(first.code, 0, first.err);
  assertStringIncludes(
    first.out,
    "Wrote Containerfile. Build and push the image from this directory:\n",
  );
  assertEquals(await Deno.readTextFile(`${dir}/Containerfile`), containerfile(IMAGE_DEFAULTS));
  const again = await run();
  assertEquals([again.code, again.err], [
    2,
    "File 'Containerfile' exists: pass --force to overwrite it, or -o FILE\n",
  ]);
  assertEquals((await run("--force")).code, 0);
  const missing = await run("-o", "-", "--workload", "nope.ts");
  assertEquals([missing.code, missing.err], [
    2,
    "Workload file 'nope.ts' (--workload) does not exist\n",
  ]);
  await Deno.remove(dir, { recursive: true });
});
