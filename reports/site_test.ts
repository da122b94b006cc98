import assert from "node:assert/strict";
import type { RunAnalysis } from "./model.ts";
import { comparedRuns } from "./site.ts";

/** The fields comparedRuns() reads; the rest of the analysis does not matter to it. */
function run(id: string, startedAt: string, provider = "local"): RunAnalysis {
  return {
    src: { id, startedAt, kind: "run", provider: { name: provider } },
  } as unknown as RunAnalysis;
}
const ids = (runs: RunAnalysis[]) => runs.map((r) => (r.src as unknown as { id: string }).id);

Deno.test("comparedRuns() puts the oldest run of one provider first, as the baseline", () => {
  const before = run("arrays-before", "2026-11-30T07:17:19Z");
  const after = run("arrays-after", "2026-11-30T07:17:35Z");
  assert.deepStrictEqual(ids(comparedRuns([after, before])), ["arrays-before", "arrays-after"]);
  assert.deepStrictEqual(ids(comparedRuns([before, after])), ["arrays-before", "arrays-after"]);
});

Deno.test("comparedRuns() keeps the latest run of each provider when there are several", () => {
  const runs = [
    run("slurm-old", "2026-11-01T00:00:00Z", "slurm"),
    run("k8s", "2026-11-02T00:00:00Z", "kubernetes"),
    run("slurm-new", "2026-11-03T00:00:00Z", "slurm"),
  ];
  assert.deepStrictEqual(ids(comparedRuns(runs)), ["k8s", "slurm-new"]);
});

Deno.test("comparedRuns() compares nothing when one run is given", () => {
  assert.deepStrictEqual(comparedRuns([run("only", "2026-11-01T00:00:00Z")]), []);
});
