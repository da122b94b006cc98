/**
 * A Dask cluster's lifecycle, as `--engine dask` runs it on the ranks of a point: rank 0 starts a
 * scheduler, every rank a worker, rank 0 waits until the scheduler sees them all (dask-bench's
 * `cluster_is_ready`), and each process is stopped at the end (SIGTERM, then SIGKILL).
 *
 * Scheduler and workers are Dask's own programs started through `python -m scalebench.cluster`
 * (python/scalebench/cluster.py), which closes them when the rank that started them is gone —
 * even a rank killed with SIGKILL leaves no Dask process behind. They run in the user's
 * environment plus scalebench's python/ directory on PYTHONPATH and, with TLS, Dask's `DASK_*`
 * configuration of the run's credentials ({@linkcode daskTlsEnv}).
 *
 * @example
 * ```ts ignore
 * import { daskEnv, startScheduler, startWorker, waitForWorkers } from "./dask_cluster.ts";
 * const dir = await Deno.makeTempDir();
 * const python = "/usr/bin/python3", env = daskEnv({ base: Deno.env.toObject() });
 * const scheduler = await startScheduler({ python, env, dir, host: "127.0.0.1", timeout: 30 });
 * const worker = startWorker({ python, env, dir, address: scheduler.address, name: "rank-0", nthreads: 2 });
 * console.log(await waitForWorkers({ python, env, address: scheduler.address, workers: 1, threads: 2, timeout: 30 }));
 * await worker.stop();
 * await scheduler.process.stop();
 * ```
 *
 * @module
 */
import { quote, ValidationError } from "./errors.ts";
import { daskTlsEnv, type TlsFiles } from "./tls.ts";

/** scalebench's Python package directory (`python/`: `scalebench.observe`, the launcher). */
export function pythonDir(): string {
  return decodeURIComponent(new URL("../python", import.meta.url).pathname);
}

/**
 * The environment of the scheduler, the workers and the client: `base` (the user's), scalebench's
 * python/ first on PYTHONPATH, and with `tls` Dask's mutual-TLS configuration of the run.
 */
export function daskEnv(options: {
  base: Record<string, string>;
  tls?: TlsFiles | null;
}): Record<string, string> {
  const env = { ...options.base };
  const rest = env.PYTHONPATH ? env.PYTHONPATH.split(":").filter((p) => p !== pythonDir()) : [];
  env.PYTHONPATH = [pythonDir(), ...rest].join(":");
  if (options.tls) Object.assign(env, daskTlsEnv(options.tls));
  return env;
}

/**
 * Refuse a Python without Dask's `distributed` up front (exit 2, nothing started). `what` names
 * the setting that chose the interpreter.
 */
export async function checkDaskPython(
  python: string,
  options: { what?: string; env?: Record<string, string> } = {},
): Promise<void> {
  const what = options.what ?? "--python";
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(python, {
      args: ["-c", "import distributed, dask.array, dask.dataframe"],
      env: options.env,
      stdout: "null",
      stderr: "piped",
    }).output();
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound ? "not found" : (err as Error).message;
    throw new ValidationError(
      `--engine dask needs Python with Dask's distributed: ${quote(python)} ${why} (set ${what})`,
    );
  }
  if (out.success) return;
  const last = new TextDecoder().decode(out.stderr).trim().split("\n").pop() ?? "";
  throw new ValidationError(
    `--engine dask needs Python with Dask's distributed: ${quote(python)} cannot import it (${
      last.slice(0, 160)
    }); install it (Debian: python3-distributed) or set ${what}`,
  );
}

/** How a Dask process ended. */
export interface DaskExit {
  code: number;
  signal: string | null;
}

