/**
 * The HTML report as a static site, built incrementally: an index, a page per run, per workload
 * a history page (two runs or more) and a comparison page (one run per provider, or the few runs
 * given), every figure also as a standalone SVG (and PNG on request) under `figures/`. Inputs are
 * run directories, directories of run directories (`results/`), dask-bench CSVs and hyperfine
 * JSONs. A cache beside the pages (`.scalebench-cache.json`) keeps each input's fingerprint and
 * analysis, so adding a run renders only that run's page and the pages of its workload (the index
 * is rewritten only when it changes). All links are relative.
 *
 * @module
 */
import { errorMessage, quote, ValidationError } from "../core/errors.ts";
import { VERSION } from "../core/version.ts";
import { slug } from "./_escape.ts";
import type { FigureFile } from "./_figures.ts";
import { compareRuns } from "./compare.ts";
import { renderComparePage } from "./html_compare.ts";
import { renderHistoryPage, startTime } from "./html_history.ts";
import { renderIndexPage, type WorkloadLinks } from "./html_index.ts";
import { renderRunPage } from "./html_run.ts";
import { loadInput } from "./load.ts";
import { analyzeRun, type RunAnalysis } from "./model.ts";

/**
 * Cache format (or page layout: 2 puts the oldest compared run first); a different one rebuilds
 * everything.
 */
export const CACHE_VERSION = 2;
const CACHE = ".scalebench-cache.json";
/** Up to this many runs of one provider are compared with each other on the comparison page. */
export const MAX_COMPARED = 4;

/** Options of {@linkcode writeSite}. */
export interface SiteOptions {
  outDir: string;
  /** Also write a PNG of every figure */
  png?: boolean;
  /** Ignore the cache and render every page */
  rebuild?: boolean;
  onWarning?: (m: string) => void;
}

/** What {@linkcode writeSite} did. */
export interface SiteResult {
  /** Every page of the site (absolute paths) */
  files: string[];
  /** Figure files (SVG and PNG) */
  figures: string[];
  index: string;
  /** Pages rendered by this call (the others were up to date) */
  rendered: string[];
}

interface CachedRun {
  page: string;
  figures: string[];
  digest: RunAnalysis;
}

interface Cache {
  version: number;
  scalebench: string;
  png: boolean;
  inputs: Record<string, { fp: string; runs: CachedRun[] }>;
  pages: Record<string, { key: string; figures: string[]; regressions?: number }>;
}

function emptyCache(png: boolean): Cache {
  return { version: CACHE_VERSION, scalebench: VERSION, png, inputs: {}, pages: {} };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Run directories among the inputs: a directory without a manifest stands for its runs. */
export async function expandInputs(inputs: readonly string[]): Promise<string[]> {
  if (!inputs.length) throw new ValidationError("No input given: pass one or more RUN_DIR");
  const out: string[] = [];
  for (const raw of inputs) {
    const path = raw.length > 1 ? raw.replace(/\/+$/, "") : raw;
    let info: Deno.FileInfo | null = null;
    try {
      info = await Deno.stat(path);
    } catch { /* loadInput says why */ }
    if (!info?.isDirectory || await exists(`${path}/manifest.json`)) {
      out.push(path);
      continue;
    }
    const runs: string[] = [];
    for await (const e of Deno.readDir(path)) {
      if (e.isDirectory && await exists(`${path}/${e.name}/manifest.json`)) {
        runs.push(`${path}/${e.name}`);
      }
    }
    if (!runs.length) out.push(path); // not a run: loadInput reports it
    out.push(...runs.sort());
  }
  return [...new Set(out)];
}

async function fingerprint(path: string): Promise<string> {
  const parts: string[] = [];
  const names = (await exists(`${path}/manifest.json`))
    ? ["manifest.json", "observations.jsonl", "monitor.jsonl", "checks.json"].map((n) =>
      `${path}/${n}`
    )
    : [path];
  for (const p of names) {
    try {
      const s = await Deno.stat(p);
      parts.push(`${s.size}:${s.mtime?.getTime() ?? 0}`);
    } catch {
      parts.push("-");
    }
  }
  return parts.join("|");
}

/** The analysis without raw observations and samples: what the index and history pages need. */
export function digest(a: RunAnalysis): RunAnalysis {
  return {
    ...a,
    src: { ...a.src, observations: [], monitor: [], aggregates: [] },
    failures: [],
  };
}

function hashKey(parts: unknown): string {
  // FNV-1a over the JSON: enough to notice a change
  const s = JSON.stringify(parts);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16) + ":" + s.length;
}

