import assert from "node:assert/strict";
import { DEMO_ARGS, expandDemo } from "./demo.ts";

Deno.test("expandDemo() turns `demo` into README's run and keeps the flags that follow", () => {
  assert.deepEqual(expandDemo(["demo", "-o", "/tmp/x"]), [...DEMO_ARGS, "-o", "/tmp/x"]);
  assert.deepEqual(DEMO_ARGS.slice(0, 2), ["run", "amdahl"]);
  assert.deepEqual(expandDemo(["run", "demo"]), ["run", "demo"]);
  assert.deepEqual(expandDemo([]), []);
});
