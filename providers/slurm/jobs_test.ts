import assert from "node:assert/strict";
import { neverStarts } from "./jobs.ts";

Deno.test("neverStarts() recognises Slurm reasons that never clear, with their details", () => {
  assert.equal(neverStarts("PartitionNodeLimit"), "PartitionNodeLimit");
  assert.equal(neverStarts("ReqNodeNotAvail, UnavailableNodes:node3"), "ReqNodeNotAvail");
  assert.equal(neverStarts("BadConstraints"), "BadConstraints");
  assert.equal(neverStarts("Resources"), null);
  assert.equal(neverStarts("Priority"), null);
  assert.equal(neverStarts(undefined), null);
});
