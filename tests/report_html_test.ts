import { assert, assertEquals, assertRejects, assertStringIncludes } from "../core/_assert.ts";
import { ValidationError } from "../core/errors.ts";
import { writeReport } from "../reports/mod.ts";
import { FIXTURES, render, XSS } from "./_report.ts";

function unescapeHtml(s: string): string {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(
    /&#39;/g,
    "'",
  ).replace(/&amp;/g, "&");
}

Deno.test("writeReport() of the s = 0.2 amdahl run shows an Amdahl fit within ±0.03", async () => {
  const r = await render([FIXTURES.amdahl]);
  assertEquals(r.index, `${r.outDir}/index.html`);
  assertEquals(r.files.map((f) => f.slice(r.outDir.length + 1)).sort(), [
    "index.html",
    "run-amdahl-s02.html",
  ]);
  const html = await Deno.readTextFile(`${r.outDir}/run-amdahl-s02.html`);
  const m = html.match(
    /Amdahl s \[95\u00a0% CI\] \(burn\)<\/div><div class="v">([0-9.]+) \[([0-9.]+), ([0-9.]+)\]</,
  );
  assert(m, "Amdahl card missing");
  assert(Math.abs(Number(m[1]) - 0.2) <= 0.03, `s = ${m[1]}`);
  assert(Number(m[2]) < 0.2 && 0.2 < Number(m[3]), `interval ${m[2]}, ${m[3]}`);
  assertStringIncludes(html, "Amdahl serial fraction s, of the 1-core time [95\u00a0% CI]");
  // the timing table: medians 1 and 0.6 with their intervals, warm-ups excluded (5 reps each)
  assert(/<strong>1\.0\d* \[0\.9\d*, 1\.0\d*\]<\/strong>/.test(html), "median at 1 core");
  assert(/<strong>0\.60\d* \[0\.5\d*, 0\.6\d*\]<\/strong>/.test(html), "median at 2 cores");
  assertStringIncludes(html, "10 measured, 2 warm-up, 0 failed");
  // time, speedup and efficiency per operation and the monitoring figures, each also a file
  const figs = [...html.matchAll(/<figure class="plot" id="fig-([^"]+)">/g)].map((x) => x[1]);
  assertEquals(figs, ["time-burn", "speedup-burn", "efficiency-burn", "memory", "cpu"]);
  assertEquals(
    r.figures.map((f) => f.slice(r.outDir.length + 1)),
    figs.map((f) => `figures/run-amdahl-s02/${f}.svg`),
  );
  const svg = await Deno.readTextFile(`${r.outDir}/figures/run-amdahl-s02/time-burn.svg`);
  assert(svg.startsWith(`<svg xmlns="http://www.w3.org/2000/svg"`));
  assertStringIncludes(svg, "Figure 1. burn: time vs cores (log–log) — amdahl-s02");
  assertStringIncludes(html, `<a href="figures/run-amdahl-s02/time-burn.svg">SVG</a>`);
  assertStringIncludes(html, "Resident memory per rank");
  const index = await Deno.readTextFile(r.index);
  assertStringIncludes(index, `href="run-amdahl-s02.html"`);
});

