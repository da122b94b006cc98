import { assertEquals, assertRejects } from "./_assert.ts";
import { createLocalGroup } from "./local_group.ts";
import { RendezvousClient, RendezvousHub } from "./rendezvous.ts";
import type { Collectives } from "./rendezvous.ts";

const TOKEN = "s3cret-token";

async function tcpGroup(size: number, logs: string[] = []): Promise<Collectives[]> {
  const hub = RendezvousHub.start({
    size,
    token: TOKEN,
    bind: "127.0.0.1",
    port: 0,
    onLog: (m) => logs.push(m),
  });
  const clients = await Promise.all(
    Array.from({ length: size - 1 }, (_, i) =>
      RendezvousClient.join({
        rank: i + 1,
        size,
        token: TOKEN,
        host: "127.0.0.1",
        port: hub.port,
        timeout: 5,
        self: { host: "h", pid: 1 },
      })),
  );
  await hub.waitForRanks(5);
  return [hub, ...clients];
}

async function closeAll(group: Collectives[]): Promise<void> {
  await Promise.all(group.map((m) => m.close()));
}

for (
  const [name, make] of [["tcp", tcpGroup], [
    "in-process",
    (n: number) => Promise.resolve(createLocalGroup(n)),
  ]] as const
) {
  Deno.test(`${name} group: allgather() returns every rank's value in rank order`, async () => {
    const g = await make(3);
    const out = await Promise.all(g.map((m) => m.allgather({ r: m.rank * 10 })));
    for (const o of out) assertEquals(o, [{ r: 0 }, { r: 10 }, { r: 20 }]);
    await Promise.all(g.map((m) => m.barrier()));
    await closeAll(g);
  });

  Deno.test(`${name} group: alltoall() delivers block i of rank j to rank i`, async () => {
    const g = await make(3);
    const out = await Promise.all(
      g.map((m) => m.alltoall([0, 1, 2].map((d) => new Uint8Array([m.rank, d, 7])))),
    );
    for (let dest = 0; dest < 3; dest++) {
      assertEquals(out[dest].map((b) => [...b]), [0, 1, 2].map((src) => [src, dest, 7]));
    }
    const big = new Uint8Array(3_000_000).map((_, i) => i % 251);
    const all = await Promise.all(
      g.map((m) => m.allgatherBytes(m.rank === 1 ? big : new Uint8Array([m.rank]))),
    );
    assertEquals(all[2][1].length, big.length);
    assertEquals(all[2][1][2_999_999], 2_999_999 % 251);
    assertEquals([...all[0][2]], [2]);
    await Promise.all(g.map((m) => m.barrier()));
    await closeAll(g);
  });

  Deno.test(`${name} group: alltoall() senders may overwrite their blocks once it resolves`, async () => {
    // blocks larger than a socket's buffers: rank 0's reach the others after its call resolved
    const g = await make(3);
    const blocks = g.map((m) =>
      [0, 1, 2].map((d) => new Uint8Array(8 << 20).fill(10 * m.rank + d))
    );
    const out = await Promise.all(
      g.map(async (m) => {
        const got = await m.alltoall(blocks[m.rank]);
        for (const b of blocks[m.rank]) b.fill(255);
        return got;
      }),
    );
    for (let dest = 0; dest < 3; dest++) {
      for (let src = 0; src < 3; src++) {
        const b = out[dest][src];
        assertEquals([b.length, b[0], b[b.length - 1]], [
          8 << 20,
          10 * src + dest,
          10 * src + dest,
        ]);
      }
    }
    await closeAll(g);
  });

  Deno.test(`${name} group: fail() on one rank rejects pending collectives on every rank`, async () => {
    const g = await make(3);
    const pending = [g[0].barrier(), g[2].barrier()];
    g[1].fail("boom");
    for (const p of pending) await assertRejects(() => p, Error, "boom");
    await assertRejects(() => g[0].allgather(1), Error, "boom");
    await closeAll(g);
  });

  Deno.test(`${name} group: mismatched collectives fail every rank`, async () => {
    const g = await make(2);
    const results = await Promise.allSettled([g[0].barrier(), g[1].allgather(1)]);
    assertEquals(results.map((r) => r.status), ["rejected", "rejected"]);
    await closeAll(g);
  });
}

Deno.test("RendezvousHub refuses and logs a connection with a bad token", async () => {
  const logs: string[] = [];
  const hub = RendezvousHub.start({
    size: 2,
    token: TOKEN,
    bind: "127.0.0.1",
    port: 0,
    onLog: (m) => logs.push(m),
  });
  await assertRejects(
    () =>
      RendezvousClient.join({
        rank: 1,
        size: 2,
        token: "wrong",
        host: "127.0.0.1",
        port: hub.port,
        timeout: 2,
        self: { host: "x", pid: 2 },
      }),
    Error,
    "refused rank 1: bad token",
  );
  assertEquals(logs.length, 1);
  assertEquals(logs[0].startsWith("Refused rendezvous connection from 127.0.0.1:"), true);
  assertEquals(logs[0].endsWith(": bad token"), true);
  await assertRejects(
    () => hub.waitForRanks(0.2),
    Error,
    "Rank 1 did not connect to the rendezvous within 0.2 s",
  );
  hub.fail("done");
  await hub.close();
});

Deno.test("RendezvousClient.join() finds rank 0 through a published address file", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/rdv`;
  const joining = RendezvousClient.join({
    rank: 1,
    size: 2,
    token: TOKEN,
    file,
    timeout: 5,
    self: { host: "h", pid: 3 },
  });
  await new Promise((r) => setTimeout(r, 200));
  const hub = RendezvousHub.start({ size: 2, token: TOKEN, bind: "127.0.0.1", port: 0 });
  const { publishAddress } = await import("./rendezvous.ts");
  await publishAddress(file, "127.0.0.1", hub.port);
  const client = await joining;
  await hub.waitForRanks(5);
  assertEquals(hub.peers.get(1), { host: "h", pid: 3 });
  await Promise.all([hub.barrier(), client.barrier()]);
  await Promise.all([hub.close(), client.close()]);
  await Deno.remove(dir, { recursive: true });
});
