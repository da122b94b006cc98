import assert from "node:assert/strict";
import { createLocalGroup } from "./local_group.ts";
import { type Collectives, RendezvousClient, RendezvousHub } from "./rendezvous.ts";
import {
  TREE_FANOUT,
  TREE_MIN_RANKS,
  treeChildren,
  type TreeOptions,
  treeParent,
  usesTree,
} from "./rendezvous_tree.ts";

const TOKEN = "tree-token";

/** `size` ranks over TCP in this process, the collectives over a tree of `fanout`. */
async function treeGroup(
  size: number,
  tree: TreeOptions | undefined,
  host: (rank: number) => string = () => "h",
): Promise<{ hub: RendezvousHub; group: Collectives[] }> {
  const hub = RendezvousHub.start({ size, token: TOKEN, bind: "127.0.0.1", port: 0, tree });
  const clients = await Promise.all(
    Array.from({ length: size - 1 }, (_, i) =>
      RendezvousClient.join({
        rank: i + 1,
        size,
        token: TOKEN,
        host: "127.0.0.1",
        port: hub.port,
        timeout: 10,
        self: { host: host(i + 1), pid: 1 },
        tree,
      })),
  );
  await hub.waitForRanks(10);
  return { hub, group: [hub, ...clients] };
}

const closeAll = (g: Collectives[]) => Promise.all(g.map((m) => m.close()));

/** Numbers whose sum depends on the order it is taken in (floating point). */
const awkward = (rank: number) => [rank % 2 ? 1e16 : 1, rank * 0.1, -rank, rank % 3 ? 1e-300 : 7];

/** The left fold in rank order, as the star computes it. */
function foldInRankOrder(size: number, f: (a: number, b: number) => number): number[] {
  let out = awkward(0);
  for (let r = 1; r < size; r++) out = out.map((a, i) => f(a, awkward(r)[i]));
  return out;
}

Deno.test("treeParent() and treeChildren() lay the ranks out as a heap of fan-out k", () => {
  assert.deepEqual(
    Array.from({ length: 10 }, (_, r) => treeParent(r, 3)),
    [-1, 0, 0, 0, 1, 1, 1, 2, 2, 2],
  );
  assert.deepEqual(treeChildren(0, { size: 10, fanout: 3 }), [1, 2, 3]);
  assert.deepEqual(treeChildren(2, { size: 10, fanout: 3 }), [7, 8, 9]);
  assert.deepEqual(treeChildren(3, { size: 10, fanout: 3 }), []);
  assert.deepEqual(treeChildren(1, { size: 6, fanout: 4 }), [5]);
});

Deno.test("usesTree(): from the threshold on, never with TLS, never for 0", () => {
  const tree = { min: 16, fanout: 4 };
  assert.deepEqual([15, 16, 128].map((n) => usesTree(n, { tree, tls: false })), [
    false,
    true,
    true,
  ]);
  assert.equal(usesTree(128, { tree, tls: true }), false);
  assert.equal(usesTree(128, { tree: { min: 0, fanout: 4 }, tls: false }), false);
  assert.equal(usesTree(2, { tree: { min: 1, fanout: 2 }, tls: false }), false);
});

Deno.test("by default the ranks use the tree from TREE_MIN_RANKS, unless one host has more ranks than CPUs", async () => {
  const small = await treeGroup(TREE_MIN_RANKS - 1, undefined, (r) => `node${r}`);
  assert.equal(small.hub.fanout, 0);
  await closeAll(small.group);
  const spread = await treeGroup(TREE_MIN_RANKS, undefined, (r) => `node${r}`);
  assert.equal(spread.hub.fanout, TREE_FANOUT);
  const sums = await Promise.all(spread.group.map((m) => m.allreduce([m.rank])));
  assert.deepEqual(sums.map((s) => s[0]), Array(TREE_MIN_RANKS).fill(120));
  await closeAll(spread.group);
  // every rank on one host of this machine's CPUs: each hop of a tree would wait for a CPU
  const crowded = await treeGroup(
    Math.max(TREE_MIN_RANKS, navigator.hardwareConcurrency + 1),
    undefined,
  );
  assert.equal(crowded.hub.fanout, 0);
  await Promise.all(crowded.group.map((m) => m.barrier()));
  await closeAll(crowded.group);
});

for (const [size, fanout] of [[3, 2], [7, 2], [10, 3], [13, 4], [9, 8]]) {
  Deno.test(`tree of ${size} ranks, fan-out ${fanout}: every collective's result is the star's, exactly`, async () => {
    const { hub, group } = await treeGroup(size, { min: 2, fanout });
    assert.equal(hub.fanout, fanout);
    const star = createLocalGroup(size);
    for (let round = 0; round < 3; round++) {
      await Promise.all(group.map((m) => m.barrier()));
      const gathered = await Promise.all(group.map((m) => m.allgather({ r: m.rank, round })));
      for (const g of gathered) {
        assert.deepEqual(g, Array.from({ length: size }, (_, r) => ({ r, round })));
      }
      const bytes = await Promise.all(
        group.map((m) => m.allgatherBytes(new Uint8Array(m.rank + 1).fill(m.rank + round))),
      );
      for (const b of bytes) {
        assert.deepEqual(
          b.map((x) => [...x]),
          Array.from({ length: size }, (_, r) => Array(r + 1).fill(r + round)),
        );
      }
      for (const op of ["sum", "min", "max"] as const) {
        const f = op === "sum" ? (a: number, b: number) => a + b : Math[op];
        const want = foldInRankOrder(size, f);
        const tree = await Promise.all(group.map((m) => m.allreduce(awkward(m.rank), op)));
        const local = await Promise.all(star.map((m) => m.allreduce(awkward(m.rank), op)));
        for (let r = 0; r < size; r++) {
          assert.deepEqual([...tree[r]], want, `rank ${r} ${op}`);
          assert.deepEqual([...local[r]], want);
        }
      }
      // alltoall stays on the star, between collectives of the tree
      const out = await Promise.all(
        group.map((m) =>
          m.alltoall(Array.from({ length: size }, (_, d) => new Uint8Array([m.rank, d])))
        ),
      );
      for (let d = 0; d < size; d++) {
        assert.deepEqual(out[d].map((b) => [...b]), Array.from({ length: size }, (_, s) => [s, d]));
      }
    }
    await Promise.all(group.map((m) => m.barrier()));
    await closeAll(group);
  });
}

