/**
 * `scalebench run -p ssh` from the command line: Ctrl-C stops the remote ranks (process table), a
 * driver killed outright leaves none either (their ssh stdin closes), `--ssh-option` reaches ssh,
 * and mistakes in the hosts are one line, exit 2, before anything starts.
 */
import assert from "node:assert/strict";
import { readRun } from "../core/results.ts";
import { FAULTY, rankProcesses } from "../testing.ts";
import { cli, spawnCli } from "./_cli.ts";
import { needs } from "./_needs.ts";
import { assertSshNothingLeft, closedPort, needSshd, SSH_CONFIG } from "./ssh_sshd.ts";

const sshd = await needSshd();

function test(name: string, fn: () => Promise<void>) {
  Deno.test(needs([sshd], { name, sanitizeOps: false, sanitizeResources: false, fn }));
}

const SSH = ["-p", "ssh", "--ssh-config", SSH_CONFIG];

/** `run` of a hanging faulty point on host1+host2, once both ranks are up. */
async function hangingRun(out: string, name: string) {
  const child = spawnCli([
    "run",
    FAULTY,
    "--set",
    "fault=hang",
    ...SSH,
    "--hosts",
    "host1,host2",
    "-c",
    "2",
    "--layout",
    "ranks",
    "--cores-per-node",
    "1",
    "-r",
    "1",
    "-o",
    out,
    "--name",
    name,
  ]);
  const runDir = `${out}/${name}`;
  for (let i = 0; i < 300; i++) {
    if ((await rankProcesses(runDir).catch(() => [])).length === 2) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal((await rankProcesses(runDir)).length, 2, "both ranks started");
  await new Promise((r) => setTimeout(r, 500)); // past the rendezvous, into the hang
  return { child, runDir };
}

test("Ctrl-C stops the ranks on every host: exit 130, nothing left, run interrupted", async () => {
  const out = await Deno.makeTempDir({ prefix: "scalebench-ssh-cli-" });
  const { child, runDir } = await hangingRun(out, "ssh-ctrl-c");
  child.kill("SIGINT");
  const status = await child.output();
  assert.equal(status.code, 130, new TextDecoder().decode(status.stderr));
  await assertSshNothingLeft({ runId: "ssh-ctrl-c", runDir });
  assert.equal((await readRun(runDir)).manifest.status, "interrupted");
  await Deno.remove(out, { recursive: true });
});

test("a driver killed outright leaves no rank: their ssh stdin closes, and they exit", async () => {
  const out = await Deno.makeTempDir({ prefix: "scalebench-ssh-cli-" });
  const { child, runDir } = await hangingRun(out, "ssh-sigkill");
  child.kill("SIGKILL");
  await child.output();
  await assertSshNothingLeft({ runId: "ssh-sigkill", runDir });
  await Deno.remove(out, { recursive: true });
});

test("--ssh-option reaches ssh: in the command, and a port that refuses fails the point", async () => {
  const out = await Deno.makeTempDir({ prefix: "scalebench-ssh-cli-" });
  const dry = await cli([
    "run",
    "amdahl",
    ...SSH,
    "--hosts",
    "host1",
    "--ssh-option",
    "ConnectTimeout=7",
    "-c",
    "1",
    "--dry-run",
    "--json",
  ]);
  assert.equal(dry.code, 0, dry.stderr);
  const argv: string[] = JSON.parse(dry.stdout).jobs[0].submit.rank0;
  assert.deepEqual(argv.slice(0, 10), [
    "ssh",
    "-F",
    SSH_CONFIG,
    "-o",
    "ConnectTimeout=7",
    "-o",
    "BatchMode=yes",
    "-T",
    "host1",
    argv[9],
  ]);
  assert.match(argv[9], /^sh -c 'read -r SCALEBENCH_TOKEN /);
  const port = closedPort();
  const r = await cli([
    "run",
    "amdahl",
    ...SSH,
    "--hosts",
    "host1",
    "--ssh-option",
    `Port=${port}`,
    "-c",
    "1",
    "-r",
    "1",
    "-o",
    out,
    "--name",
    "ssh-port",
  ]);
  assert.equal(r.code, 1, r.stderr);
  const run = await readRun(`${out}/ssh-port`);
  assert.deepEqual(run.observations.map((o) => o.ok), [false]);
  assert.match(
    run.observations[0].error ?? "",
    new RegExp(`^Job failed: Rank 0 on 'host1': ssh failed: .* port ${port}: Connection refused`),
  );
  const bad = await cli(["run", "amdahl", ...SSH, "--hosts", "host1", "--ssh-option", "NoSuch=1"]);
  assert.deepEqual(
    [bad.code, bad.stderr.trim()],
    [
      2,
      "ssh rejects its configuration for host 'host1' (--ssh-config, --ssh-option): command-line: line 0: Bad configuration option: nosuch",
    ],
  );
  await Deno.remove(out, { recursive: true });
});

Deno.test("mistakes in the hosts: one line, exit 2, nothing started", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scalebench-ssh-cli-" });
  await Deno.writeTextFile(`${dir}/hosts`, "a slots=2\n\nb slots=two\n");
  const cases: [string[], string][] = [
    [
      ["-c", "1"],
      "The ssh provider needs hosts: --hosts a,b,c or --hostfile FILE (SCALEBENCH_SSH_HOSTS, SCALEBENCH_SSH_HOSTFILE)",
    ],
    [
      ["--hosts", "a,b", "-c", "1,2,4", "--layout", "ranks", "--cores-per-node", "1"],
      "The point of 4 cores needs 4 nodes of 1 (--cores-per-node) but --hosts lists 2 hosts",
    ],
    [
      ["--hosts", "a:2,b:2", "-c", "4", "--layout", "ranks", "--cores-per-node", "4"],
      "The point of 4 cores puts 4 cores on host 'a', which has 2 slots in --hosts; give --cores-per-node 2 (or more hosts)",
    ],
    [
      ["--hostfile", `${dir}/hosts`, "-c", "1"],
      `Hostfile '${dir}/hosts' line 3: slots "two" must be a whole number ≥ 1`,
    ],
    [
      ["--hosts", "a", "--hostfile", `${dir}/hosts`, "-c", "1"],
      "Give --hosts or --hostfile, not both",
    ],
    [
      ["--hosts", "a,-oProxyCommand=x", "-c", "1"],
      `--hosts "-oProxyCommand=x": "-oProxyCommand=x" is not a host name (letters, digits, . _ - @ %; an ssh alias, name or user@name)`,
    ],
    [
      ["--hosts", "a,b,a", "-c", "1"],
      `--hosts entry 3: host "a" is listed again (first at --hosts entry 1); give it once, with its cores (slots=N or name:N)`,
    ],
  ];
  for (const [args, message] of cases) {
    const r = await cli(["run", "amdahl", "-p", "ssh", "--dry-run", ...args], { cwd: dir });
    assert.deepEqual([r.code, r.stderr.trim()], [2, message], args.join(" "));
  }
  await Deno.remove(dir, { recursive: true });
});
