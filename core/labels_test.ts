import assert from "node:assert/strict";
import { coresLabel, failureLine, firstLine, repLabel } from "./labels.ts";

Deno.test("repLabel() counts repetitions and warm-ups from 1", () => {
  assert.equal(repLabel({ rep: 0, warmup: false }), "rep 1");
  assert.equal(repLabel({ rep: 4, warmup: false }), "rep 5");
  assert.equal(repLabel({ rep: 0, warmup: true }), "warm-up 1");
});

Deno.test("coresLabel() and firstLine() read as plain words", () => {
  assert.deepEqual([coresLabel(1), coresLabel(2)], ["1 core", "2 cores"]);
  assert.equal(firstLine("\n  got 41, wanted 42\n    at stack"), "got 41, wanted 42");
  assert.equal(firstLine(null), "failed without a message");
});

Deno.test("failureLine() names operation, cores, repetition and the message's first line", () => {
  assert.equal(
    failureLine({ op: "burn", cores: 2, rep: 0, warmup: false, error: "got 41, wanted 42\nmore" }),
    "burn · 2 cores · rep 1: got 41, wanted 42",
  );
  assert.equal(
    failureLine({ op: "sum", cores: 1, rep: 1, warmup: true, error: null }),
    "sum · 1 core · warm-up 2: failed without a message",
  );
});
