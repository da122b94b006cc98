import { assert, assertAlmostEquals, assertEquals, assertRejects } from "../../core/_assert.ts";
import { ValidationError } from "../../core/errors.ts";
import { VIS_DEFAULTS, type VisOptions, writeVis } from "./generator.ts";
import { inspectVisStore, visDimsSync, VisReader } from "./vis_store.ts";
import { DirectoryStore } from "./zarr_store.ts";

const FIXTURE = new URL("../../tests/testdata/cngi_vis.zarr/xds0", import.meta.url).pathname;

function small(over: Partial<VisOptions> = {}): VisOptions {
  return {
    ...VIS_DEFAULTS,
    antennas: 5,
    times: 4,
    chans: 6,
    pols: 2,
    chunks: [2, 10, 4, 2],
    ...over,
  };
}

async function generated(over: Partial<VisOptions> = {}): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "vis_store_test_" });
  await writeVis(new DirectoryStore(dir), small(over));
  return dir;
}

async function editJson(path: string, edit: (doc: Record<string, unknown>) => void): Promise<void> {
  const doc = JSON.parse(await Deno.readTextFile(path));
  edit(doc);
  await Deno.writeTextFile(path, JSON.stringify(doc));
}

Deno.test("inspectVisStore() describes the xarray-written CNGI fixture (v2, complex128, mixed codecs)", async () => {
  const meta = await inspectVisStore(FIXTURE);
  assertEquals(meta.format, 2);
  assertEquals(meta.consolidated, false); // .zmetadata sits at the root, above xds0
  assertEquals(meta.dims, { times: 8, baselines: 15, chans: 6, pols: 2 });
  assertEquals(meta.dataDtype, "complex128");
  assertEquals([meta.weightPerChan, meta.hasFlag, meta.hasFlagRow, meta.chanChunk], [
    true,
    true,
    true,
    4,
  ]);
  assertEquals(meta.sources?.length, 2);
  assertAlmostEquals(meta.sources![1].l, 2.1 * Math.PI / 180 / 3600, 1e-15);
});

Deno.test("VisReader reads complex128 DATA across chunks, int8 FLAG, per-channel WEIGHT, FLAG_ROW", async () => {
  const r = await VisReader.open(FIXTURE);
  assertEquals(Array.from(r.freqs.slice(0, 2)), [100e9, 100.05e9]);
  const uvw = await r.readUvw();
  assertEquals(uvw.length, 8 * 15 * 3);
  const flagRow = await r.readFlagRow();
  assertEquals(flagRow![2 * 15 + 3], 1);
  assertEquals(flagRow!.reduce((a, b) => a + b, 0), 1);
  const b = await r.readBlock(3, 5); // spans the chunk boundary at channel 4
  assert(b.data instanceof Float64Array);
  assertEquals(b.data.length, 8 * 15 * 2 * 2 * 2);
  assertEquals(b.flag!.length, 8 * 15 * 2 * 2);
  assertEquals(b.weight!.length, 8 * 15 * 2 * 2);
  // row (2, 3) is FLAG_ROW: its DATA is the fixture's garbage −700
  assertEquals(b.data[((2 * 15 + 3) * 2) * 4], -700);
  // an unflagged sample has unit-ish modulus |1 + 0.6 e^{iφ}| ∈ [0.4, 1.6]
  const i = b.flag!.findIndex((f, k) => f === 0 && Math.floor(k / 4) !== 2 * 15 + 3);
  const mod = Math.hypot(b.data[2 * i], b.data[2 * i + 1]);
  assert(mod >= 0.4 - 1e-9 && mod <= 1.6 + 1e-9, `modulus ${mod}`);
  assertEquals(await r.readRowWeights(), null);
});

