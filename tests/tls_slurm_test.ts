// --tls on the real local Slurm cluster (.ci/local_slurm.sh: node1..3 on this machine), watched
// with a packet capture on the loopback interface (tcpdump, as root).
import assert from "node:assert/strict";
import { createRunCredentials, RENDEZVOUS_SERVER_NAME } from "../core/certs.ts";
import { RendezvousHub } from "../core/rendezvous.ts";
import { readRun } from "../core/results.ts";
import { sourceRankCommand } from "../core/run.ts";
import { writeCredentials } from "../core/tls.ts";
import type { Manifest } from "../core/types.ts";
import { cli } from "./_cli.ts";
import { needs, needSlurm } from "./_needs.ts";
import {
  Capture,
  captureNeeds,
  packetsOf,
  plaintextFrames,
  rendezvousPorts,
  tlsRecords,
} from "./tls_capture.ts";

const slurm = await needSlurm();
const capture = await captureNeeds();
const test = (name: string, list: typeof capture, fn: () => Promise<void>) =>
  Deno.test(
    needs(list, {
      name: `tls on slurm: ${name}`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn,
    }),
  );

/** A dask-bench .env for this cluster: Slurm (KUBE=False), with or without USE_SSL. */
function daskEnv(useSsl: boolean, certDir: string): string {
  return [
    "KUBE=False",
    `USE_SSL=${useSsl ? "True" : "False"}`,
    `CERT_DIR='${certDir}'`,
    "KUBE_NAMESPACE='daskbench'",
    "SCHEDULER_CORES=8",
    "CORES_PER_NODE=2",
    "OBS_PER_ITER=2",
    "",
  ].join("\n");
}

const keyOf = (
  o: {
    op: string;
    cores: number;
    nodes: number;
    ranks: number;
    rep: number;
    warmup: boolean;
    ok: boolean;
  },
) => `${o.op} ${o.cores}c ${o.nodes}n ${o.ranks}r rep${o.rep}${o.warmup ? "w" : ""} ${o.ok}`;

test(
  "USE_SSL=True in a dask-bench .env encrypts every rendezvous: no token nor frame in clear on lo, same results as in clear",
  [slurm, ...capture],
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "scalebench-tls-slurm-" });
    await Deno.mkdir(`${dir}/certs`);
    await Deno.writeTextFile(`${dir}/tls.env`, daskEnv(true, `${dir}/certs`));
    await Deno.writeTextFile(`${dir}/plain.env`, daskEnv(false, `${dir}/certs`));
    const cap = await Capture.start(`${dir}/lo.pcap`);
    let stats = "";
    const runs: Record<string, { code: number; stdout: string; stderr: string }> = {};
    try {
      for (const kind of ["tls", "plain"]) {
        runs[kind] = await cli([
          "run",
          "amdahl",
          "--env-file",
          `${dir}/${kind}.env`,
          "-c",
          "1,4",
          "--set",
          "work=20",
          "--no-exclusive",
          "--poll-interval",
          "0.3",
          "-o",
          `${dir}/out`,
          "--name",
          kind,
          "--json",
        ]);
      }
    } finally {
      stats = await cap.stop();
    }
    for (const [kind, r] of Object.entries(runs)) assert.equal(r.code, 0, `${kind}: ${r.stderr}`);
    // the keys of the .env that mean nothing on Slurm, in one line
    assert.ok(
      runs.tls.stderr.includes(
        `that do nothing here: KUBE_NAMESPACE, SCHEDULER_CORES (no meaning with provider 'slurm')`,
      ),
      runs.tls.stderr,
    );
    assert.ok(
      runs.plain.stderr.includes("CERT_DIR (only with USE_SSL=True or --tls)"),
      runs.plain.stderr,
    );
    const tls = await readRun(`${dir}/out/tls`), plain = await readRun(`${dir}/out/plain`);
    const m = tls.manifest as Manifest;
    // the manifest records that the run was encrypted, and where its (removed) files were
    assert.equal(m.provider.name, "slurm");
    assert.deepEqual([m.config?.tls, m.tls?.encrypted, m.tls?.kept], [true, true, false]);
    assert.equal(m.tls?.dir, `${dir}/certs/scalebench-tls`);
    assert.match(m.tls!.ca_sha256, /^[0-9a-f]{64}$/);
    assert.equal(m.tls?.server_name, RENDEZVOUS_SERVER_NAME);
    assert.equal((plain.manifest as Manifest).tls ?? null, null);
    assert.deepEqual([...Deno.readDirSync(`${dir}/certs`)], [], "the run's TLS files are removed");
    const script = await Deno.readTextFile(`${dir}/out/tls/logs/p02-c0004.sbatch`);
    assert.ok(script.includes(`export SCALEBENCH_TLS_DIR=${dir}/certs/scalebench-tls\n`), script);
    // the sweep's results: the same observations, every check passed, 4 cores on 2 nodes
    const keys = (run: typeof tls) => run.observations.map(keyOf).sort();
    assert.deepEqual(keys(tls), keys(plain));
    assert.deepEqual(keys(tls), [
      "burn 1c 1n 1r rep0 true",
      "burn 1c 1n 1r rep1 true",
      "burn 4c 2n 4r rep0 true",
      "burn 4c 2n 4r rep1 true",
    ]);
    // the wire: the TLS run's rendezvous shows TLS records only; the plaintext one shows the token
    const token = { tls: "", plain: "" };
    for (const kind of ["tls", "plain"] as const) {
      token[kind] = (await Deno.readTextFile(`${dir}/out/${kind}/.token`)).trim();
      assert.match(token[kind], /^[0-9a-f]{48}$/);
    }
    const seenTls = await packetsOf(cap.file, await rendezvousPorts(`${dir}/out/tls`));
    const seenPlain = await packetsOf(cap.file, await rendezvousPorts(`${dir}/out/plain`));
    assert.ok(seenTls.packets > 20, `only ${seenTls.packets} packets of the TLS run captured`);
    assert.deepEqual(tlsRecords(seenTls.bytes), { handshake: true, applicationData: true });
    assert.equal(seenTls.bytes.includes(token.tls), false, "the token crossed lo in clear");
    assert.deepEqual(plaintextFrames(seenTls.bytes), []);
    assert.equal(seenTls.bytes.includes('"seconds"'), false);
    // the control: the same capture sees the plaintext run's token and frames
    assert.equal(seenPlain.bytes.includes(token.plain), true);
    assert.deepEqual(
      plaintextFrames(seenPlain.bytes),
      ['"t":"hello"', '"t":"welcome"', '"t":"coll"', '"t":"result"', '"t":"bye"'],
      `${seenPlain.packets} packets of the plaintext run; tcpdump: ${stats.trim()}`,
    );
    await Deno.remove(dir, { recursive: true });
  },
);

