/**
 * The history site: a directory of runs becomes one site (index, run pages, per workload a
 * history and a provider comparison), built incrementally, with regressions marked by the
 * `--baseline` test and commits on the x axis when the runs recorded them.
 */
import assert from "node:assert/strict";
import { writeReport } from "../reports/mod.ts";
import { FIXTURES } from "./_report.ts";

type Obj = Record<string, unknown>;

/** Copy a fixture run as `results/<id>`, starting `hours` later, times × `slow`, with a commit. */
async function addRun(
  results: string,
  from: string,
  o: { id: string; hours: number; slow?: number; commit?: string },
): Promise<string> {
  const dir = `${results}/${o.id}`;
  await Deno.mkdir(dir, { recursive: true });
  const m = JSON.parse(await Deno.readTextFile(`${from}/manifest.json`)) as Obj;
  const start = Date.parse(m.started_at as string) + o.hours * 3600e3;
  m.run_id = o.id;
  m.started_at = new Date(start).toISOString();
  if (o.commit) (m.environment as Obj).git = { commit: o.commit, dirty: false };
  await Deno.writeTextFile(`${dir}/manifest.json`, JSON.stringify(m));
  const obs = (await Deno.readTextFile(`${from}/observations.jsonl`)).trim().split("\n").map(
    (l) => {
      const x = JSON.parse(l) as Obj;
      if (typeof x.seconds === "number") x.seconds *= o.slow ?? 1;
      return JSON.stringify(x);
    },
  );
  await Deno.writeTextFile(`${dir}/observations.jsonl`, obs.join("\n") + "\n");
  return dir;
}

const rel = (out: string, files: string[] = []) => files.map((f) => f.slice(out.length + 1)).sort();

Deno.test("writeReport() of a results directory builds a site and re-renders only what changed", async () => {
  const root = await Deno.makeTempDir({ prefix: "scalebench-site-" });
  const results = `${root}/results`, out = `${root}/site`;
  await addRun(results, FIXTURES.slurm, { id: "a1", hours: 0, commit: "a".repeat(40) });
  await addRun(results, FIXTURES.kube, { id: "k1", hours: 1, commit: "b".repeat(40) });
  await addRun(results, FIXTURES.amdahl, { id: "m1", hours: 2 });
  const first = await writeReport([results], { outDir: out });
  assert.deepEqual(rel(out, first.files), [
    "compare-arrays.html",
    "history-arrays.html",
    "index.html",
    "run-a1.html",
    "run-k1.html",
    "run-m1.html",
  ]);
  assert.deepEqual(rel(out, first.rendered), rel(out, first.files));
  // nothing changed: nothing is rendered again
  const again = await writeReport([results], { outDir: out });
  assert.deepEqual(again.rendered, []);
  assert.deepEqual(rel(out, again.files), rel(out, first.files));
  // a second slurm run 30 % slower: its page, the workload's history and comparison, the index
  await addRun(results, FIXTURES.slurm, { id: "a2", hours: 3, slow: 1.3, commit: "c".repeat(40) });
  const added = await writeReport([results], { outDir: out });
  assert.deepEqual(rel(out, added.rendered), [
    "compare-arrays.html",
    "history-arrays.html",
    "index.html",
    "run-a2.html",
  ]);
  const history = await Deno.readTextFile(`${out}/history-arrays.html`);
  // both slurm runs recorded a commit: the x axis is the commits
  assert.ok(history.includes(">aaaaaaa</text>") && history.includes(">ccccccc</text>"));
  assert.ok(history.includes("commit (oldest to newest)"));
  // every point of a2 is > 10 % slower than a1's with the --baseline test; kube's track has one run
  const rows = history.match(/<tr><td><a href="run-a2.html">arrays on slurm<\/a><\/td><td>[a-z]/g);
  assert.equal(rows?.length, 6);
  assert.equal(
    history.match(/Slower than 1\.1× with 95\.24 % confidence: ratio 1\.3,/g)?.length,
    6,
  );
  assert.ok(
    history.includes(`aria-label="create random array: median time per scale point, slurm · weak`),
  );
  const index = await Deno.readTextFile(`${out}/index.html`);
  assert.ok(index.includes(`<a href="history-arrays.html">history</a>`));
  assert.ok(index.includes("6 regressions"));
  // the comparison shows the latest run per provider
  const cmp = await Deno.readTextFile(`${out}/compare-arrays.html`);
  assert.ok(cmp.includes(`href="run-a2.html"`) && !cmp.includes(`href="run-a1.html"`));
  // a run removed from results/: its page and figures go too
  await Deno.remove(`${results}/m1`, { recursive: true });
  const removed = await writeReport([results], { outDir: out });
  assert.ok(!rel(out, removed.files).includes("run-m1.html"));
  await assert.rejects(() => Deno.stat(`${out}/run-m1.html`));
  await assert.rejects(() => Deno.stat(`${out}/figures/run-m1`));
  // every link of every page is relative and resolves
  for (const f of [...removed.files, ...(removed.figures ?? [])]) {
    const text = await Deno.readTextFile(f);
    for (const [, href] of text.matchAll(/href="([^"#][^"]*)"/g)) {
      assert.ok(!/^([a-z]+:|\/)/i.test(href), `${f}: absolute link ${href}`);
      await Deno.stat(`${out}/${href}`);
    }
  }
  await Deno.remove(root, { recursive: true });
});

Deno.test("writeReport({ png: true }) writes a PNG of every figure beside its SVG", async () => {
  const out = await Deno.makeTempDir({ prefix: "scalebench-png-" });
  const r = await writeReport([FIXTURES.amdahl], { outDir: out, png: true });
  const pngs = (r.figures ?? []).filter((f) => f.endsWith(".png"));
  const svgs = (r.figures ?? []).filter((f) => f.endsWith(".svg"));
  assert.equal(pngs.length, 5);
  assert.deepEqual(pngs, svgs.map((s) => s.replace(/\.svg$/, ".png")));
  const { decodePng, colourStats } = await import("./_png.ts");
  const img = await decodePng(await Deno.readFile(pngs[0]));
  // 2× the SVG's 640 px width, with text and marks (many colours), on white
  assert.equal(img.width, 1280);
  const stats = colourStats(img);
  assert.ok(stats.distinct > 100, `${stats.distinct} colours`);
  assert.ok(stats.dominant > 0.5 && stats.dominant < 0.97, `dominant ${stats.dominant}`);
  const html = await Deno.readTextFile(`${out}/run-amdahl-s02.html`);
  assert.ok(html.includes(`<a href="figures/run-amdahl-s02/time-burn.png">PNG</a>`));
  await Deno.remove(out, { recursive: true });
});
