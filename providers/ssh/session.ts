/**
 * A run's ssh session. Each rank is one `ssh host sh -c '<wrapper>'`: the token travels on the
 * session's stdin (never on a command line), the wrapper reports the rank's pid and process group
 * and execs the rank, which exits when that stdin closes (`SCALEBENCH_WATCH_STDIN`), so a dead
 * driver or ssh client leaves nothing behind. Stopping a job signals each rank's process group
 * over ssh (TERM, then KILL) and closes its stdin; one rank failing stops the others. With
 * `--remote-dir` each point's spec (and the run's TLS files) are copied to every host, rank 0's
 * published address is relayed to the other hosts, and `close()` removes the copies.
 *
 * Built only on the public plugin contract: the API object and type-only imports.
 *
 * @module
 */
import type {
  Batch,
  Collected,
  Emitted,
  JobHandle,
  JobState,
  LineQueue,
  ProviderApi,
  ProviderContext,
  ProviderSession,
} from "scalebench/testing";
import { Gate, lastLine, pumpStderr, runSsh, signal } from "./_procs.ts";
import type { Host, Placement } from "./hosts.ts";
import {
  killScript,
  packFiles,
  rankScript,
  removeScript,
  shCommand,
  sshArgs,
  type SshCall,
  waitFileScript,
  writeFilesScript,
} from "./remote.ts";
import type { SshSettings } from "./settings.ts";

/** Connections per host in their handshake at once (sshd's MaxStartups begins dropping at 10). */
const HANDSHAKES_PER_HOST = 8;
/** Seconds a short ssh command (kill, copy, clean-up) may take. */
const HELPER_SECONDS = 30;

/** One rank: its local ssh client and what the remote wrapper said. */
interface RankProc {
  rank: number;
  host: string;
  child: Deno.ChildProcess;
  stdin: WritableStreamDefaultWriter<Uint8Array>;
  status: Deno.CommandStatus | null;
  remote: { pid: number; pgid: number | null } | null;
  /** The last stderr line: ssh's own words when it failed */
  lastLine: string;
  err: string;
}

interface SshJob extends JobHandle {
  hosts: string[];
  ranks: RankProc[];
  lines: LineQueue;
  exited: Promise<void>;
  drained: Promise<void>;
  cancelled: string | null;
  /** The first rank that failed on its own (not stopped by us) */
  failed: RankProc | null;
  stopping: Promise<void> | null;
  helpers: Set<Deno.ChildProcess>;
}

/** What the provider's `open()` worked out for the session. */
export interface SshPlan {
  hosts: Host[];
  /** How ssh is called (-F, -o) */
  call: SshCall;
  /** Address of rank 0 for the others */
  rdvHost: string;
  /** `<remote dir>/<run id>` with --remote-dir, or null (the run directory is shared) */
  remoteRun: string | null;
  /** Where the ranks of a batch go */
  place(batch: Batch): Placement[];
}

function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p.then(() => true),
    new Promise<boolean>((r) => timer = setTimeout(() => r(false), ms)),
  ]).finally(() => clearTimeout(timer));
}

/** A run's ssh session: the jobs it started and the hosts it copied files to. */
export class SshSession implements ProviderSession<SshJob> {
  #api: ProviderApi;
  #ctx: ProviderContext<SshSettings>;
  #plan: SshPlan;
  #jobs = new Set<SshJob>();
  #gates = new Map<string, Gate>();
  /** Hosts that have the run's TLS files (--remote-dir) */
  #tlsSent = new Set<string>();
  /** Hosts where the run's remote directory may exist */
  #touched = new Set<string>();
  #closed: Promise<void> | null = null;

  constructor(api: ProviderApi, ctx: ProviderContext<SshSettings>, plan: SshPlan) {
    this.#api = api;
    this.#ctx = ctx;
    this.#plan = plan;
  }

