/**
 * Snapshots of the HTML of fixture runs with every number kept to three significant digits (so a
 * 2 % error in a fit shows), ids renumbered, the version removed.
 * `UPDATE_SNAPSHOTS=1 deno test -A tests/report_snapshot_test.ts` rewrites the snapshots.
 */
import { assert, assertEquals } from "../core/_assert.ts";
import { VERSION } from "../core/version.ts";
import { FIXTURES, render } from "./_report.ts";

const SNAPSHOTS = new URL("./testdata/snapshots/", import.meta.url).pathname;
const UPDATE = Deno.env.get("UPDATE_SNAPSHOTS") === "1";

/** Make rendered HTML comparable across machines: 3 significant digits, renumbered ids. */
export function normalize(html: string): string {
  const ids = new Map<string, string>();
  const id = (v: string) => {
    if (!ids.has(v)) ids.set(v, `id${ids.size + 1}`);
    return ids.get(v)!;
  };
  return html
    .replaceAll(`scalebench ${VERSION}`, "scalebench VERSION")
    .replace(/\bid="([^"]*)"/g, (_, v) => `id="${id(v)}"`)
    .replace(/href="#([^"]*)"/g, (_, v) => `href="#${id(v)}"`)
    .replace(/-?\d+\.\d+(?:e-?\d+)?/g, (x) => {
      const r = Number(Number(x).toPrecision(3));
      return String(Object.is(r, -0) ? 0 : r);
    })
    .replace(/></g, ">\n<");
}

async function check(name: string, html: string) {
  const path = `${SNAPSHOTS}${name}`;
  const actual = normalize(html);
  if (UPDATE) {
    await Deno.mkdir(SNAPSHOTS, { recursive: true });
    await Deno.writeTextFile(path, actual);
    return;
  }
  let expected: string;
  try {
    expected = await Deno.readTextFile(path);
  } catch {
    throw new Error(`Snapshot ${name} missing: run with UPDATE_SNAPSHOTS=1`);
  }
  if (actual !== expected) {
    const a = actual.split("\n"), e = expected.split("\n");
    const i = a.findIndex((line, k) => line !== e[k]);
    assertEquals(a[i], e[i], `${name} differs at line ${i + 1} (UPDATE_SNAPSHOTS=1 to accept)`);
  }
}

Deno.test("normalize() keeps three significant digits and renumbers ids", () => {
  assertEquals(
    normalize(`<a href="#op-7">x</a><h3 id="op-7">1.2345</h3><p id="z">-0.0004 3 0.2041</p>`),
    `<a href="#id1">x</a>\n<h3 id="id1">1.23</h3>\n<p id="id2">-0.0004 3 0.204</p>`,
  );
  // a 2 % error in a fitted value changes the snapshot
  assert(normalize("s = 0.2000") !== normalize("s = 0.2040"));
});

Deno.test("run page of the amdahl fixture matches its snapshot", async () => {
  const r = await render([FIXTURES.amdahl]);
  await check("run-amdahl-s02.html", await Deno.readTextFile(`${r.outDir}/run-amdahl-s02.html`));
  await check("index-amdahl-s02.html", await Deno.readTextFile(r.index));
  await check(
    "time-burn-amdahl-s02.svg",
    await Deno.readTextFile(`${r.outDir}/figures/run-amdahl-s02/time-burn.svg`),
  );
});

Deno.test("comparison page of the arrays fixtures matches its snapshot", async () => {
  const r = await render([FIXTURES.slurm, FIXTURES.kube]);
  await check("compare-arrays.html", await Deno.readTextFile(`${r.outDir}/compare-arrays.html`));
});
