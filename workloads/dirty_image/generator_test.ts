import { assert, assertAlmostEquals, assertEquals } from "../../core/_assert.ts";
import { C_LIGHT } from "./dft.ts";
import {
  channelFreqs,
  hashUnit,
  isFlagged,
  isRowFlagged,
  planVis,
  VIS_DEFAULTS,
  type VisOptions,
  visUvw,
  writeVis,
} from "./generator.ts";
import { VisReader } from "./vis_store.ts";
import { DirectoryStore } from "./zarr_store.ts";
import { needPython, needs, PYTHON } from "../../tests/_needs.ts";

const ARCSEC = Math.PI / 180 / 3600;
const OPTS: VisOptions = {
  ...VIS_DEFAULTS,
  antennas: 6,
  times: 5,
  chans: 7,
  pols: 2,
  chunks: [3, 15, 3, 2],
  sources: [{ l: 0, m: 0, flux: 1 }, { l: 1.5 * ARCSEC, m: -0.5 * ARCSEC, flux: 0.25 }],
  flagFraction: 0.2,
};

Deno.test("planVis() counts baselines, visibilities, bytes and chunk files", () => {
  const p = planVis({ ...OPTS, antennas: 16, times: 20, chans: 32, chunks: [20, 120, 8, 2] });
  assertEquals(p.baselines, 120);
  assertEquals(p.visibilities, 20 * 120 * 32 * 2);
  assertEquals(p.dataBytes, 20 * 120 * 32 * 2 * 8);
  assertEquals(p.chunkFiles, 8);
});

Deno.test("channelFreqs() spreads channels evenly around the centre frequency", () => {
  assertEquals(Array.from(channelFreqs({ chans: 4, freq: 100, bandwidth: 8 })), [97, 99, 101, 103]);
  assertEquals(Array.from(channelFreqs({ chans: 1, freq: 5, bandwidth: 2 })), [5]);
});