Deno.test("tree: a rank's own blocks may be reused once its call resolves", async () => {
  const { group } = await treeGroup(7, { min: 2, fanout: 2 });
  const mine = group.map((m) => new Uint8Array(200_000).fill(m.rank));
  const got = await Promise.all(group.map(async (m) => {
    const all = await m.allgatherBytes(mine[m.rank]);
    mine[m.rank].fill(255);
    return all;
  }));
  await Promise.all(group.map((m) => m.barrier()));
  for (const all of got) {
    assert.deepEqual(
      all.map((b) => [b.length, b[0], b[199_999]]),
      group.map((m) => [200_000, m.rank, m.rank]),
    );
  }
  await closeAll(group);
});

Deno.test("tree: a rank that fails mid-collective fails every rank's pending call with its message", async () => {
  const { group } = await treeGroup(9, { min: 2, fanout: 2 });
  // every rank but 6 waits in a barrier (6 is a leaf under 2); then 6 fails
  const waiting = group.filter((m) => m.rank !== 6).map((m) => m.barrier());
  await new Promise((r) => setTimeout(r, 50));
  group[6].fail("Operation 'x' failed on rank 6: broken on purpose");
  const settled = await Promise.allSettled(waiting);
  for (const s of settled) {
    assert.equal(s.status, "rejected");
    assert.equal(
      (s as PromiseRejectedResult).reason.message,
      "Operation 'x' failed on rank 6: broken on purpose",
    );
  }
  await assert.rejects(group[3].allgather(1), /broken on purpose/);
  await closeAll(group);
});

Deno.test("tree: mismatched collectives fail every rank", async () => {
  const { group } = await treeGroup(7, { min: 2, fanout: 2 });
  const calls = group.map((m) => (m.rank === 5 ? m.allgather(1) : m.barrier()));
  const settled = await Promise.allSettled(calls);
  for (const s of settled) {
    assert.equal(s.status, "rejected");
    assert.match((s as PromiseRejectedResult).reason.message, /^Collective mismatch at call 0: /);
  }
  await closeAll(group);
});

Deno.test("tree: an allreduce of vectors of different lengths fails every rank", async () => {
  const { group } = await treeGroup(5, { min: 2, fanout: 2 });
  const settled = await Promise.allSettled(
    group.map((m) => m.allreduce(m.rank === 3 ? [1, 2] : [1])),
  );
  for (const s of settled) {
    assert.equal(s.status, "rejected");
    assert.match(
      (s as PromiseRejectedResult).reason.message,
      /^Collective mismatch: rank 3 reduced 2 values, rank 0 1 \(collective 0\)$/,
    );
  }
  await closeAll(group);
});

Deno.test("tree: an inner rank's process dying mid-collective fails every other rank", async () => {
  // 7 ranks, fan-out 2: rank 1 (children 3 and 4) is a process of its own that dies in a barrier
  const size = 7, tree = { min: 2, fanout: 2 };
  const hub = RendezvousHub.start({ size, token: TOKEN, bind: "127.0.0.1", port: 0, tree });
  const rendezvous = new URL("./rendezvous.ts", import.meta.url).href;
  const rank1 = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { RendezvousClient } from ${JSON.stringify(rendezvous)};
       const m = await RendezvousClient.join({ rank: 1, size: ${size}, token: ${
        JSON.stringify(TOKEN)
      }, host: "127.0.0.1", port: ${hub.port}, timeout: 10, self: { host: "h", pid: Deno.pid }, tree: ${
        JSON.stringify(tree)
      } });
       await m.barrier();
       setTimeout(() => Deno.exit(3), 100);`,
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const others = await Promise.all(
    [2, 3, 4, 5, 6].map((rank) =>
      RendezvousClient.join({
        rank,
        size,
        token: TOKEN,
        host: "127.0.0.1",
        port: hub.port,
        timeout: 10,
        self: { host: "h", pid: 1 },
        tree,
      })
    ),
  );
  await hub.waitForRanks(10);
  const group: Collectives[] = [hub, ...others];
  await Promise.all(group.map((m) => m.barrier()));
  // the others wait in a second barrier; rank 1's process exits before it gets there
  const settled = await Promise.allSettled(group.map((m) => m.barrier()));
  assert.equal((await rank1.output()).code, 3);
  for (const [i, s] of settled.entries()) {
    assert.equal(s.status, "rejected", `rank ${group[i].rank}`);
    assert.equal(
      (s as PromiseRejectedResult).reason.message,
      "Rank 1 disconnected from the rendezvous",
    );
  }
  await closeAll(group);
});
