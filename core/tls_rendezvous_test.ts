import assert from "node:assert/strict";
import { createRunCredentials, RENDEZVOUS_SERVER_NAME } from "./certs.ts";
import { RendezvousClient, RendezvousHub, RendezvousRefused } from "./rendezvous.ts";

const TOKEN = "s3cret-token";
const run = await createRunCredentials({ runId: "run" });
const other = await createRunCredentials({ runId: "other" });

function tlsHub(size: number, logs: string[]): RendezvousHub {
  return RendezvousHub.start({
    size,
    token: TOKEN,
    bind: "127.0.0.1",
    port: 0,
    onLog: (m) => logs.push(m),
    tls: { cert: run.certPem, key: run.keyPem },
  });
}

function join(
  hub: RendezvousHub,
  rank: number,
  options: { tls?: { ca?: string; serverName?: string }; token?: string; timeout?: number } = {},
) {
  return RendezvousClient.join({
    rank,
    size: 3,
    token: options.token ?? TOKEN,
    host: "127.0.0.1",
    port: hub.port,
    timeout: options.timeout ?? 5,
    self: { host: "h", pid: rank },
    tls: options.tls,
  });
}

const trusted = { ca: run.caPem, serverName: RENDEZVOUS_SERVER_NAME };

Deno.test("TLS rendezvous: ranks trusting the run's CA verify rank 0 by the fixed name, at any host", async () => {
  const logs: string[] = [];
  const hub = tlsHub(3, logs);
  // connected by address (127.0.0.1), verified by the name in the certificate
  const clients = await Promise.all([
    join(hub, 1, { tls: trusted }),
    join(hub, 2, { tls: trusted }),
  ]);
  await hub.waitForRanks(5);
  const group = [hub, ...clients];
  assert.deepEqual(
    await Promise.all(group.map((m) => m.allgather({ r: m.rank }))),
    Array(3).fill([{ r: 0 }, { r: 1 }, { r: 2 }]),
  );
  const big = new Uint8Array(2_000_000).map((_, i) => (i * 7) % 251);
  const out = await Promise.all(
    group.map((m) =>
      m.alltoall(
        [0, 1, 2].map((d) => (d === 2 && m.rank === 1 ? big : new Uint8Array([m.rank, d]))),
      )
    ),
  );
  assert.deepEqual(out[2][1], big);
  assert.deepEqual([...out[0][2]], [2, 0]);
  await Promise.all(group.map((m) => m.barrier()));
  await Promise.all(group.map((m) => m.close()));
  assert.deepEqual(logs, []);
});

Deno.test("TLS rendezvous: a rank with another run's CA refuses rank 0 at once; rank 0 logs it", async () => {
  const logs: string[] = [];
  const hub = tlsHub(2, logs);
  const err = await join(hub, 1, {
    tls: { ca: other.caPem, serverName: RENDEZVOUS_SERVER_NAME },
    timeout: 60,
  })
    .then(() => null, (e) => e);
  assert.ok(err instanceof RendezvousRefused, String(err));
  assert.match(
    err.message,
    /^Rank 1 refused the rendezvous at 127\.0\.0\.1:\d+: TLS handshake failed \(invalid peer certificate: UnknownIssuer; rank 0 must serve a certificate for 'rendezvous\.scalebench' issued by the run's CA\)$/,
  );
  // the system's CAs do not trust a run's CA either
  const sys = await join(hub, 1, { tls: { serverName: RENDEZVOUS_SERVER_NAME } }).then(
    () => null,
    (e) => e,
  );
  assert.ok(sys instanceof RendezvousRefused);
  assert.match(sys.message, /UnknownIssuer; .* issued by the system's CAs\)$/);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(logs.length, 2);
  for (const l of logs) {
    assert.match(
      l,
      /^Refused rendezvous connection from 127\.0\.0\.1:\d+: TLS handshake failed \(received fatal alert: UnknownCA\)$/,
    );
  }
  assert.equal(hub.peers.size, 0);
  // the hub still serves the right rank afterwards
  const good = await join(hub, 1, { tls: trusted });
  await hub.waitForRanks(5);
  await Promise.all([hub.barrier(), good.barrier()]);
  await Promise.all([hub.close(), good.close()]);
});

Deno.test("TLS rendezvous: the right CA with another name is refused", async () => {
  const hub = tlsHub(2, []);
  const err = await join(hub, 1, { tls: { ca: run.caPem, serverName: "node1" } }).then(
    () => null,
    (e) => e,
  );
  assert.ok(err instanceof RendezvousRefused);
  assert.match(err.message, /certificate not valid for name "node1"/);
  hub.fail("test over"); // nobody to wait for
  await hub.close();
});

Deno.test("TLS rendezvous: a plaintext client is refused at the handshake and never joins", async () => {
  const logs: string[] = [];
  const hub = tlsHub(2, logs);
  const err = await join(hub, 1, { timeout: 0.3 }).then(() => null, (e) => e);
  assert.match(
    String(err),
    /Rank 1 could not join the rendezvous at 127\.0\.0\.1:\d+ within 0\.3 s: /,
  );
  assert.ok(logs.length >= 1);
  for (const l of logs) {
    assert.match(
      l,
      /^Refused rendezvous connection from 127\.0\.0\.1:\d+: TLS handshake failed \(received corrupt message/,
    );
  }
  assert.equal(hub.peers.size, 0);
  hub.fail("test over"); // nobody to wait for
  await hub.close();
});

Deno.test("TLS rendezvous: the token is still required over TLS", async () => {
  const logs: string[] = [];
  const hub = tlsHub(2, logs);
  const err = await join(hub, 1, { tls: trusted, token: "wrong" }).then(() => null, (e) => e);
  assert.ok(err instanceof RendezvousRefused);
  assert.equal(err.message, "Rank 0 refused rank 1: bad token");
  assert.equal(logs.length, 1);
  assert.match(logs[0], /: bad token$/);
  assert.equal(logs[0].includes("wrong"), false);
  hub.fail("test over"); // nobody to wait for
  await hub.close();
});

Deno.test("TLS rendezvous: a TLS client on a plaintext hub is refused at once, and the hub says why", async () => {
  const logs: string[] = [];
  const hub = RendezvousHub.start({
    size: 2,
    token: TOKEN,
    bind: "127.0.0.1",
    port: 0,
    onLog: (m) => logs.push(m),
  });
  const err = await join(hub, 1, { tls: trusted, timeout: 60 }).then(() => null, (e) => e);
  assert.ok(err instanceof RendezvousRefused, String(err));
  assert.match(err.message, /^Rank 1 refused the rendezvous at .*: TLS handshake failed \(/);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(logs.map((l) => l.replace(/:\d+:/, ":PORT:")), [
    "Refused rendezvous connection from 127.0.0.1:PORT: no hello (a TLS client on a plaintext rendezvous?)",
  ]);
  hub.fail("test over"); // nobody to wait for
  await hub.close();
});