Deno.test("writeVis() writes exact point-source visibilities, flags with garbage, FLAG_ROW and weights", async () => {
  const dir = await Deno.makeTempDir();
  const plan = await writeVis(new DirectoryStore(dir), OPTS);
  const r = await VisReader.open(dir);
  assertEquals(r.meta.dims, { times: 5, baselines: 15, chans: 7, pols: 2 });
  assertEquals(r.meta.sources?.map((s) => s.flux), [1, 0.25]);
  const uvw = await r.readUvw();
  assertEquals(uvw, visUvw(OPTS));
  const flagRow = (await r.readFlagRow())!;
  const block = await r.readBlock(0, 7);
  const weights = (await r.readRowWeights())!;
  let flagged = 0, checked = 0;
  for (let row = 0; row < plan.rows; row++) {
    const [t, b] = [Math.floor(row / 15), row % 15];
    for (let c = 0; c < 7; c++) {
      for (let p = 0; p < 2; p++) {
        const i = (row * 7 + c) * 2 + p;
        assertEquals(block.flag![i] === 1, isFlagged(OPTS, t, b, c, p) || flagRow[row] === 1);
        if (block.flag![i]) {
          assertEquals([block.data[2 * i], block.data[2 * i + 1]], [100, -50]);
          flagged++;
          continue;
        }
        let re = 0, im = 0;
        for (const s of OPTS.sources) {
          const n1 = Math.sqrt(1 - s.l * s.l - s.m * s.m) - 1;
          const ph = (-2 * Math.PI * r.freqs[c] / C_LIGHT) *
            (uvw[3 * row] * s.l + uvw[3 * row + 1] * s.m + uvw[3 * row + 2] * n1);
          re += s.flux * Math.cos(ph);
          im += s.flux * Math.sin(ph);
        }
        assertAlmostEquals(block.data[2 * i], re, 1e-6);
        assertAlmostEquals(block.data[2 * i + 1], im, 1e-6);
        checked++;
      }
    }
    for (let p = 0; p < 2; p++) {
      assertAlmostEquals(
        weights[row * 2 + p],
        0.5 + hashUnit(OPTS.seed ^ 0x27d4eb2f, t, b, -1, p),
        1e-6,
      );
    }
  }
  assert(
    flagged > 0.1 * (flagged + checked) && checked > 0,
    `${flagged} flagged, ${checked} checked`,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("writeVis() flags every sample of a FLAG_ROW row in FLAG too (ngCASA reads only FLAG)", async () => {
  // 50 times × 15 baselines, a row flagged with probability 0.05: ~37 rows
  const opts = {
    ...OPTS,
    times: 50,
    chunks: [50, 15, 7, 2] as VisOptions["chunks"],
    flagFraction: 0.5,
  };
  const dir = await Deno.makeTempDir();
  try {
    await writeVis(new DirectoryStore(dir), opts);
    const r = await VisReader.open(dir);
    const flagRow = (await r.readFlagRow())!;
    const block = await r.readBlock(0, 7);
    let rows = 0;
    for (let row = 0; row < 50 * 15; row++) {
      assertEquals(flagRow[row] === 1, isRowFlagged(opts, Math.floor(row / 15), row % 15));
      if (!flagRow[row]) continue;
      rows++;
      const samples = block.flag!.subarray(row * 14, (row + 1) * 14);
      assertEquals([...samples], new Array(14).fill(1), `FLAG of row ${row}`);
      for (let i = row * 14; i < (row + 1) * 14; i++) {
        assertEquals([block.data[2 * i], block.data[2 * i + 1]], [100, -50]);
      }
    }
    assert(rows >= 10, `only ${rows} rows flagged`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeVis() with channels writes only the chunks of those channels", async () => {
  const dir = await Deno.makeTempDir();
  await writeVis(new DirectoryStore(dir), { ...OPTS, channels: [3, 5] });
  const names = [];
  for await (const e of Deno.readDir(`${dir}/DATA`)) names.push(e.name);
  assertEquals(names.filter((n) => !n.startsWith(".")).sort(), ["0.0.1.0", "1.0.1.0"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test(needs([await needPython("xarray", "zarr")], {
  name: "writeVis() output reads back in Python's xarray",
  fn: readsBackInXarray,
}));

async function readsBackInXarray() {
  const dir = await Deno.makeTempDir();
  await writeVis(new DirectoryStore(dir), OPTS);
  const script = `import xarray as xr, json
ds = xr.open_zarr("${dir}")
v = ds.DATA.values
print(json.dumps({"dims": dict(ds.DATA.sizes), "dtype": str(v.dtype), "re": float(v[1, 2, 3, 1].real),
  "im": float(v[1, 2, 3, 1].imag), "flag": str(ds.FLAG.dtype), "nflag": int(ds.FLAG.values.sum()),
  "sources": ds.attrs["scalebench_sources"][1]["flux_jy"], "baseline0": int(ds.baseline.values[0])}))`;
  const out = await new Deno.Command(PYTHON, { args: ["-c", script] }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  const got = JSON.parse(new TextDecoder().decode(out.stdout));
  const block = await (await VisReader.open(dir)).readBlock(3, 4);
  const i = (1 * 15 + 2) * 2 + 1;
  assertEquals(got.dims, { time: 5, baseline: 15, chan: 7, pol: 2 });
  assertEquals([got.dtype, got.flag, got.sources, got.baseline0], ["complex64", "bool", 0.25, 0]);
  assertEquals([got.re, got.im], [block.data[2 * i], block.data[2 * i + 1]]);
  let nflag = 0;
  for (let t = 0; t < 5; t++) {
    for (let b = 0; b < 15; b++) {
      for (let c = 0; c < 7; c++) {
        for (let p = 0; p < 2; p++) {
          nflag += isFlagged(OPTS, t, b, c, p) || isRowFlagged(OPTS, t, b) ? 1 : 0;
        }
      }
    }
  }
  assertEquals(got.nflag, nflag);
  await Deno.remove(dir, { recursive: true });
}
