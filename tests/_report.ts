/**
 * Paths of the report fixtures and a helper that renders them (for the report tests).
 *
 * @module
 */
import { writeReport } from "../reports/mod.ts";

const DATA = new URL("./testdata/", import.meta.url).pathname;

/** Fixture run directories and import files. */
export const FIXTURES = {
  amdahl: `${DATA}runs/amdahl-s02`,
  torn: `${DATA}runs/torn`,
  empty: `${DATA}runs/empty`,
  slurm: `${DATA}runs/arrays-slurm`,
  kube: `${DATA}runs/arrays-kube`,
  xss: `${DATA}runs/xss`,
  daskAgg: `${DATA}imports/kube_arrays.csv`,
  daskRaw: `${DATA}imports/slurm_arrays_raw.csv`,
  hyperfine: `${DATA}imports/hyperfine.json`,
};

/** Strings that must only ever appear as text. */
export const XSS = ["<script>alert(1)</script>", `"><img src=x onerror=alert(1)>`];

/** Render `inputs` into a new temporary directory; returns the result and the warnings. */
export async function render(
  inputs: string[],
  format: "html" | "md" | "csv" | "json" = "html",
): Promise<
  { outDir: string; files: string[]; figures: string[]; index: string; warnings: string[] }
> {
  const outDir = await Deno.makeTempDir({ prefix: "scalebench-report-" });
  const warnings: string[] = [];
  const r = await writeReport(inputs, { outDir, format, onWarning: (m) => warnings.push(m) });
  return { outDir, ...r, figures: r.figures ?? [], warnings };
}