/** The last lines of a process' stderr, kept in memory (and the whole of it in a log file). */
class Tail {
  #lines: string[] = [];
  #rest = "";
  #decoder = new TextDecoder();
  constructor(readonly max = 40, readonly onLine?: (line: string) => void) {}
  push(chunk: Uint8Array) {
    const parts = (this.#rest + this.#decoder.decode(chunk, { stream: true })).split("\n");
    this.#rest = parts.pop()!;
    this.#lines.push(...parts);
    if (this.onLine) { for (const p of parts) this.onLine(p); }
    if (this.#lines.length > this.max) this.#lines.splice(0, this.#lines.length - this.max);
  }
  text(n: number): string {
    return [...this.#lines, ...(this.#rest ? [this.#rest] : [])].slice(-n).join("\n");
  }
}

/** One Dask program (scheduler, worker or the readiness wait) started by this process. */
export class DaskProcess {
  readonly pid: number;
  /** Resolves once the process ended (never rejects). */
  readonly exited: Promise<DaskExit>;
  #child: Deno.ChildProcess;
  #tail: Tail;
  #stdout = "";
  #pumped: Promise<void>;
  #ended: DaskExit | null = null;

  constructor(
    readonly role: string,
    options: {
      python: string;
      args: string[];
      env: Record<string, string>;
      /** A file that gets everything it writes on stderr (Dask logs there) */
      log?: string;
      /** Each stderr line as it comes */
      onLine?(line: string): void;
    },
  ) {
    this.#tail = new Tail(40, options.onLine);
    const child = new Deno.Command(options.python, {
      args: ["-m", "scalebench.cluster", ...options.args],
      env: { ...options.env, SCALEBENCH_DASK_PARENT: String(Deno.pid) },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    this.pid = child.pid;
    this.#pumped = Promise.all([
      this.#pump(child.stderr, options.log),
      (async () => {
        const d = new TextDecoder();
        for await (const c of child.stdout) this.#stdout += d.decode(c, { stream: true });
      })(),
    ]).then(() => {}, () => {});
    this.exited = child.status.then(async (s) => {
      await this.#pumped;
      this.#ended = { code: s.code, signal: s.signal ?? null };
      return this.#ended;
    });
  }

  async #pump(stream: ReadableStream<Uint8Array>, log?: string): Promise<void> {
    const file = log ? await Deno.open(log, { write: true, create: true, append: true }) : null;
    try {
      for await (const chunk of stream) {
        this.#tail.push(chunk);
        let off = 0;
        while (file && off < chunk.length) off += await file.write(chunk.subarray(off));
      }
    } finally {
      file?.close();
    }
  }

  /** How it ended, or null while it runs. */
  get ended(): DaskExit | null {
    return this.#ended;
  }

  /** What it printed on stdout (complete once {@linkcode exited} resolved). */
  get stdout(): string {
    return this.#stdout;
  }

  /** Its last `n` stderr lines without Dask's INFO chatter ("" when nothing else was said). */
  tail(n = 6): string {
    const lines = this.#tail.text(40).split("\n");
    return lines.filter((l) => l.trim() && !/ - INFO - /.test(l)).slice(-n).join("\n");
  }

  /** "worker rank-1 was killed by SIGKILL", and what it said last, if anything. */
  why(exit: DaskExit): string {
    const tail = this.tail(3);
    return `Dask ${this.role} ${this.describe(exit)}${
      tail ? `: ${tail.replaceAll("\n", " | ")}` : ""
    }`;
  }

  /** "exited with code 1" / "was killed by SIGKILL". */
  describe(exit: DaskExit): string {
    return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  }

  /** SIGTERM (Dask closes cleanly), SIGKILL after `graceMs`; resolves once it is gone. */
  async stop(graceMs = 5000): Promise<DaskExit> {
    if (this.#ended) return this.#ended;
    this.#signal("SIGTERM");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((r) => (timer = setTimeout(() => r(null), graceMs)));
    const done = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (done) return done;
    this.#signal("SIGKILL");
    return await this.exited;
  }

  #signal(sig: Deno.Signal): void {
    try {
      this.#child.kill(sig);
    } catch { /* already gone */ }
  }
}

/** Failure to bring a cluster up (the point fails with this message; not a user mistake). */
export class DaskClusterError extends Error {
  override name = "DaskClusterError";
}

/** Options every Dask program of a point shares. */
export interface DaskCommon {
  /** The Python interpreter (`--python`) */
  python: string;
  /** Its whole environment ({@linkcode daskEnv}) */
  env: Record<string, string>;
}

/** A running scheduler and the address its workers and clients connect to. */
export interface DaskScheduler {
  address: string;
  process: DaskProcess;
}

/**
 * Start a scheduler listening on `host` (any free port; no dashboard) and resolve once it
 * serves, with its address (`tls://…` under TLS). Files go into `dir`: `scheduler.json` (Dask's
 * scheduler file) and `scheduler.log`.
 */
export async function startScheduler(
  options: DaskCommon & {
    dir: string;
    host: string;
    timeout: number;
    interface?: string | null;
    /** A worker left the cluster (its name): Dask's "Remove worker" log line */
    onWorkerLost?(name: string): void;
  },
): Promise<DaskScheduler> {
  const file = `${options.dir}/scheduler.json`;
  await Deno.remove(file).catch(() => {});
  const args = ["scheduler", "--port", "0", "--no-dashboard", "--scheduler-file", file];
  args.push(...(options.interface ? ["--interface", options.interface] : ["--host", options.host]));
  const proc = new DaskProcess("scheduler", {
    python: options.python,
    args,
    env: options.env,
    log: `${options.dir}/scheduler.log`,
    onLine: (line) => {
      const lost = / Remove worker .*\bname: ([^,>]+)/.exec(line);
      if (lost) options.onWorkerLost?.(lost[1]);
    },
  });
  const deadline = Date.now() + options.timeout * 1000;
  while (true) {
    const address = await readAddress(file);
    if (address) return { address, process: proc };
    if (proc.ended) {
      throw new DaskClusterError(
        `The scheduler stopped before it served: ${proc.why(proc.ended)}`,
      );
    }
    if (Date.now() > deadline) {
      await proc.stop();
      throw new DaskClusterError(
        `The Dask scheduler did not serve within ${options.timeout} s${
          proc.tail(3) ? `: ${proc.tail(3)}` : ""
        }`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function readAddress(file: string): Promise<string | null> {
  try {
    const info = JSON.parse(await Deno.readTextFile(file));
    return typeof info?.address === "string" ? info.address : null;
  } catch {
    return null; // not written yet, or half written
  }
}

/**
 * Start one worker of `nthreads` threads (no nanny: a worker that dies stays dead, and its rank
 * notices) connected to `address`. `memoryLimit` is Dask's `--memory-limit` (`"4GB"`, `"2GiB"`;
 * null: Dask's `auto`). Its log is `<dir>/worker-<name>.log`; its scratch `<dir>/worker-<name>/`.
 */
export function startWorker(
  options: DaskCommon & {
    dir: string;
    address: string;
    name: string;
    nthreads: number;
    memoryLimit?: string | null;
    host?: string | null;
    interface?: string | null;
    /** Seconds a worker waits for a lost scheduler before closing (default 60) */
    deathTimeout?: number;
  },
): DaskProcess {
  const args = [
    "worker",
    options.address,
    "--name",
    options.name,
    "--nthreads",
    String(options.nthreads),
    "--no-nanny",
    "--no-dashboard",
    "--memory-limit",
    options.memoryLimit ?? "auto",
    "--local-directory",
    `${options.dir}/worker-${options.name}`,
    "--death-timeout",
    String(options.deathTimeout ?? 60),
  ];
  if (options.interface) args.push("--interface", options.interface);
  else if (options.host) args.push("--host", options.host);
  return new DaskProcess(`worker ${options.name}`, {
    python: options.python,
    args,
    env: options.env,
    log: `${options.dir}/worker-${options.name}.log`,
  });
}

/** What the scheduler saw once ready. */
export interface ClusterReady {
  workers: number;
  threads: number;
  names: string[];
}

/**
 * dask-bench's `cluster_is_ready`: poll the scheduler every `poll` seconds until it sees
 * `workers` workers with `threads` threads in all; a {@linkcode DaskClusterError} after `timeout`
 * seconds, naming what it saw.
 */
export async function waitForWorkers(
  options: DaskCommon & {
    address: string;
    workers: number;
    threads: number;
    timeout: number;
    poll?: number;
    /** Seconds the client may take to reach the scheduler, at least `timeout` (default 10) */
    connectTimeout?: number;
  },
): Promise<ClusterReady> {
  const connect = Math.max(options.connectTimeout ?? 10, options.timeout);
  const proc = new DaskProcess("wait", {
    python: options.python,
    env: options.env,
    args: [
      "wait",
      options.address,
      "--workers",
      String(options.workers),
      "--threads",
      String(options.threads),
      "--timeout",
      String(options.timeout),
      "--poll",
      String(options.poll ?? 0.2),
      "--connect-timeout",
      String(connect),
    ],
  });
  // the client's connect and wait are bounded in Python; this bounds Python's start-up on top
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((
    r,
  ) => (timer = setTimeout(() => r(null), (connect + options.timeout + 30) * 1000)));
  const exit = await Promise.race([proc.exited, late]);
  clearTimeout(timer);
  if (!exit) {
    await proc.stop(1000);
    throw new DaskClusterError(`The Dask cluster was not ready after ${options.timeout} s`);
  }
  if (exit.code !== 0) {
    throw new DaskClusterError(`The Dask cluster was not ready: ${proc.tail(3)}`);
  }
  const seen = JSON.parse(proc.stdout.trim().split("\n").pop() ?? "{}") as ClusterReady;
  return { workers: seen.workers, threads: seen.threads, names: seen.names };
}