Deno.test("writeReport() pages are self-contained: no script, no external URL, relative links", async () => {
  const r = await render([FIXTURES.amdahl, FIXTURES.slurm, FIXTURES.kube, FIXTURES.xss]);
  for (const file of [...r.files, ...r.figures]) {
    const html = await Deno.readTextFile(file);
    assert(!/<script/i.test(html), `${file} has a script`);
    assert(!/<(img|link|iframe|object|embed)\b/i.test(html), `${file} loads a resource`);
    assert(!/(?:src|href)="(?:https?:|\/\/|\/)/i.test(html), `${file} has an absolute link`);
    assert(!/url\(/i.test(html), `${file} has a CSS url()`);
    for (const href of html.matchAll(/href="([^"#][^"]*)"/g)) {
      const target = `${r.outDir}/${href[1]}`;
      assert([...r.files, ...r.figures].includes(target), `${file}: dangling link ${href[1]}`);
    }
  }
});

Deno.test("writeReport() escapes every user string: markup appears only as text", async () => {
  const r = await render([FIXTURES.xss]);
  for (const file of r.files) {
    const html = await Deno.readTextFile(file);
    for (const bad of XSS) assert(!html.includes(bad), `${file} contains raw ${bad}`);
    assert(!/<img/i.test(html) && !/<script/i.test(html));
  }
  const page = await Deno.readTextFile(`${r.outDir}/run-xss.html`);
  const text = unescapeHtml(page);
  for (const s of XSS) assert(text.includes(s), `escaped ${s} missing`);
  // in the workload, op, param, unit, provider, and error message positions
  assertStringIncludes(page, "<h1>&lt;script&gt;alert(1)&lt;/script&gt;<span");
  assertStringIncludes(
    page,
    "check failed: &lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img",
  );
  assertStringIncludes(page, "<code>label=&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</code>");
  // chart text (legends, captions) is escaped too, inline and in the figure files
  assertStringIncludes(page, `dy="0.35em">&lt;script&gt;alert(1)&lt;/script&gt;</text>`);
  for (const f of r.figures) {
    const svg = await Deno.readTextFile(f);
    for (const bad of XSS) assert(!svg.includes(bad), `${f} contains raw ${bad}`);
  }
});

Deno.test("writeReport() renders a run with a torn last line and warns about it", async () => {
  const r = await render([FIXTURES.torn]);
  assertEquals(r.warnings.length, 1);
  assertStringIncludes(r.warnings[0], "torn last line");
  const html = await Deno.readTextFile(`${r.outDir}/run-torn.html`);
  assertStringIncludes(html, "Warnings while reading this run");
  assertStringIncludes(html, "torn last line");
  assertStringIncludes(html, "3 measured, 0 warm-up, 0 failed");
});

Deno.test("writeReport() of an empty run says there are no observations", async () => {
  const r = await render([FIXTURES.empty]);
  const html = await Deno.readTextFile(`${r.outDir}/run-empty.html`);
  assertStringIncludes(html, "No observations recorded.");
  assert(!html.includes("<figure"));
  assertStringIncludes(await Deno.readTextFile(r.index), "no observations");
  const md = await render([FIXTURES.empty], "md");
  assertStringIncludes(await Deno.readTextFile(md.index), "_No observations recorded._");
});

Deno.test("writeReport() compares runs of the same workload: overlay, ratios, who is faster", async () => {
  const r = await render([FIXTURES.slurm, FIXTURES.kube, FIXTURES.amdahl]);
  const names = r.files.map((f) => f.slice(r.outDir.length + 1)).sort();
  assertEquals(names, [
    "compare-arrays.html",
    "history-arrays.html",
    "index.html",
    "run-amdahl-s02.html",
    "run-arrays-kube.html",
    "run-arrays-slurm.html",
  ]);
  const html = await Deno.readTextFile(`${r.outDir}/compare-arrays.html`);
  assertStringIncludes(html, "<h1>arrays: slurm vs kubernetes</h1>");
  // kubernetes creates arrays 0.8× the time of slurm at every point, with the ratio's interval
  assertEquals(html.match(/<strong>0\.80\d* \[0\.\d+, 0\.\d+\]<\/strong>/g)?.length, 3);
  assertStringIncludes(html, "arrays on kubernetes (kubernetes) is faster at 3 of 6 points");
  assertStringIncludes(html, "arrays on kubernetes (kubernetes) faster</span>");
  // legend: one colour per run, and never "0 of 2 points"
  assert(!/faster at 0\b/.test(html), "a zero count in the sentence");
  assertStringIncludes(html, "arrays on slurm (slurm)</text>");
  assertStringIncludes(html, "arrays on kubernetes (kubernetes)</text>");
  const index = await Deno.readTextFile(r.index);
  assertStringIncludes(index, `href="compare-arrays.html"`);
  assertStringIncludes(index, `href="history-arrays.html"`);
});

Deno.test("writeReport() flags noisy points and outliers without dropping them", async () => {
  const r = await render([FIXTURES.kube]);
  const html = await Deno.readTextFile(`${r.outDir}/run-arrays-kube.html`);
  assertStringIncludes(html, ">51.2 %</td>");
  assertStringIncludes(html, ">noisy</span>");
  assertStringIncludes(html, "1 outlier</span>");
  assertStringIncludes(html, ">outlier (Tukey)</text>");
  // the outlier (3.750 s) is kept in the statistics: it widens the interval of the median
  assertStringIncludes(html, "<strong>1.7 [1.2, 3.8]</strong>");
  // reasons instead of bare dashes
  assertStringIncludes(html, `<span class="na">baseline</span>`);
});

Deno.test("writeReport() rejects a non-run directory, a missing input and an unknown format", async () => {
  const outDir = await Deno.makeTempDir();
  const notRun = await Deno.makeTempDir();
  await assertRejects(
    () => writeReport([notRun], { outDir }),
    ValidationError,
    "is not a scalebench run directory (no manifest.json)",
  );
  await assertRejects(
    () => writeReport([`${notRun}/nope`], { outDir }),
    ValidationError,
    "does not exist",
  );
  await assertRejects(
    () => writeReport([FIXTURES.amdahl], { outDir, format: "pdf" as "md" }),
    ValidationError,
    "Unknown format 'pdf' for --format (known: html, md, csv, json)",
  );
  await Deno.writeTextFile(`${notRun}/x.txt`, "hello");
  await assertRejects(
    () => writeReport([`${notRun}/x.txt`], { outDir }),
    ValidationError,
    "neither a run directory",
  );
});

Deno.test("writeReport() reports dask-bench CSVs and hyperfine JSON like runs", async () => {
  const r = await render([FIXTURES.daskAgg, FIXTURES.daskRaw, FIXTURES.hyperfine]);
  const names = r.files.map((f) => f.slice(r.outDir.length + 1)).sort();
  assertEquals(names, [
    "compare-arrays.html",
    "history-arrays.html",
    "index.html",
    "run-hyperfine.json.html",
    "run-kube_arrays.csv.html",
    "run-slurm_arrays_raw.csv.html",
  ]);
  const hf = await Deno.readTextFile(`${r.outDir}/run-hyperfine.json.html`);
  assertStringIncludes(hf, "./solve --threads {threads}");
  const m = hf.match(/Amdahl s \[95\u00a0% CI\] \([^)]*\)<\/div><div class="v">([0-9.]+)/);
  assert(m && Math.abs(Number(m[1]) - 0.2) < 0.01, `hyperfine s ${m?.[1]}`);
});
