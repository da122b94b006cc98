import { assertEquals, assertThrows } from "../../core/_assert.ts";
import { ValidationError } from "../../core/errors.ts";
import { VisReader } from "./vis_store.ts";
import { VIS_DEFAULTS, writeVis } from "./generator.ts";
import { DirectoryStore } from "./zarr_store.ts";
import { parseCompressor } from "./zarr_write.ts";

Deno.test("parseCompressor() knows Blosc, Zstd, Zlib, GZip and none, with levels", () => {
  assertEquals(parseCompressor("blosc-zstd:3"), {
    id: "blosc",
    cname: "zstd",
    clevel: 3,
    shuffle: 1,
  });
  assertEquals(parseCompressor("blosc"), { id: "blosc", cname: "lz4", clevel: 5, shuffle: 1 });
  assertEquals(parseCompressor("zstd"), { id: "zstd", level: 3 });
  assertEquals(parseCompressor("ZLIB:6"), { id: "zlib", level: 6 });
  assertEquals(parseCompressor("none"), null);
  const e = assertThrows(() => parseCompressor("lzma"), ValidationError);
  assertEquals(
    e.message,
    "Unknown compressor 'lzma' (known: blosc-lz4, blosc-zstd, blosc-lz4hc, blosc-zlib, zstd, zlib, gzip, none)",
  );
});

Deno.test("every compressor round-trips through writeVis() and VisReader, v2 and v3", async () => {
  let reference: Float32Array | Float64Array | null = null;
  for (
    const [format, name] of [
      [2, "blosc-lz4"],
      [2, "blosc-zstd"],
      [2, "zstd"],
      [2, "zlib"],
      [2, "gzip"],
      [2, "none"],
      [3, "blosc-lz4"],
      [3, "zstd"],
      [3, "gzip"],
      [3, "none"],
    ] as const
  ) {
    const dir = await Deno.makeTempDir();
    await writeVis(new DirectoryStore(dir), {
      ...VIS_DEFAULTS,
      antennas: 4,
      times: 3,
      chans: 5,
      pols: 2,
      chunks: [2, 6, 2, 2],
      format,
      compressor: parseCompressor(name),
    });
    const data = (await (await VisReader.open(dir)).readBlock(0, 5)).data;
    reference ??= data;
    assertEquals(data, reference, `v${format} ${name}`);
    await Deno.remove(dir, { recursive: true });
  }
});
