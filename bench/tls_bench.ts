/**
 * The rendezvous' cost with TLS (`--tls`) against plaintext, on loopback with 4 ranks (rank 0's hub
 * and 3 clients, each in its own process as in a run):
 * - barrier round trip: median over batches of barriers; goal: TLS ≤ 1.5 × plaintext;
 * - bulk exchange: allgatherBytes of 4 MiB per rank; goal: TLS ≤ 2 × plaintext.
 *
 * Rank processes are this file started with `--rank N`.
 *
 * @module
 */
import { createRunCredentials, RENDEZVOUS_SERVER_NAME } from "../core/certs.ts";
import { type Collectives, RendezvousClient, RendezvousHub } from "../core/rendezvous.ts";
import { median } from "../core/stats.ts";
import { atMost, BenchReport } from "./_figures.ts";

const RANKS = 4;
const BATCH = 200; // barriers per timed batch
const BATCHES = 15;
const BULK = 4 << 20;
const BULK_REPS = 8;
const TOKEN = "bench-token";

/** Times of one rank: barrier batches (s per barrier) and bulk exchanges (s each). */
async function measure(m: Collectives): Promise<{ barrier: number[]; bulk: number[] }> {
  const barrier: number[] = [], bulk: number[] = [];
  for (let i = 0; i < 50; i++) await m.barrier(); // warm-up
  for (let b = 0; b < BATCHES; b++) {
    await m.barrier();
    const t = performance.now();
    for (let i = 0; i < BATCH; i++) await m.barrier();
    barrier.push((performance.now() - t) / 1000 / BATCH);
  }
  const data = new Uint8Array(BULK).fill(m.rank);
  for (let r = 0; r < BULK_REPS; r++) {
    await m.barrier();
    const t = performance.now();
    const all = await m.allgatherBytes(data);
    bulk.push((performance.now() - t) / 1000);
    if (all.length !== RANKS || all[RANKS - 1][BULK - 1] !== RANKS - 1) throw new Error("bad data");
  }
  await m.barrier();
  return { barrier, bulk };
}

if (Deno.args[0] === "--rank") {
  // a client rank: argv --rank N PORT [CA-FILE]
  const [, rank, port, caFile] = Deno.args;
  const client = await RendezvousClient.join({
    rank: Number(rank),
    size: RANKS,
    token: TOKEN,
    host: "127.0.0.1",
    port: Number(port),
    timeout: 30,
    self: { host: "127.0.0.1", pid: Deno.pid },
    tls: caFile
      ? { ca: await Deno.readTextFile(caFile), serverName: RENDEZVOUS_SERVER_NAME }
      : undefined,
  });
  await measure(client);
  await client.close();
  Deno.exit(0);
}

const dir = await Deno.makeTempDir({ prefix: "scalebench-tls-bench-" });
const creds = await createRunCredentials({ runId: "bench" });
await Deno.writeTextFile(`${dir}/ca.crt`, creds.caPem);

async function group(tls: boolean): Promise<{ barrier: number; bulk: number }> {
  const hub = RendezvousHub.start({
    size: RANKS,
    token: TOKEN,
    bind: "127.0.0.1",
    port: 0,
    tls: tls ? { cert: creds.certPem, key: creds.keyPem } : undefined,
  });
  const children = Array.from({ length: RANKS - 1 }, (_, i) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--quiet",
        new URL(import.meta.url).pathname,
        "--rank",
        String(i + 1),
        String(hub.port),
        ...(tls ? [`${dir}/ca.crt`] : []),
      ],
      stdout: "inherit",
      stderr: "inherit",
    }).spawn());
  await hub.waitForRanks(60);
  const t = await measure(hub);
  await hub.close();
  for (const c of children) {
    const status = await c.status;
    if (!status.success) throw new Error(`A rank exited with ${status.code}`);
  }
  return { barrier: median(t.barrier), bulk: median(t.bulk) };
}

const report = new BenchReport("tls");
// alternate the two, twice, and keep each one's best median: less noise from other processes
const plain: { barrier: number; bulk: number }[] = [], tls: typeof plain = [];
for (let round = 0; round < 2; round++) {
  plain.push(await group(false));
  tls.push(await group(true));
}
const best = (xs: typeof plain, k: "barrier" | "bulk") => Math.min(...xs.map((x) => x[k]));
for (
  const [k, what, unit, scale, goal] of [
    ["barrier", `barrier round trip, ${RANKS} ranks`, "µs", 1e6, 1.5],
    ["bulk", `allgatherBytes ${BULK >> 20} MiB per rank, ${RANKS} ranks`, "ms", 1e3, 2],
  ] as const
) {
  const p = best(plain, k), s = best(tls, k);
  report.figure(`${what}: TLS / plaintext`, s / p, {
    goal: atMost(goal),
    unit: "×",
    detail: `plaintext ${(p * scale).toFixed(1)} ${unit}, TLS ${(s * scale).toFixed(1)} ${unit}`,
  });
}
await Deno.remove(dir, { recursive: true });
report.finish();
