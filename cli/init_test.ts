import assert from "node:assert/strict";
import { currentLaunch, launchExpression, testTemplate, workloadTemplate } from "./init.ts";

Deno.test("launchExpression() starts a bundle with the test's own Deno, a checkout with its launcher", () => {
  assert.equal(
    launchExpression({ kind: "bundle", bundle: "/opt/sb/scalebench.js" }),
    '[Deno.execPath(), "run", "-A", "--quiet", "/opt/sb/scalebench.js"]',
  );
  assert.equal(
    launchExpression({ kind: "checkout", launcher: "/src/sb/scalebench", types: null }),
    '["/src/sb/scalebench"]',
  );
  assert.equal(launchExpression({ kind: "binary", binary: "/usr/bin/sb" }), '["/usr/bin/sb"]');
  const t = testTemplate("w", { kind: "bundle", bundle: "/b.js" });
  assert.equal(t.includes(Deno.execPath()), false);
});

Deno.test("workloadTemplate() imports the API's types only from a mod.ts that exists", () => {
  assert.equal(workloadTemplate("w", null).includes("import"), false);
  const launch = currentLaunch(); // this test: deno running a test file, so a bundle-like main
  assert.equal(launch.kind, "bundle");
  assert.match(
    workloadTemplate("w", "file:///src/mod.ts"),
    /^import type \{ WorkloadApi \} from "file:\/\/\/src\/mod\.ts";$/m,
  );
});
