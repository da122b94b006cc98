/**
 * Development tool: assembles sincos.wat with the npm `wabt` package (WebAssembly's reference
 * toolkit, compiled to JavaScript) and writes the bytes into _sincos_wasm.ts, which is what the
 * workload imports — nothing at run time needs wabt.
 *
 * `deno run -A workloads/arrays/build_sincos_wasm.ts` (after editing sincos.wat)
 *
 * @module
 */

/** The WebAssembly text source. */
export const WAT_URL = new URL("./sincos.wat", import.meta.url);
/** The generated module holding the bytes. */
export const OUT_URL = new URL("./_sincos_wasm.ts", import.meta.url);

/** The binary module of a WebAssembly text source (validated, without a names section). */
export async function assemble(wat: string): Promise<Uint8Array> {
  const { default: init } = await import("wabt");
  const wabt = await init();
  const module = wabt.parseWat("sincos.wat", wat, { simd: true, multi_value: true });
  try {
    module.validate();
    return new Uint8Array(module.toBinary({ write_debug_names: false }).buffer);
  } finally {
    module.destroy();
  }
}

/** The source text of _sincos_wasm.ts for these bytes. */
export function render(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  const b64 = btoa(binary);
  const lines = [];
  for (let i = 0; i < b64.length; i += 96) lines.push(`  "${b64.slice(i, i + 96)}",`);
  return [
    "// Generated from sincos.wat by build_sincos_wasm.ts (npm wabt): do not edit by hand.",
    "",
    "/** The binary WebAssembly module of sincos.wat, base64-encoded. */",
    "export const SINCOS_WASM_BASE64 = [",
    ...lines,
    '].join("");',
    "",
  ].join("\n");
}

if (import.meta.main) {
  const bytes = await assemble(await Deno.readTextFile(WAT_URL));
  await Deno.writeTextFile(OUT_URL, render(bytes));
  console.log(`${OUT_URL.pathname}: ${bytes.length} bytes`);
}
