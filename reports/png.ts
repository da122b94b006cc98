/**
 * PNG figures without a browser: the standalone SVG of a figure rasterised by resvg (WebAssembly,
 * `@resvg/resvg-wasm`) with the DejaVu Sans fonts of `dejavu-fonts-ttf`, the font the SVG names,
 * so text renders the same on every machine and nothing is fetched. Both packages load lazily,
 * only when PNGs are asked for.
 *
 * @module
 */

type Resvg = typeof import("@resvg/resvg-wasm");

let ready: Promise<{ mod: Resvg; fonts: Uint8Array[] }> | null = null;

async function load(): Promise<{ mod: Resvg; fonts: Uint8Array[] }> {
  const mod = await import("@resvg/resvg-wasm");
  const wasm = new URL(import.meta.resolve("@resvg/resvg-wasm/index_bg.wasm"));
  await mod.initWasm(await Deno.readFile(wasm));
  const fonts = await Promise.all(
    ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"].map((f) =>
      Deno.readFile(new URL(import.meta.resolve(`dejavu-fonts-ttf/ttf/${f}`)))
    ),
  );
  return { mod, fonts };
}

/** Rasterise a standalone SVG to PNG bytes at `scale` × its size (default 2, for print). */
export async function svgToPng(svg: string, options: { scale?: number } = {}): Promise<Uint8Array> {
  ready ??= load();
  const { mod, fonts } = await ready;
  const r = new mod.Resvg(svg, {
    font: { fontBuffers: fonts, defaultFontFamily: "DejaVu Sans", loadSystemFonts: false },
    fitTo: { mode: "zoom", value: options.scale ?? 2 },
  });
  try {
    return r.render().asPng();
  } finally {
    r.free();
  }
}
