/**
 * `deno task bench [filter]`: runs every bench/*_bench.ts (or those whose name contains the filter)
 * one after another, each in its own process, and prints their results.
 *
 * @module
 */
const dir = new URL(".", import.meta.url);
const filter = Deno.args[0] ?? "";
const benches = [];
for await (const e of Deno.readDir(dir)) {
  if (e.isFile && e.name.endsWith("_bench.ts") && e.name.includes(filter)) benches.push(e.name);
}
benches.sort();
let failed = 0;
for (const name of benches) {
  console.log(`\n=== ${name} ===`);
  const t = performance.now();
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", new URL(name, dir).pathname],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  console.log(
    `=== ${name}: ${code === 0 ? "done" : `exit ${code}`} in ${
      ((performance.now() - t) / 1000).toFixed(1)
    } s`,
  );
  if (code !== 0) failed++;
}
Deno.exit(failed ? 1 : 0);
