import assert from "node:assert/strict";
import type { PlannedPoint } from "../core/types.ts";
import { localProvider, oversubscription } from "../providers/local.ts";
import { cli } from "./_cli.ts";
import { assertNoRanksLeft, providerConformance } from "./provider_conformance.ts";

providerConformance({
  provider: localProvider,
  assertNothingLeft: ({ runDir }) => assertNoRanksLeft(runDir, 0.1),
});

Deno.test("oversubscription() names the points whose cores exceed the logical CPUs, in one line", () => {
  const points = [1, 2, 4, 8].map((cores) => ({ cores }) as PlannedPoint);
  assert.equal(oversubscription(points, 8), null);
  assert.equal(
    oversubscription(points, 2),
    "Warning: points with 4, 8 cores exceed this machine's 2 logical CPUs: their ranks and threads share CPUs (oversubscribed)",
  );
  const many = Array.from({ length: 63 }, (_, i) => ({ cores: i + 3 }) as PlannedPoint);
  assert.equal(
    oversubscription(many, 2),
    "Warning: points with 3, 4, 5, …, 65 cores (63 points) exceed this machine's 2 logical CPUs: their ranks and threads share CPUs (oversubscribed)",
  );
});

Deno.test("run -c beyond this machine's CPUs warns once, on stderr, and still runs", async () => {
  const cpus = navigator.hardwareConcurrency;
  const out = await Deno.makeTempDir({ prefix: "scalebench-local-" });
  const r = await cli([
    "run",
    "amdahl",
    "-c",
    `1,${cpus + 1}`,
    "--layout",
    "ranks",
    "-r",
    "1",
    "--set",
    "work=5",
    "-o",
    out,
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const warnings = r.stderr.split("\n").filter((l) => l.startsWith("Warning:"));
  assert.deepEqual(warnings, [
    `Warning: point with ${
      cpus + 1
    } cores exceeds this machine's ${cpus} logical CPUs: their ranks and threads share CPUs (oversubscribed)`,
  ]);
  await Deno.remove(out, { recursive: true });
});
