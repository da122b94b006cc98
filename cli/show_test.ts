import assert from "node:assert/strict";
import { showRun } from "./show.ts";

const FIXTURE = new URL("../tests/testdata/runs/amdahl-s02", import.meta.url).pathname;
const ALL = [
  "cores",
  "nodes",
  "ranks×thr",
  "reps",
  "median s",
  "mean s",
  "min s",
  "max s",
  "std s",
  "median CI (level)",
  "speedup",
  "eff.",
  "rate",
  "peak RSS",
  "failed",
];

/** Copy directory `from` into the existing directory `to`. */
async function copy(from: string, to: string): Promise<void> {
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) {
      await Deno.mkdir(`${to}/${e.name}`);
      await copy(`${from}/${e.name}`, `${to}/${e.name}`);
    } else await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}

/** The fixture run with its observations changed by `edit`, in a temporary directory. */
async function variant(edit: (o: Record<string, unknown>) => Record<string, unknown>[]) {
  const dir = await Deno.makeTempDir({ prefix: "scalebench-show-" });
  await copy(FIXTURE, dir);
  const path = `${dir}/observations.jsonl`;
  const lines = (await Deno.readTextFile(path)).trim().split("\n").map((l) => JSON.parse(l));
  await Deno.writeTextFile(
    path,
    lines.flatMap(edit).map((o) => JSON.stringify(o)).join("\n") + "\n",
  );
  return dir;
}

Deno.test("showRun() fits 100 columns, names the columns it left out, and no legend of nothing", async () => {
  const text = await showRun(FIXTURE, { width: 100 });
  const long = text.split("\n").filter((l) => l.length > 100);
  assert.deepEqual(long, []);
  assert.match(text, /^cores {2}nodes {2}ranks×thr {2}reps {2}median s {2}.*failed$/m);
  assert.equal(
    text.split("\n").at(-1),
    "Not shown to fit 100 columns: mean s, min s, max s, std s, peak RSS (--wide)",
  );
  assert.equal(text.includes("noisy"), false);
  assert.equal(text.includes("Failed observations"), false);
});

Deno.test("showRun() with --wide shows every column, and a wider terminal gets more of them", async () => {
  const wide = await showRun(FIXTURE, { width: 100, wide: true });
  const head = wide.split("\n").find((l) => l.startsWith("cores"))!;
  assert.deepEqual(head.split(/ {2,}/), ALL);
  assert.equal(wide.includes("Not shown"), false);
  const at160 = await showRun(FIXTURE, { width: 160 });
  assert.equal(at160.split("\n").find((l) => l.startsWith("cores")), head);
});

Deno.test("showRun() flags a noisy median with its legend, and lists failures as progress does", async () => {
  const dir = await variant((o) => {
    if (o.cores === 1 && !o.warmup) o.seconds = o.rep === 1 ? 1.5 : 1.0; // CV ≈ 0.2
    if (o.cores === 2 && o.rep === 0 && !o.warmup) {
      return [{ ...o, ok: false, seconds: null, error: "got 41, wanted 42\nstack" }];
    }
    return [o];
  });
  const text = await showRun(dir, { width: 100 });
  assert.match(text, /^ {4}1 .* 1\.000 ! /m);
  const lines = text.split("\n");
  const at = lines.indexOf("Failed observations (1):");
  assert.deepEqual(lines.slice(at, at + 2), [
    "Failed observations (1):",
    "  burn · 2 cores · rep 1: got 41, wanted 42",
  ]);
  assert.equal(lines.includes("! = noisy (coefficient of variation > 10 %)"), true);
  await Deno.remove(dir, { recursive: true });
});
