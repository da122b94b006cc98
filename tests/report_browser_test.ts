/**
 * The generated pages in real headless Chromium at 390 px and 1280 px: no console error, no
 * network request, no page-level horizontal overflow, every figure present with data marks and
 * its SVG file, no dialog from markup in user strings, a screenshot that is not blank; from
 * file:// and served under a sub-path by a local server.
 */
import { type Browser, chromium, type Page } from "playwright-core";
import { assert, assertEquals } from "../core/_assert.ts";
import { colourStats, decodePng } from "./_png.ts";
import { FIXTURES, render, XSS } from "./_report.ts";
import { needCommand, needs } from "./_needs.ts";

const CHROMIUM = "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

function assertGreater(actual: number, limit: number, msg = "") {
  assert(actual > limit, `${msg} expected > ${limit}, got ${actual}`);
}

interface Visit {
  errors: string[];
  requests: string[];
  dialogs: string[];
}

/** Open `url` in a fresh page, recording console errors, requests other than the page, dialogs. */
async function visit(
  browser: Browser,
  url: string,
  width = 1280,
): Promise<{ page: Page; v: Visit }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const v: Visit = { errors: [], requests: [], dialogs: [] };
  page.on("console", (m) => {
    if (m.type() === "error") v.errors.push(m.text());
  });
  page.on("pageerror", (e) => v.errors.push(String(e)));
  page.on("dialog", (d) => {
    v.dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  page.on("request", (r) => {
    if (r.url() !== url) v.requests.push(r.url());
  });
  // nothing but the page itself may load
  await page.route(
    "**/*",
    (route) => route.request().url() === url ? route.continue() : route.abort(),
  );
  const res = await page.goto(url, { waitUntil: "load" });
  if (url.startsWith("http")) assertEquals(res?.status(), 200, url);
  return { page, v };
}

/** Captions of figures without a chart holding data marks, and the figures' SVG links. */
function figures(page: Page): Promise<{ plots: number; bad: string[]; links: string[] }> {
  return page.evaluate(() => {
    const figs = [...document.querySelectorAll("figure.plot")];
    const bad = figs.filter((f) => {
      const svg = f.querySelector("svg.chart");
      if (!svg) return true;
      const marks = svg.querySelectorAll("[data-layer] path, path[data-layer]");
      return marks.length === 0;
    }).map((f) => f.querySelector("figcaption")?.textContent ?? "?");
    const links = figs.map((f) => f.querySelector("a[href$='.svg']")?.getAttribute("href") ?? "");
    return { plots: figs.length, bad, links };
  });
}

/** Width the page scrolls to beyond the viewport (0: no page-level horizontal overflow). */
function overflow(page: Page): Promise<number> {
  return page.evaluate(() =>
    document.documentElement.scrollWidth - document.documentElement.clientWidth
  );
}

Deno.test(needs([await needCommand(CHROMIUM)], {
  name: "report pages in headless Chromium: offline, no errors, plots drawn, no XSS",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const r = await render([
      FIXTURES.amdahl,
      FIXTURES.slurm,
      FIXTURES.kube,
      FIXTURES.xss,
      FIXTURES.torn,
      FIXTURES.empty,
      FIXTURES.daskAgg,
      FIXTURES.hyperfine,
    ]);
    const pages = r.files.filter((f) => f.endsWith(".html"));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      await t.step(
        "every page at 390 and 1280 px: no error, no overflow, every figure drawn",
        async () => {
          let plots = 0;
          for (const file of pages) {
            for (const width of [390, 1280]) {
              const url = `file://${file}`;
              const { page, v } = await visit(browser, url, width);
              assertEquals(v.errors, [], `${file}: console errors`);
              assertEquals(v.requests, [], `${file}: network requests`);
              assertEquals(v.dialogs, [], `${file}: dialogs`);
              assertEquals(await overflow(page), 0, `${file} at ${width} px overflows`);
              const p = await figures(page);
              assertEquals(p.bad, [], `${file}: figures without data marks`);
              for (const link of p.links) {
                assert(link, `${file}: a figure without its SVG link`);
                await Deno.stat(new URL(link, url));
              }
              if (width === 1280) plots += p.plots;
              await page.close();
            }
          }
          assertGreater(plots, 30);
        },
      );

      await t.step("markup in user strings shows as text and fires no dialog", async () => {
        const { page, v } = await visit(browser, `file://${r.outDir}/run-xss.html`);
        const text = await page.evaluate(() => document.body.innerText);
        for (const s of XSS) assert(text.includes(s), `text ${s} missing`);
        const injected = await page.evaluate(() =>
          document.querySelectorAll("script, img, iframe, [onerror]").length
        );
        assertEquals(injected, 0);
        assertEquals(v.dialogs, []);
        await page.close();
      });

      await t.step("a screenshot of a run page is not blank", async () => {
        const { page } = await visit(browser, `file://${r.outDir}/run-amdahl-s02.html`);
        const png = await page.screenshot({ fullPage: true });
        await Deno.writeFile(`${r.outDir}/run-amdahl-s02.png`, png);
        const img = await decodePng(new Uint8Array(png));
        assertEquals(img.width, 1280);
        assertGreater(img.height, 1500);
        const stats = colourStats(img);
        assertGreater(stats.distinct, 200);
        assert(stats.dominant < 0.95, `dominant colour covers ${stats.dominant}`);
        await page.close();
      });

      await t.step("served under a sub-path, every relative link resolves", async () => {
        const prefix = "/some/sub/path/";
        const served: string[] = [];
        const ac = new AbortController();
        const server = Deno.serve({
          hostname: "127.0.0.1",
          port: 0,
          signal: ac.signal,
          onListen: () => {},
        }, async (req) => {
          const path = decodeURIComponent(new URL(req.url).pathname);
          served.push(path);
          const name = path.slice(prefix.length);
          if (!path.startsWith(prefix) || name.includes("..") || !name) {
            return new Response("not found", { status: 404 });
          }
          try {
            return new Response(await Deno.readFile(`${r.outDir}/${name}`), {
              headers: {
                "content-type": name.endsWith(".svg")
                  ? "image/svg+xml"
                  : "text/html; charset=utf-8",
              },
            });
          } catch {
            return new Response("not found", { status: 404 });
          }
        });
        try {
          const base = `http://127.0.0.1:${server.addr.port}${prefix}`;
          const { page, v } = await visit(browser, `${base}index.html`);
          const hrefs: string[] = await page.evaluate(() =>
            [...document.querySelectorAll("a[href]")].map((a) => a.getAttribute("href")!)
          );
          await page.close();
          assertEquals(v.requests, []);
          assertGreater(hrefs.length, 5);
          for (const href of hrefs) {
            assert(!href.startsWith("/") && !/^[a-z]+:/i.test(href), `absolute link ${href}`);
            const url = new URL(href, `${base}index.html`).href;
            const sub = await visit(browser, url);
            assertEquals(sub.v.errors, [], url);
            assertEquals(sub.v.requests, [], url);
            const back: string[] = await sub.page.evaluate(() =>
              [...document.querySelectorAll("a[href]")].map((a) => (a as HTMLAnchorElement).href)
                .filter((h) => !h.includes("#"))
            );
            for (const b of back) assert(b.startsWith(base), `${url} links outside: ${b}`);
            await sub.page.close();
          }
          assert(
            served.every((p) => p.startsWith(prefix)),
            `requests outside the prefix: ${served}`,
          );
        } finally {
          ac.abort();
          await server.finished;
        }
      });
    } finally {
      await browser.close();
    }
  },
}));
