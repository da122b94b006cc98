import assert from "node:assert/strict";
import { hanging } from "./list.ts";

Deno.test("hanging() puts the text in a column and wraps it under its own start", () => {
  assert.deepEqual(
    hanging("  --pin", "Pin each local rank to its own cores", { col: 12, width: 32 }),
    ["  --pin     Pin each local rank", "            to its own cores"],
  );
});

Deno.test("hanging() starts the text on a line of its own when the first column is too wide", () => {
  assert.deepEqual(hanging("  --a-very-long-flag <v>", "Help", { col: 12, width: 40 }), [
    "  --a-very-long-flag <v>",
    "            Help",
  ]);
});
