/**
 * The ssh provider against the real sshd of .ci/local_sshd.sh (host1..host3 are aliases of this
 * machine): ranks on the hosts the plan says, started through sshd; the token on no command line;
 * a refusing host fails its point with ssh's words; a killed ssh client takes its remote rank
 * with it; --remote-dir copies what ranks need (TLS included) and removes it.
 */
import assert from "node:assert/strict";
import { readRun } from "../core/results.ts";
import { sshProvider } from "../providers/ssh/mod.ts";
import { builtinWorkloads, FAULTY, type RunOptions, runSweep } from "../testing.ts";
import { needs } from "./_needs.ts";
import {
  argvOf,
  assertSshNothingLeft,
  closedPort,
  needSshd,
  parentOf,
  pids,
  ranksUnder,
  SSH_CONFIG,
  sshClients,
  sshConfigWith,
} from "./ssh_sshd.ts";
import { assertOutcome } from "./provider_conformance.ts";

const sshd = await needSshd();

function options(out: string, extra: Partial<RunOptions>): RunOptions {
  return {
    provider: sshProvider,
    workloads: builtinWorkloads,
    output: out,
    layout: "ranks",
    coresPerNode: 1,
    reps: 1,
    warmup: 0,
    pollInterval: 0.2,
    monitorInterval: 0.2,
    rendezvousTimeout: 30,
    log: () => {},
    ...extra,
    providerSettings: { sshConfig: SSH_CONFIG, ...extra.providerSettings },
  };
}

function test(name: string, fn: () => Promise<void>) {
  Deno.test(needs([sshd], { name, sanitizeOps: false, sanitizeResources: false, fn }));
}

test("ranks run on every alias the plan puts them on (the manifest's node lists)", async () => {
  const out = await Deno.makeTempDir({ prefix: "scalebench-ssh-" });
  const r = await runSweep(options(out, {
    workload: "amdahl",
    params: { s: 0.2, work: 20 },
    cores: [1, 2, 3],
    providerSettings: { hosts: ["host1,host2", "host3"] },
  }));
  await assertOutcome(r, ["complete", 3, 0]);
  const run = await readRun(r.runDir);
  assert.deepEqual(run.manifest.provider.jobs.map((j) => [j.cores, j.nodes, j.state]), [
    [1, ["host1"], "succeeded"],
    [2, ["host1", "host2"], "succeeded"],
    [3, ["host1", "host2", "host3"], "succeeded"],
  ]);
  await assertSshNothingLeft(r);
  await Deno.remove(out, { recursive: true });
});

test("a hostfile's slots place ranks in blocks, each started by sshd, the token on no command line", async () => {
  const out = await Deno.makeTempDir({ prefix: "scalebench-ssh-" });
  const hostfile = `${out}/hosts`;
  await Deno.writeTextFile(hostfile, "# aliases of this machine\nhost1 slots=2\nhost2:2\nhost3\n");
  const controller = new AbortController();
  let seen: string[] = [], parents: string[] = [], tokenOnCommandLines: number[] = [];
  const r = await runSweep(options(out, {
    workload: FAULTY,
    params: { fault: "hang", rank: 3 },
    cores: [4],
    coresPerNode: 2,
    name: "ssh-slots",
    signal: controller.signal,
    providerSettings: { hostfile },
    onEvent: (e) => {
      if (e.type !== "ready") return;
      const ranks = ranksUnder(`${out}/ssh-slots/logs/`);
      seen = ranks.map((p) => `${p.env.SCALEBENCH_RANK}@${p.env.SCALEBENCH_SSH_HOST}`).sort();
      parents = ranks.map((p) => parentOf(p.pid).name);
      const token = ranks[0]?.env.SCALEBENCH_TOKEN ?? "none";
      tokenOnCommandLines = pids().filter((p) => argvOf(p).some((a) => a.includes(token)));
      controller.abort();
    },
  }));
  assert.deepEqual(seen, ["0@host1", "1@host1", "2@host2", "3@host2"]);
  assert.deepEqual(parents, ["sshd", "sshd", "sshd", "sshd"]);
  assert.deepEqual(tokenOnCommandLines, []);
  assert.equal(r.status, "interrupted");
  const run = await readRun(r.runDir);
  assert.deepEqual(run.manifest.provider.jobs.map((j) => j.nodes), [["host1", "host2"]]);
  await assertSshNothingLeft(r);
  await Deno.remove(out, { recursive: true });
});