  #dir(): string {
    return this.#plan.remoteRun ?? this.#ctx.logsDir;
  }

  #argv(): string[] {
    const command = this.#ctx.settings.remoteCommand;
    return command ? command.trim().split(/\s+/) : this.#ctx.rankCommand;
  }

  #env(batch: Batch, rank: number, host: string): Record<string, string> {
    const env = this.#api.rankEnvironment(batch, this.#ctx, {
      rank,
      specFile: `${this.#dir()}/${batch.id}.spec.json`,
      watchStdin: true,
    });
    delete env.SCALEBENCH_TOKEN; // on stdin instead
    if (this.#plan.remoteRun && this.#ctx.tls) env.SCALEBENCH_TLS_DIR = `${this.#dir()}/tls`;
    env.SCALEBENCH_SSH_HOST = host;
    return env;
  }

  emit(batch: Batch): Promise<Emitted> {
    const placement = this.#plan.place(batch);
    const rdv = `${this.#dir()}/${batch.id}.rdv`;
    const spec = this.#api.makeRankSpec(batch, this.#ctx, {
      host: this.#plan.rdvHost,
      port: 0,
      file: rdv,
    });
    const host0 = placement[0].host.name;
    const script = rankScript(this.#env(batch, 0, host0), this.#argv());
    return Promise.resolve({
      files: { [`${batch.id}.spec.json`]: JSON.stringify(spec, null, 2) + "\n" },
      dryRun: {
        hosts: placement.map((p) => ({ host: p.host.name, slots: p.host.slots, ranks: p.ranks })),
        rendezvous: { host: this.#plan.rdvHost, file: rdv },
        remote_dir: this.#plan.remoteRun,
        rank0: ["ssh", ...sshArgs(this.#plan.call, host0, shCommand(script))],
      },
    });
  }

  async submit(batch: Batch, emitted: Emitted): Promise<SshJob> {
    const ctx = this.#ctx;
    const placement = this.#plan.place(batch);
    const hosts = placement.map((p) => p.host.name);
    const rdv = `${this.#dir()}/${batch.id}.rdv`;
    if (this.#plan.remoteRun) {
      const spec = emitted.files[`${batch.id}.spec.json`];
      const files = { [`${batch.id}.spec.json`]: spec };
      await Promise.all(hosts.map((h) => this.#send(h, files, { remove: [rdv] })));
    } else {
      await Deno.remove(rdv).catch(() => {});
    }
    if (ctx.verbose) {
      ctx.log(`ssh: ${batch.id} on ${placement.map((p) => `${p.host.name} (${p.ranks.length})`)}`);
    }
    let allExited = () => {};
    const job: SshJob = {
      batch,
      jobId: "",
      hosts,
      ranks: [],
      lines: this.#api.lineQueue(),
      exited: new Promise<void>((r) => allExited = r),
      drained: Promise.resolve(),
      cancelled: null,
      failed: null,
      stopping: null,
      helpers: new Set(),
    };
    this.#jobs.add(job);
    const drains: Promise<void>[] = [];
    const ends: Promise<void>[] = [];
    try {
      for (const p of placement) {
        for (const rank of p.ranks) {
          if (job.stopping) break;
          const started = await this.#startRank(job, { rank, host: p.host.name });
          if (!started) break;
          drains.push(...started.drains);
          ends.push(started.end);
        }
      }
    } finally {
      // also when a start threw: the job is what was started, and close() stops it
      Promise.all(ends).then(allExited);
      job.drained = Promise.all(drains).then(() => job.lines.end(), () => job.lines.end());
    }
    job.jobId = String(job.ranks[0]?.child.pid ?? "none");
    const relay = this.#plan.remoteRun && new Set(hosts).size > 1
      ? this.#relay(job, rdv).catch((err) => ctx.log(`ssh: relaying ${rdv}: ${err}`))
      : Promise.resolve();
    Promise.all([job.exited, relay]).then(() => this.#jobs.delete(job));
    if (job.stopping) await this.#stop(job);
    return job;
  }

  /** Start one rank's ssh client (waiting for the host's gate), its token on stdin. */
  async #startRank(job: SshJob, { rank, host }: { rank: number; host: string }) {
    const ctx = this.#ctx;
    const gate = this.#gates.get(host) ?? new Gate(HANDSHAKES_PER_HOST);
    this.#gates.set(host, gate);
    const release = await gate.take();
    if (job.stopping) {
      release();
      return null;
    }
    const script = rankScript(this.#env(job.batch, rank, host), this.#argv());
    const child = new Deno.Command("ssh", {
      args: sshArgs(this.#plan.call, host, shCommand(script)),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stdin = child.stdin.getWriter();
    stdin.write(new TextEncoder().encode(ctx.token + "\n")).catch(() => {});
    const log = `${ctx.logsDir}/${job.batch.id}.rank${rank}`;
    const rp: RankProc = {
      rank,
      host,
      child,
      stdin,
      status: null,
      remote: null,
      lastLine: "",
      err: `${log}.err`,
    };
    job.ranks[rank] = rp;
    const handshake = setTimeout(release, 10_000);
    const drains = [
      this.#api.pumpToFile(child.stdout, `${log}.out`, rank === 0 ? job.lines.push : undefined),
      pumpStderr(child.stderr, rp.err, {
        onMarker: (m) => {
          rp.remote = m;
          clearTimeout(handshake);
          release();
        },
        onLine: (line) => rp.lastLine = line,
      }),
    ];
    const end = child.status.then((s) => {
      clearTimeout(handshake);
      release();
      rp.status = s;
      if (!s.success && !job.stopping && !job.cancelled) {
        job.failed ??= rp;
        // one rank failed: stop the others at once
        this.#stop(job).catch((err) => ctx.log(`ssh: stopping ${job.batch.id}: ${err}`));
      }
    });
    return { drains, end };
  }

  /** --remote-dir: rank 0's published address, copied to the other hosts of the job. */
  async #relay(job: SshJob, rdv: string): Promise<void> {
    const [host0, ...others] = [...new Set(job.hosts)];
    const wait = waitFileScript(rdv, this.#ctx.rendezvousTimeout);
    const got = await runSsh(sshArgs(this.#plan.call, host0, shCommand(wait)), {
      seconds: this.#ctx.rendezvousTimeout + 10,
      track: job.helpers,
    });
    if (got.code !== 0 || job.stopping) return;
    const name = rdv.slice(rdv.lastIndexOf("/") + 1);
    await Promise.all(
      others.map((h) => this.#send(h, { [name]: got.stdout }, { track: job.helpers })),
    )
      .catch((err) => this.#ctx.verbose && this.#ctx.log(`ssh: ${(err as Error).message}`));
  }

  /** --remote-dir: write files into the run's directory on `host` (with the first, its TLS files). */
  async #send(
    host: string,
    files: Record<string, string>,
    options: { remove?: string[]; track?: Set<Deno.ChildProcess> } = {},
  ): Promise<void> {
    this.#touched.add(host);
    const all = { ...files };
    const tls = this.#ctx.tls;
    const withTls = Boolean(tls) && !this.#tlsSent.has(host);
    if (tls && withTls) {
      for (
        const [name, path] of [["ca.crt", tls.ca], ["tls.crt", tls.cert], ["tls.key", tls.key]]
      ) {
        all[`tls/${name}`] = await Deno.readTextFile(path);
      }
    }
    const script = writeFilesScript(this.#dir(), {
      subdirs: withTls ? ["tls"] : [],
      remove: options.remove,
    });
    const r = await runSsh(sshArgs(this.#plan.call, host, shCommand(script)), {
      input: packFiles(all),
      seconds: HELPER_SECONDS,
      track: options.track,
    });
    if (r.code !== 0) {
      throw new Error(
        `Copying ${Object.keys(all).join(", ")} to '${host}' failed: ${
          lastLine(r.stderr) || `exit ${r.code}`
        }`,
      );
    }
    if (withTls) this.#tlsSent.add(host);
  }

  /** Signal the remote process groups of `ranks` (those whose wrapper reported in). */
  async #remoteKill(
    ranks: RankProc[],
    { sig, track }: { sig: "TERM" | "KILL"; track: Set<Deno.ChildProcess> },
  ) {
    const byHost = new Map<string, { pid: number; pgid: number | null }[]>();
    for (const r of ranks) {
      if (r.remote) byHost.set(r.host, [...(byHost.get(r.host) ?? []), r.remote]);
    }
    await Promise.all(
      [...byHost].map(([host, list]) =>
        runSsh(sshArgs(this.#plan.call, host, shCommand(killScript(sig, list))), {
          seconds: 10,
          track,
        })
      ),
    );
  }

  /** Stop every rank of a job still alive: TERM its group and close its stdin, then KILL. */
  #stop(job: SshJob): Promise<void> {
    job.stopping ??= (async () => {
      job.helpers.forEach((c) => signal(c, "SIGKILL"));
      const live = () => job.ranks.filter((r) => r && r.status === null);
      // a rank whose ssh client died (killed, connection lost) may live on over there: its
      // stdin's EOF stops it when it next looks; its process group is signalled too
      const lost = job.ranks.filter((r) =>
        r?.status && r.remote && (r.status.signal || r.status.code === 255)
      );
      const helpers = new Set<Deno.ChildProcess>();
      await this.#remoteKill([...live(), ...lost], { sig: "TERM", track: helpers });
      for (const r of live()) await r.stdin.close().catch(() => {});
      if (await within(job.exited, 3000)) return;
      await this.#remoteKill(live(), { sig: "KILL", track: helpers });
      for (const r of live()) signal(r.child, "SIGKILL");
      await job.exited;
    })();
    return job.stopping;
  }

  poll(job: SshJob): Promise<JobState> {
    const nodes = job.hosts;
    if (job.cancelled) return Promise.resolve({ state: "cancelled", reason: job.cancelled, nodes });
    const bad = job.failed ?? job.ranks.find((r) => r?.status && !r.status.success);
    if (bad) return Promise.resolve({ state: "failed", reason: this.#how(bad), nodes });
    const ranks = job.ranks.filter(Boolean);
    if (ranks.length === job.batch.point.ranks && ranks.every((r) => r.status?.success)) {
      return Promise.resolve({ state: "succeeded", nodes });
    }
    const waiting = ranks.find((r) => !r.remote && !r.status);
    if (waiting) {
      return Promise.resolve({
        state: "pending",
        reason: `Connecting to '${waiting.host}'`,
        nodes,
      });
    }
    return Promise.resolve({ state: "running", nodes });
  }

  /** How a rank ended, in words (ssh's own when the connection failed). */
  #how(r: RankProc): string {
    const s = r.status!;
    const where = `Rank ${r.rank} on '${r.host}'`;
    if (s.signal) return `${where}: its ssh client was killed by ${s.signal}`;
    if (s.code === 255 && !r.remote) {
      return `${where}: ssh failed${r.lastLine ? `: ${r.lastLine}` : " (exit 255)"}`;
    }
    if (s.code === 255) {
      return `${where} was killed or lost its connection (ssh exit 255)${
        r.lastLine ? `: ${r.lastLine}` : ""
      }`;
    }
    return `${where} exited with code ${s.code}`;
  }

  lines(job: SshJob): AsyncIterable<string> {
    return job.lines;
  }

  async collect(job: SshJob): Promise<Collected> {
    await job.exited;
    await job.drained;
    const failed = job.ranks.filter((r) => r?.status && !r.status.success);
    if (job.failed) failed.sort((a, b) => (a === job.failed ? -1 : b === job.failed ? 1 : 0));
    const tails = [];
    for (const r of failed) {
      const tail = await this.#api.tailFile(r.err);
      if (tail) tails.push(`rank ${r.rank} (${r.host}): ${tail}`);
    }
    return { stderrTail: tails.join("\n") || undefined, nodes: job.hosts };
  }

  async cancel(job: SshJob, reason: string): Promise<void> {
    job.cancelled ??= reason;
    await this.#stop(job);
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      await Promise.all([...this.#jobs].map((j) => this.#stop(j)));
      const dir = this.#plan.remoteRun;
      if (!dir) return;
      await Promise.all([...this.#touched].map(async (host) => {
        const r = await runSsh(sshArgs(this.#plan.call, host, shCommand(removeScript(dir))), {
          seconds: HELPER_SECONDS,
        });
        if (r.code !== 0) {
          this.#ctx.log(
            `Warning: could not remove ${dir} on '${host}': ${
              lastLine(r.stderr) || `exit ${r.code}`
            }`,
          );
        }
      }));
    })();
    return this.#closed;
  }
}
