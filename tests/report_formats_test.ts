import { assert, assertAlmostEquals, assertEquals, assertStringIncludes } from "../core/_assert.ts";
import { parseCsv } from "../reports/import_dask.ts";
import { FIXTURES, render, XSS } from "./_report.ts";

Deno.test("report --format csv starts with dask-bench's columns, then scalebench's", async () => {
  const r = await render([FIXTURES.amdahl, FIXTURES.xss], "csv");
  assertEquals(r.index, `${r.outDir}/report.csv`);
  // every column is described, with its unit, in the CSV on the Web metadata beside the file
  const meta = JSON.parse(await Deno.readTextFile(`${r.outDir}/report.csv-metadata.json`));
  assertEquals(meta.url, "report.csv");
  const cols = meta.tableSchema.columns as { name: string; "dc:description": string }[];
  assertStringIncludes(cols.find((c) => c.name === "n")!["dc:description"], "Cores");
  const rows = parseCsv(await Deno.readTextFile(r.index));
  assertEquals(rows[0], cols.map((c) => c.name));
  assertEquals(
    rows[0].slice(0, 9).join(","),
    "collection,name,n,unit,duration_median,duration_mean,duration_min,duration_max,duration_std",
  );
  assertEquals(rows[0].slice(9, 14), ["run", "source", "mode", "provider", "cores"]);
  const h = (name: string) => rows[0].indexOf(name);
  const one = rows.find((x) => x[0] === "amdahl" && x[2] === "1")!;
  assertEquals([one[1], one[3], one[4], one[5], one[6], one[7]], [
    "burn",
    "Miter/s",
    "1",
    "1",
    "0.98",
    "1.02",
  ]);
  assertAlmostEquals(Number(one[8]), Math.sqrt(0.001 / 4), 1e-12);
  assertEquals([one[h("reps")], one[h("warmup")], one[h("failed")]], ["5", "1", "0"]);
  const two = rows.find((x) => x[0] === "amdahl" && x[2] === "2")!;
  assertEquals(two[4], "0.6");
  assertAlmostEquals(Number(two[h("speedup")]), 1 / 0.6, 1e-12);
  // user strings with quotes survive the round trip
  const xss = rows.filter((x) => x[0] === XSS[0]);
  assertEquals(xss.length, 4);
  assertEquals(new Set(xss.map((x) => x[1])), new Set(XSS));
  assertEquals(xss.find((x) => x[1] === XSS[1] && x[2] === "2")![h("failed")], "1");
});

Deno.test("report --format json has summary statistics, fits and comparisons", async () => {
  const r = await render([FIXTURES.amdahl, FIXTURES.slurm, FIXTURES.kube], "json");
  const doc = JSON.parse(await Deno.readTextFile(r.index));
  assertEquals(doc.runs.length, 3);
  const burn = doc.runs[0].operations[0];
  assertEquals(burn.op, "burn");
  assertEquals(burn.points.map((p: { median: number }) => p.median), [1, 0.6]);
  assertEquals(burn.points[0].reps, 5);
  assertAlmostEquals(burn.fits.amdahl.s.value, 0.2, 1e-3);
  assert(burn.fits.amdahl.s.ci.lo < 0.2 && 0.2 < burn.fits.amdahl.s.ci.hi);
  assertEquals(burn.points[1].ci.lo < 0.6 && 0.6 < burn.points[1].ci.hi, true);
  assertEquals(burn.fits.karpFlatt[1].cores, 2);
  assertAlmostEquals(burn.fits.karpFlatt[1].e, 0.2, 1e-9);
  // the schema file beside the JSON describes every field of a point
  assertEquals(r.files.map((f) => f.slice(r.outDir.length + 1)), [
    "report.json",
    "report.schema.json",
  ]);
  const schema = JSON.parse(await Deno.readTextFile(`${r.outDir}/report.schema.json`));
  const pointProps = schema.properties.runs.items.properties.operations.items.properties.points
    .items.properties;
  for (const key of Object.keys(burn.points[0])) assert(pointProps[key]?.description, key);
  const weak = doc.runs[1].operations[0];
  assertEquals(weak.fits.amdahl, null);
  assert(weak.fits.gustafson.s.value > 0);
  assertEquals(doc.comparisons.length, 1);
  assertEquals(doc.comparisons[0].runs, ["arrays-slurm", "arrays-kube"]);
  const wins = doc.comparisons[0].pairs[0].wins;
  assertEquals(wins.A + wins.B + wins.tie, 6);
  assertEquals(wins.B, 3);
});

Deno.test("report --format md writes Markdown tables with escaped user text", async () => {
  const r = await render([FIXTURES.amdahl, FIXTURES.xss, FIXTURES.slurm, FIXTURES.kube], "md");
  assertEquals(r.index, `${r.outDir}/report.md`);
  const md = await Deno.readTextFile(r.index);
  assertStringIncludes(md, "## amdahl — amdahl-s02");
  assertStringIncludes(md, "| cores | nodes × ranks × threads | reps | median [95 % CI] (s) |");
  assertStringIncludes(md, "| 2 | 1 × 1 × 2 | 5 | **0.600 [0.590, 0.610]** |");
  assertStringIncludes(md, "| burn | 0.200 [0.17");
  assertStringIncludes(md, "## Comparison: arrays");
  assertStringIncludes(
    md,
    "| create random array | 1 | 2.000 [1.980, 2.020] | 1.600 [1.584, 1.616] | 0.80",
  );
  for (const s of XSS) assert(!md.includes(s), `raw ${s} in Markdown`);
  assertStringIncludes(md, "&lt;script&gt;alert(1)&lt;/script&gt;");
  // a table row keeps its column count although user text may contain pipes
  for (const line of md.split("\n").filter((l) => l.startsWith("| burn"))) {
    assertEquals(line.split(/(?<!\\)\|/).length, 9);
  }
});
