/**
 * The sshd of .ci/local_sshd.sh for the ssh provider's tests: its ssh config (host1..host3 →
 * 127.0.0.1), the need that it answers, and what a run may leave on the "remote" hosts (which are
 * this machine): rank processes and ssh clients, found in the process table.
 *
 * @module
 */
import { assertNoRanksLeft } from "../testing.ts";
import { type Need, need } from "./_needs.ts";

/** The ssh config .ci/local_sshd.sh writes. */
export const SSH_CONFIG = "/var/lib/local-sshd/ssh_config";

/** The sshd of .ci/local_sshd.sh, answering as host1 and host3. */
export async function needSshd(): Promise<Need> {
  let missing: string | null = null;
  for (const host of ["host1", "host3"]) {
    try {
      const out = await new Deno.Command("ssh", {
        args: ["-F", SSH_CONFIG, "-o", "ConnectTimeout=5", host, "true"],
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).output();
      if (!out.success) {
        const why = new TextDecoder().decode(out.stderr).trim().split("\n").pop();
        missing = `no local sshd (ssh ${host}: ${why || `exit ${out.code}`})`;
      }
    } catch (err) {
      missing = `no ssh client (${(err as Error).message})`;
    }
    if (missing) break;
  }
  return need(
    "sshd",
    missing && `${missing}; start one with: bash .ci/local_sshd.sh start 3`,
  );
}

function readProc(pid: number, file: string): string {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/${file}`);
  } catch {
    return "";
  }
}

/** Every pid of this machine. */
export function pids(): number[] {
  return [...Deno.readDirSync("/proc")].filter((e) => /^\d+$/.test(e.name)).map((e) =>
    Number(e.name)
  );
}

/** A process' argv. */
export function argvOf(pid: number): string[] {
  return readProc(pid, "cmdline").split("\0").slice(0, -1);
}

/** A process' environment. */
export function envOf(pid: number): Record<string, string> {
  return Object.fromEntries(
    readProc(pid, "environ").split("\0").filter(Boolean).map((kv) => {
      const i = kv.indexOf("=");
      return [kv.slice(0, i), kv.slice(i + 1)];
    }),
  );
}

/** A process' parent pid and the parent's name. */
export function parentOf(pid: number): { ppid: number; name: string } {
  const stat = readProc(pid, "stat");
  const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  return { ppid, name: readProc(ppid, "comm").trim() };
}

/** Local ssh clients whose command line mentions `text` (a run id). */
export function sshClients(text: string): number[] {
  return pids().filter((p) => {
    const argv = argvOf(p);
    return argv.length > 0 && /(^|\/)ssh$/.test(argv[0]) && argv.some((a) => a.includes(text));
  });
}

/** Rank processes (any run) whose spec file is under `dir`, with their environment. */
export function ranksUnder(dir: string): { pid: number; env: Record<string, string> }[] {
  return pids().map((pid) => ({ pid, env: envOf(pid) }))
    .filter((p) => p.env.SCALEBENCH_SPEC_FILE?.startsWith(dir));
}

/** Nothing of the run is left: no rank process (spec under `dir`), no ssh client naming `runId`. */
export async function assertSshNothingLeft(
  run: { runId: string; runDir: string },
  dir?: string,
): Promise<void> {
  await assertNoRanksLeft(run.runDir);
  for (let i = 0; i < 50; i++) {
    const left = [...sshClients(run.runId), ...(dir ? ranksUnder(dir).map((r) => r.pid) : [])];
    if (!left.length) return;
    if (i === 49) throw new Error(`Left running: ${left.map((p) => argvOf(p).join(" "))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A TCP port on 127.0.0.1 that refuses connections (nothing listens on it). */
export function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** An ssh config with the local sshd's hosts plus `extra` (e.g. a host that refuses). */
export async function sshConfigWith(dir: string, extra: string): Promise<string> {
  const path = `${dir}/ssh_config`;
  await Deno.writeTextFile(path, `Include ${SSH_CONFIG}\n\n${extra.trim()}\n`);
  return path;
}