Deno.test("VisReader reads generated v2 and v3 stores to the same values whatever the chunking", async () => {
  const a = await generated({ format: 2, chunks: [2, 10, 4, 2] });
  const b = await generated({
    format: 3,
    chunks: [4, 3, 1, 1],
    compressor: { id: "zstd", level: 3 },
  });
  const ra = await VisReader.open(a), rb = await VisReader.open(b);
  assertEquals(rb.meta.format, 3);
  assertEquals(rb.meta.consolidated, true);
  const [ba, bb] = [await ra.readBlock(1, 5), await rb.readBlock(1, 5)];
  assertEquals(ba.data, bb.data);
  assertEquals(ba.flag, bb.flag);
  assertEquals(await ra.readUvw(), await rb.readUvw());
  assertEquals(await ra.readRowWeights(), await rb.readRowWeights());
  assertEquals(visDimsSync(b), { times: 4, baselines: 10, chans: 6, pols: 2 });
  for (const d of [a, b]) await Deno.remove(d, { recursive: true });
});

Deno.test("VisReader reads a store over http chunk by chunk", async () => {
  const dir = await generated();
  const seen: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    seen.push(path);
    try {
      return new Response(await Deno.readFile(dir + path.replace(/^\/v\.zarr/, "")));
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  try {
    const url = `http://127.0.0.1:${server.addr.port}/v.zarr`;
    const meta = await inspectVisStore(url);
    assertEquals(meta.dims, { times: 4, baselines: 10, chans: 6, pols: 2 });
    const local = await (await VisReader.open(dir)).readBlock(4, 6);
    const remote = await (await VisReader.open(url, meta)).readBlock(4, 6);
    assertEquals(remote.data, local.data);
    assert(
      seen.includes("/v.zarr/DATA/0.0.1.0") && !seen.includes("/v.zarr/DATA/0.0.0.0"),
      seen.join(),
    );
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("inspectVisStore() rejects bad stores with one clear line each", async () => {
  const cases: [string, (dir: string) => Promise<void>, string][] = [
    ["missing", (d) => Deno.remove(d, { recursive: true }), "does not exist"],
    ["not zarr", async (d) => {
      await Deno.remove(d, { recursive: true });
      await Deno.mkdir(d);
    }, "is not a Zarr group (no .zmetadata, .zgroup or zarr.json)"],
    ["no DATA", (d) =>
      editJson(`${d}/.zmetadata`, (doc) => {
        delete (doc.metadata as Record<string, unknown>)["DATA/.zarray"];
      }), "has no variable 'DATA' (found: FLAG, FLAG_ROW, UVW, WEIGHT, chan, time, pol, baseline;"],
    [
      "shape",
      (d) =>
        editJson(`${d}/.zmetadata`, (doc) => {
          (doc.metadata as Record<string, Record<string, unknown>>)["UVW/.zarray"].shape = [
            4,
            9,
            3,
          ];
        }),
      "array 'UVW' has shape (4, 9, 3), expected (4, 10, 3) to match DATA (time, baseline, chan, pol) = (4, 10, 6, 2)",
    ],
    [
      "compressor",
      (d) =>
        editJson(`${d}/.zmetadata`, (doc) => {
          (doc.metadata as Record<string, Record<string, unknown>>)["DATA/.zarray"].compressor = {
            id: "lzma",
          };
        }),
      "array 'DATA' uses compressor 'lzma', which scalebench cannot decode (supported: blosc (lz4, lz4hc, zstd, zlib, blosclz, snappy), zstd, zlib, gzip, lz4, none)",
    ],
    ["dtype", (d) =>
      editJson(`${d}/.zmetadata`, (doc) => {
        (doc.metadata as Record<string, Record<string, unknown>>)["DATA/.zarray"].dtype = "<f4";
      }), "array 'DATA' must be complex64 or complex128 (got 'float32')"],
  ];
  for (const [what, spoil, message] of cases) {
    const dir = await generated();
    await spoil(dir);
    const err = await assertRejects(() => inspectVisStore(dir), ValidationError);
    assertEquals(err.message.includes(message), true, `${what}: ${err.message}`);
    assert(!err.message.includes("\n"), what);
    assert(err.message.startsWith(`Store '${dir}`), `${what}: ${err.message}`);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("inspectVisStore() reports an unreachable URL as a ValidationError", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(""),
  );
  const port = server.addr.port;
  await server.shutdown();
  const err = await assertRejects(
    () => inspectVisStore(`http://127.0.0.1:${port}/v.zarr`),
    ValidationError,
  );
  assert(
    err.message.startsWith(`Store 'http://127.0.0.1:${port}/v.zarr' cannot be read: `),
    err.message,
  );
});