test("a host that refuses fails its point with ssh's own words, and the sweep goes on", async () => {
  const out = await Deno.makeTempDir({ prefix: "scalebench-ssh-" });
  const port = closedPort();
  const config = await sshConfigWith(
    out,
    `Host refuser\n  HostName 127.0.0.1\n  Port ${port}\n  User root`,
  );
  const r = await runSweep(options(out, {
    workload: "amdahl",
    params: { s: 0.2, work: 20 },
    cores: [1, 2],
    reps: 2,
    order: "interleaved",
    providerSettings: { hosts: ["host1", "refuser"], sshConfig: config },
  }));
  await assertOutcome(r, ["failed", 4, 2]);
  const run = await readRun(r.runDir);
  const jobs = run.manifest.provider.jobs.map((j) => [j.cores, j.state]);
  assert.deepEqual(jobs, [[1, "succeeded"], [2, "failed"], [1, "succeeded"], [2, "failed"]]);
  for (const o of run.observations.filter((o) => !o.ok)) {
    assert.equal(o.cores, 2);
    assert.match(
      o.error ?? "",
      new RegExp(
        `^Job failed: Rank 1 on 'refuser': ssh failed: ssh: connect to host 127\\.0\\.0\\.1 port ${port}: Connection refused\\n`,
      ),
    );
  }
  assert.deepEqual(run.observations.filter((o) => o.ok).map((o) => o.cores), [1, 1]);
  await assertSshNothingLeft(r);
  await Deno.remove(out, { recursive: true });
});

test("killing a rank's local ssh client stops the remote rank, and fails the point", async () => {
  const out = await Deno.makeTempDir({ prefix: "scalebench-ssh-" });
  let killed: number[] = [];
  const r = await runSweep(options(out, {
    workload: FAULTY,
    params: { fault: "hang", rank: 0 },
    cores: [2],
    name: "ssh-killed",
    providerSettings: { hosts: ["host1", "host2"] },
    onEvent: (e) => {
      if (e.type !== "ready") return;
      killed = sshClients("ssh-killed");
      for (const pid of killed) Deno.kill(pid, "SIGKILL");
    },
  }));
  assert.equal(killed.length, 2, "one ssh client per rank");
  await assertOutcome(r, ["failed", 1, 1]);
  const run = await readRun(r.runDir);
  assert.match(
    run.observations[0].error ?? "",
    /^Job failed: Rank [01] on 'host[12]': its ssh client was killed by SIGKILL/,
  );
  await assertSshNothingLeft(r);
  await Deno.remove(out, { recursive: true });
});

test("--remote-dir: spec and TLS files copied to each host (0600 in 0700), used there, removed at the end", async () => {
  const out = await Deno.makeTempDir({ prefix: "scalebench-ssh-" });
  const remote = await Deno.makeTempDir({ prefix: "scalebench-ssh-remote-" });
  const dir = `${remote}/ssh-remote`;
  let env: Record<string, string>[] = [], modes: string[] = [];
  const controller = new AbortController();
  const r = await runSweep(options(out, {
    workload: FAULTY,
    params: { fault: "hang", at_cores: 2, rank: 1 },
    cores: [1, 2],
    name: "ssh-remote",
    tls: true,
    signal: controller.signal,
    providerSettings: { hosts: ["host1", "host2"], remoteDir: `${remote}/` },
    onEvent: (e) => {
      if (e.type !== "ready" || e.batch.point.cores !== 2) return;
      env = ranksUnder(`${dir}/`).map((p) => p.env)
        .sort((a, b) => a.SCALEBENCH_RANK.localeCompare(b.SCALEBENCH_RANK));
      const mode = (p: string) => (Deno.statSync(p).mode! & 0o777).toString(8);
      modes = [dir, `${dir}/tls`, `${dir}/tls/tls.key`, `${dir}/p02-c0002.spec.json`].map(mode);
      controller.abort();
    },
  }));
  assert.deepEqual(
    env.map((e) => [e.SCALEBENCH_SPEC_FILE, e.SCALEBENCH_TLS_DIR]),
    [0, 1].map(() => [`${dir}/p02-c0002.spec.json`, `${dir}/tls`]),
  );
  assert.deepEqual(modes, ["700", "700", "600", "600"]);
  assert.equal(r.status, "interrupted");
  const run = await readRun(r.runDir);
  assert.deepEqual(run.observations.map((o) => [o.cores, o.ok]), [[1, true]]);
  assert.equal(run.manifest.tls?.encrypted, true);
  await assert.rejects(Deno.stat(dir), Deno.errors.NotFound);
  await assertSshNothingLeft(r, `${dir}/`);
  await Deno.remove(out, { recursive: true });
  await Deno.remove(remote, { recursive: true });
});