/**
 * The runs a workload's comparison page shows: the latest per provider, or the few given, oldest
 * first (the first is the baseline A, so a before/after pair reads as after/before ratios).
 */
export function comparedRuns(runs: RunAnalysis[]): RunAnalysis[] {
  const byProvider = new Map<string, RunAnalysis>();
  for (const a of runs) {
    const p = a.src.provider?.name ?? a.src.kind;
    const cur = byProvider.get(p);
    if (!cur || startTime(a) >= startTime(cur)) byProvider.set(p, a);
  }
  if (byProvider.size >= 2) {
    const latest = new Set(byProvider.values());
    return runs.filter((a) => latest.has(a));
  }
  return runs.length >= 2 && runs.length <= MAX_COMPARED
    ? runs.toSorted((x, y) => startTime(x) - startTime(y))
    : [];
}

/** Build (or update) the site in `options.outDir` from `inputs`. */
export async function writeSite(inputs: string[], options: SiteOptions): Promise<SiteResult> {
  const outDir = options.outDir.replace(/\/+$/, "") || ".";
  const png = options.png ?? false;
  const paths = await expandInputs(inputs);
  let cache = emptyCache(png);
  if (!options.rebuild) {
    try {
      const c = JSON.parse(await Deno.readTextFile(`${outDir}/${CACHE}`)) as Cache;
      if (c.version === CACHE_VERSION && c.scalebench === VERSION && c.png === png) cache = c;
    } catch { /* no cache yet */ }
  }
  try {
    await Deno.mkdir(`${outDir}/figures`, { recursive: true });
  } catch (err) {
    throw new ValidationError(
      `Cannot write the report to ${quote(outDir, 200)} (-o): ${errorMessage(err)}`,
    );
  }
  const rendered: string[] = [];
  const figures: string[] = [];
  const toPng = png ? (await import("./png.ts")).svgToPng : null;
  const write = async (name: string, text: string) => {
    const path = `${outDir}/${name}`;
    try {
      await Deno.writeTextFile(path, text);
    } catch (err) {
      throw new ValidationError(`Cannot write ${quote(path, 200)} (-o): ${errorMessage(err)}`);
    }
  };
  const writeFigures = async (stem: string, files: FigureFile[]): Promise<string[]> => {
    await Deno.remove(`${outDir}/figures/${stem}`, { recursive: true }).catch(() => {});
    if (!files.length) return [];
    await Deno.mkdir(`${outDir}/figures/${stem}`, { recursive: true });
    const out: string[] = [];
    for (const f of files) {
      await write(f.path, f.svg);
      out.push(f.path);
      if (toPng) {
        const p = f.path.replace(/\.svg$/, ".png");
        await Deno.writeFile(`${outDir}/${p}`, await toPng(f.svg));
        out.push(p);
      }
    }
    return out;
  };
  const renderPage = async (
    name: string,
    key: string,
    make: () => { html: string; figures: FigureFile[]; regressions?: number },
  ) => {
    const old = cache.pages[name];
    if (old && old.key === key && await exists(`${outDir}/${name}`)) {
      figures.push(...old.figures);
      return old;
    }
    const r = make();
    await write(name, r.html);
    const figs = await writeFigures(name.replace(/\.html$/, ""), r.figures);
    figures.push(...figs);
    rendered.push(`${outDir}/${name}`);
    return cache.pages[name] = { key, figures: figs, regressions: r.regressions };
  };

  // runs: reuse the cached analysis of unchanged inputs
  const used = new Set<string>();
  for (const c of Object.values(cache.inputs)) for (const r of c.runs) used.add(r.page);
  const fresh: Cache["inputs"] = {};
  const runs: { a: RunAnalysis; page: string }[] = [];
  const stale = new Set(Object.keys(cache.inputs));
  for (const path of paths) {
    stale.delete(path);
    const fp = await fingerprint(path);
    const old = cache.inputs[path];
    if (
      old && old.fp === fp &&
      (await Promise.all(old.runs.map((r) => exists(`${outDir}/${r.page}`)))).every(Boolean)
    ) {
      fresh[path] = old;
      for (const r of old.runs) {
        runs.push({ a: r.digest, page: r.page }), figures.push(...r.figures);
      }
      continue;
    }
    const sources = await loadInput(path, { onWarning: options.onWarning });
    const entries: CachedRun[] = [];
    for (const [i, src] of sources.entries()) {
      const a = analyzeRun(src);
      let page = old?.runs[i]?.page;
      if (!page) {
        const base = `run-${slug(src.id)}`;
        page = `${base}.html`;
        for (let k = 2; used.has(page); k++) page = `${base}-${k}.html`;
      }
      used.add(page);
      const r = renderRunPage(a, {
        indexHref: "index.html",
        stem: page.replace(/\.html$/, ""),
        png,
      });
      await write(page, r.html);
      rendered.push(`${outDir}/${page}`);
      const figs = await writeFigures(page.replace(/\.html$/, ""), r.figures);
      figures.push(...figs);
      entries.push({ page, figures: figs, digest: digest(a) });
      runs.push({ a, page });
    }
    fresh[path] = { fp, runs: entries };
  }
  // inputs gone since the last build: remove their pages
  const kept = new Set(runs.map((x) => x.page));
  for (const path of stale) {
    for (const r of cache.inputs[path].runs) {
      if (kept.has(r.page)) continue;
      await Deno.remove(`${outDir}/${r.page}`).catch(() => {});
      await Deno.remove(`${outDir}/figures/${r.page.replace(/\.html$/, "")}`, { recursive: true })
        .catch(() => {});
    }
  }
  cache.inputs = fresh;

  // per workload: history and comparison pages, rendered when their runs changed
  const hrefOf = new Map(runs.map((r) => [r.a.src.id + "\u0000" + r.a.src.path, r.page]));
  const runHref = (a: RunAnalysis) => hrefOf.get(a.src.id + "\u0000" + a.src.path) ?? "index.html";
  const groups = new Map<string, { a: RunAnalysis; page: string }[]>();
  for (const r of runs) {
    const list = groups.get(r.a.src.workload);
    if (list) list.push(r);
    else groups.set(r.a.src.workload, [r]);
  }
  const workloads: WorkloadLinks[] = [];
  const pages = new Set<string>(["index.html", ...runs.map((r) => r.page)]);
  for (const [workload, list] of groups) {
    const key = hashKey([png, list.map((r) => [r.page, fresh[r.a.src.path]?.fp ?? r.a.src.path])]);
    const all = list.map((r) => r.a);
    const links: WorkloadLinks = {
      workload,
      runs: list.length,
      providers: [...new Set(all.map((a) => a.src.provider?.name ?? a.src.kind))],
      history: null,
      compare: null,
      regressions: 0,
    };
    if (list.length >= 2) {
      const name = `history-${slug(workload)}.html`;
      pages.add(name);
      const r = await renderPage(name, key, () =>
        renderHistoryPage(workload, all, {
          indexHref: "index.html",
          runHref,
          stem: name.replace(/\.html$/, ""),
          png,
        }));
      links.history = name;
      links.regressions = r.regressions ?? 0;
    }
    const compared = comparedRuns(all);
    const [cmp] = compared.length >= 2 ? compareRuns(compared) : [];
    if (cmp) {
      const name = `compare-${slug(workload)}.html`;
      pages.add(name);
      await renderPage(name, key, () =>
        renderComparePage(cmp, {
          indexHref: "index.html",
          runHrefs: cmp.runs.map(runHref),
          stem: name.replace(/\.html$/, ""),
          png,
          title: links.providers.length >= 2
            ? `${workload}: ${links.providers.join(" vs ")}`
            : undefined,
        }));
      links.compare = name;
    }
    workloads.push(links);
  }
  // pages of workloads that are gone
  for (const name of Object.keys(cache.pages)) {
    if (pages.has(name)) continue;
    await Deno.remove(`${outDir}/${name}`).catch(() => {});
    await Deno.remove(`${outDir}/figures/${name.replace(/\.html$/, "")}`, { recursive: true })
      .catch(() => {});
    delete cache.pages[name];
  }
  const index = renderIndexPage(runs.map((r) => r.a), {
    runHrefs: runs.map((r) => r.page),
    workloads,
  });
  const indexPath = `${outDir}/index.html`;
  let current: string | null = null;
  try {
    current = await Deno.readTextFile(indexPath);
  } catch { /* first build */ }
  if (current !== index) await write("index.html", index), rendered.push(indexPath);
  cache.scalebench = VERSION;
  cache.png = png;
  await write(CACHE, JSON.stringify(cache)); // NaN and ±Infinity become null
  return {
    files: [...pages].map((p) => `${outDir}/${p}`),
    figures: figures.map((f) => `${outDir}/${f}`),
    index: indexPath,
    rendered,
  };
}
