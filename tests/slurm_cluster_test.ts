import assert from "node:assert/strict";
import { parseCluster } from "./slurm_cluster.ts";

Deno.test("parseCluster() counts the default partition's usable nodes and their smallest CPU count", () => {
  const sinfo = [
    "node1|4|idle|debug*",
    "node2|4|mix|debug*",
    "node3|8|alloc|debug*",
    "node4|4|down*|debug*",
    "node5|4|drain|debug*",
    "node10|2|idle~|debug*",
    "big1|64|idle|big",
  ].join("\n");
  assert.deepEqual(parseCluster(sinfo), {
    partition: "debug",
    nodes: 4,
    cpusPerNode: 2,
    names: ["node1", "node2", "node3", "node10"],
  });
  assert.deepEqual(parseCluster("a|2|idle|only\nb|2|idle|only\n"), {
    partition: "only",
    nodes: 2,
    cpusPerNode: 2,
    names: ["a", "b"],
  });
  assert.equal(parseCluster("node1|4|down|debug*"), null);
  assert.equal(parseCluster(""), null);
});
