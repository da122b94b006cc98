/**
 * dirty-image in-process (several ranks as tasks, real Web Worker threads): ranks × threads,
 * weak mode, the image cube read back with zarrita, and the committed xarray fixture against the
 * script that made it.
 */
import * as zarr from "zarrita";
import { assert, assertAlmostEquals, assertEquals } from "../core/_assert.ts";
import { runInProcess } from "../workloads/testing.ts";
import { loadWorkload } from "../workloads/mod.ts";
import { VIS_DEFAULTS, writeVis } from "../workloads/dirty_image/generator.ts";
import { VisReader } from "../workloads/dirty_image/vis_store.ts";
import { DirectoryStore } from "../workloads/dirty_image/zarr_store.ts";
import { needPython, needs, PYTHON } from "./_needs.ts";

/** Visibilities per observation, from the rate (Mvis/s) and the time. */
const vis = (r: { rate: number | null; seconds: number | null }) =>
  Math.round(r.rate! * r.seconds! * 1e6);

const FIXTURE = new URL("./testdata/cngi_vis.zarr", import.meta.url).pathname;
const SCRIPT = new URL("./testdata/make_cngi_fixture.py", import.meta.url).pathname;

Deno.test("dirty-image on 2 ranks × 2 threads (synthetic store): checks pass", async () => {
  const recs = await runInProcess("dirty-image", { ranks: 2, threads: 2, reps: 1 });
  assertEquals(recs.map((r) => [r.ok, r.error, vis(r), r.unit]), [[
    true,
    null,
    60 * 120 * 32 * 2,
    "Mvis/s",
  ]]);
});

Deno.test("dirty-image weak mode grows the channels with the cores", async () => {
  const def = (await loadWorkload("dirty-image")).definition;
  const p = { ...Object.fromEntries(Object.entries(def.params).map(([k, s]) => [k, s.default])) };
  const grown = def.weak!(p as never, { cores: 3, nodes: 1, ranks: 1, threads: 3 }) as {
    chans: number;
  };
  assertEquals(grown.chans, 96);
  const recs = await runInProcess("dirty-image", { threads: 2, mode: "weak", reps: 1 });
  assertEquals(recs.map((r) => [r.ok, r.error, vis(r)]), [[true, null, 60 * 120 * 64 * 2]]);
});

Deno.test("dirty-image weak mode on a store repeats its channels cyclically", async () => {
  const recs = await runInProcess("dirty-image", {
    threads: 2,
    mode: "weak",
    reps: 1,
    params: { store: `${FIXTURE}/xds0`, imsize: 64, cell: 0.2 },
  });
  assertEquals(recs.map((r) => [r.ok, r.error, vis(r)]), [[true, null, 8 * 15 * 12 * 2]]);
});

Deno.test("dirty-image writes the cube to Zarr v3: a lone 1 Jy source peaks at 1.0 in every plane", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "dirty_image_cube_" });
  await writeVis(new DirectoryStore(`${tmp}/v.zarr`), {
    ...VIS_DEFAULTS,
    antennas: 10,
    times: 12,
    chans: 6,
    pols: 2,
    chunks: [12, 45, 4, 2],
    format: 3,
    compressor: { id: "zstd", level: 3 },
  });
  const recs = await runInProcess("dirty-image", {
    ranks: 2,
    reps: 1,
    params: { store: `${tmp}/v.zarr`, imsize: 100, out: `${tmp}/cube.zarr` },
  });
  assertEquals(recs.map((r) => [r.ok, r.error]), [[true, null]]);
  const root = zarr.root(new DirectoryStore(`${tmp}/cube.zarr`));
  const image = await zarr.open.v3(root.resolve("IMAGE"), { kind: "array" });
  assertEquals([image.shape, image.chunks, image.dtype], [
    [6, 2, 100, 100],
    [1, 2, 100, 100],
    "float32",
  ]);
  const chan = await zarr.get(await zarr.open.v3(root.resolve("chan"), { kind: "array" }));
  const freqs = (await VisReader.open(`${tmp}/v.zarr`)).freqs;
  assertEquals(Array.from(chan.data as Float64Array), Array.from(freqs));
  const l = (await zarr.get(await zarr.open.v3(root.resolve("l"), { kind: "array" })))
    .data as Float64Array;
  assertEquals([l[50], l[51] < 0, l[49] > 0], [0, true, true]);
  for (let c = 0; c < 6; c++) {
    for (let p = 0; p < 2; p++) {
      const plane = (await zarr.get(image, [c, p, null, null])).data as Float32Array;
      let max = -Infinity, at = -1;
      plane.forEach((v, i) => v > max && ((max = v), (at = i)));
      assertEquals(at, 50 * 100 + 50, `chan ${c} pol ${p}`);
      assertAlmostEquals(plane[at], 1, 1e-3);
    }
  }
  const sw = await zarr.get(await zarr.open.v3(root.resolve("SUM_WEIGHT"), { kind: "array" }), [
    3,
    null,
  ]);
  assert((sw.data as Float64Array).every((w) => w > 10), String(sw.data));
  await Deno.remove(tmp, { recursive: true });
});

/** The largest |a[i] − b[i]| (arrays of one length; Infinity when the lengths differ). */
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

// numpy computes float64 sin/cos with its SVML AVX-512 kernels (≤ 4 ulp) on a CPU with AVX-512 and
// with libm elsewhere, so UVW (baselines of ≤ 300 m rotated by the hour angle) and the phases made
// from it differ in their last bits between machines (measured: UVW by 8.5e-14 m, DATA by 2.7e-15;
// `NPY_DISABLE_CPU_FEATURES=AVX512F…` reproduces the committed fixture bit for bit). The bounds
// below are ~100× those differences and far below any reading mistake (a wrong element, codec or
// order changes values by ≥ 1e-3): |ΔUVW| ≤ 1e-11 m, |ΔDATA| ≤ Σ flux · |Δphase| ≤ 1e-12.
const UVW_TOLERANCE = 1e-11;
const DATA_TOLERANCE = 1e-12;

Deno.test(needs([await needPython("xarray", "zarr", "numcodecs")], {
  name: "the committed CNGI fixture is what make_cngi_fixture.py writes",
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "cngi_fixture_" });
    const out = await new Deno.Command(PYTHON, { args: [SCRIPT, `${tmp}/cngi_vis.zarr`] })
      .output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    const [a, b] = await Promise.all([
      VisReader.open(`${FIXTURE}/xds0`),
      VisReader.open(`${tmp}/cngi_vis.zarr/xds0`),
    ]);
    assertEquals(b.meta, { ...a.meta, location: `${tmp}/cngi_vis.zarr/xds0` });
    const [ba, bb] = [await a.readBlock(0, 6), await b.readBlock(0, 6)];
    assertEquals([bb.flag, bb.weight], [ba.flag, ba.weight]);
    const dData = maxAbsDiff(bb.data, ba.data);
    assert(dData <= DATA_TOLERANCE, `DATA differs by ${dData} (> ${DATA_TOLERANCE})`);
    const [ua, ub] = [await a.readUvw(), await b.readUvw()];
    const dUvw = maxAbsDiff(ub, ua);
    assert(dUvw <= UVW_TOLERANCE, `UVW differs by ${dUvw} m (> ${UVW_TOLERANCE})`);
    await Deno.remove(tmp, { recursive: true });
  },
}));