test(
  "a rank that srun starts on another node with another run's CA is refused; with the run's CA it joins",
  [slurm],
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "scalebench-tls-slurm-" });
    const run = await createRunCredentials({ runId: "run" });
    const good = await writeCredentials(`${dir}/good`, run);
    const bad = await writeCredentials(
      `${dir}/bad`,
      await createRunCredentials({ runId: "other" }),
    );
    const logs: string[] = [];
    const hub = RendezvousHub.start({
      size: 2,
      token: "t0k3n",
      bind: "127.0.0.1",
      port: 0,
      tls: { cert: run.certPem, key: run.keyPem },
      onLog: (l) => logs.push(l),
    });
    const spec = {
      run_id: "run",
      batch: "b",
      workload: "amdahl",
      mode: "strong",
      point: {
        index: 0,
        cores: 2,
        nodes: 2,
        ranks: 2,
        threads: 1,
        params: { s: 0.1, work: 20 },
        size: 0,
      },
      tasks: [{ op: "burn", rep: 0, warmup: false, record: true }],
      seed: 1,
      monitor_interval: 0,
      rendezvous: { host: "127.0.0.1", port: hub.port, timeout: 30, tls: true },
    };
    await Deno.writeTextFile(`${dir}/spec.json`, JSON.stringify(spec));
    const rank1 = (tlsDir: string) =>
      new Deno.Command("srun", {
        args: [
          "--nodelist=node2",
          "--nodes=1",
          "--ntasks=1",
          "--job-name=sb-tls-test",
          ...sourceRankCommand(),
        ],
        env: {
          SCALEBENCH_SPEC_FILE: `${dir}/spec.json`,
          SCALEBENCH_TOKEN: "t0k3n",
          SCALEBENCH_RANK: "1",
          SCALEBENCH_TLS_DIR: tlsDir,
          SCALEBENCH_TLS_SERVER_NAME: RENDEZVOUS_SERVER_NAME,
        },
        stdout: "piped",
        stderr: "piped",
      });
    const refused = await rank1(bad.dir).output();
    const stderr = new TextDecoder().decode(refused.stderr);
    assert.notEqual(refused.code, 0);
    assert.match(
      stderr,
      /Rank 1 refused the rendezvous at 127\.0\.0\.1:\d+: TLS handshake failed \(invalid peer certificate: UnknownIssuer/,
    );
    assert.equal(hub.peers.size, 0);
    assert.match(logs[0], /TLS handshake failed \(received fatal alert: UnknownCA\)$/);
    // the same rank with the run's CA joins
    const joining = rank1(good.dir).spawn();
    await hub.waitForRanks(60);
    assert.equal(hub.peers.size, 1);
    hub.fail("Test over");
    await hub.close();
    assert.notEqual((await joining.output()).code, 0);
    await Deno.remove(dir, { recursive: true });
  },
);
