/**
 * Processes a rank starts for a command workload: each in its own process group, its output copied
 * line by line to the rank's log, the tail of its stderr kept, its process tree's peak memory
 * sampled, and — whatever ends the rank (a signal, `Deno.exit`, the end of the batch) — stopped
 * with everything it started (mpirun's daemons, a Python pool).
 *
 * @module
 */
import type { ProgramRun } from "./engine.ts";
import { quote, ValidationError } from "./errors.ts";

/** How to start a process. */
export interface StartOptions {
  /** Added to the rank process's environment (with `clearEnv`: the whole environment) */
  env?: Record<string, string>;
  clearEnv?: boolean;
  cwd?: string;
  /** Where its output lines go (default: dropped) */
  log?(line: string): void;
  /** Prefix of its lines in the log */
  label?: string;
}

/** stderr lines kept for a failed run's reason */
const TAIL_LINES = 15;
/** Milliseconds between memory samples of a process tree (more often at first) */
const SAMPLE_MS = 100;

/** A started process. */
interface StartedProcess {
  /** Resolves when it exited (never rejects) */
  status: Promise<Deno.CommandStatus>;
  /** Its last stderr lines, once its output has been read (after `status`, await `drained`) */
  stderrTail(): string;
  /** Resolves once its stdout and stderr have been read to the end */
  drained: Promise<void>;
  /** Peak resident memory of its process tree so far (sampled), bytes, or null */
  peakRssBytes(): number | null;
}

const live = new Set<number>();
let hooked = false;
let stopping = false;

/**
 * True once this rank process was told to stop (SIGTERM, SIGINT): it is ending its programs and
 * exits in a moment, so what they did is not a result (a cancelled repetition stays unrecorded).
 */
export function rankStopping(): boolean {
  return stopping;
}

/** Signal a process group; with `leader`, the process itself when the group is already gone. */
function killGroup(pid: number, signal: Deno.Signal, leader = true): void {
  try {
    Deno.kill(-pid, signal);
  } catch {
    if (!leader) return;
    try {
      Deno.kill(pid, signal);
    } catch { /* gone */ }
  }
}

/** Whatever ends this rank process ends its programs too (once per process). */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  globalThis.addEventListener("unload", () => {
    for (const pid of live) killGroup(pid, "SIGKILL");
  });
  const onSignal = (code: number) => () => {
    stopping = true;
    for (const pid of live) killGroup(pid, "SIGTERM");
    setTimeout(() => {
      for (const pid of live) killGroup(pid, "SIGKILL");
      Deno.exit(code);
    }, live.size ? 500 : 0);
  };
  try {
    Deno.addSignalListener("SIGTERM", onSignal(143));
    Deno.addSignalListener("SIGINT", onSignal(130));
  } catch { /* no signals here (Windows) */ }
}

/** Resident memory (VmRSS) and peak (VmHWM) of a process, bytes, or null when gone. */
export function memoryOf(pid: number): { rss: number; hwm: number } | null {
  try {
    const s = Deno.readTextFileSync(`/proc/${pid}/status`);
    const rss = /VmRSS:\s+(\d+) kB/.exec(s), hwm = /VmHWM:\s+(\d+) kB/.exec(s);
    if (!rss) return null;
    return { rss: Number(rss[1]) * 1024, hwm: Number(hwm?.[1] ?? rss[1]) * 1024 };
  } catch {
    return null;
  }
}

/** A process and its descendants (through /proc/PID/task/TID/children), at most 1000. */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const todo = [pid];
  while (todo.length && out.length < 1000) {
    const p = todo.pop()!;
    out.push(p);
    try {
      for (const t of Deno.readDirSync(`/proc/${p}/task`)) {
        const kids = Deno.readTextFileSync(`/proc/${p}/task/${t.name}/children`).trim();
        if (kids) todo.push(...kids.split(/\s+/).map(Number));
      }
    } catch { /* gone, or not Linux */ }
  }
  return out;
}

async function pumpLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let rest = "";
  try {
    for await (const chunk of stream) {
      const parts = (rest + decoder.decode(chunk, { stream: true })).split("\n");
      rest = parts.pop()!;
      for (const p of parts) onLine(p);
    }
  } catch { /* the stream broke: the process is gone */ }
  if (rest) onLine(rest);
}

/**
 * Start `argv` (no shell) in its own process group. A program that cannot be started (not found,
 * not executable) is a ValidationError naming it.
 */
function startProcess(argv: string[], options: StartOptions): StartedProcess {
  if (!argv.length || !argv[0]) throw new ValidationError("The command to run is empty");
  hookExit();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      env: options.env,
      clearEnv: options.clearEnv,
      cwd: options.cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      detached: true,
    }).spawn();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new ValidationError(`Command ${quote(argv[0], 200)} was not found`);
    }
    if (err instanceof Deno.errors.PermissionDenied) {
      throw new ValidationError(`Command ${quote(argv[0], 200)} is not executable`);
    }
    throw err;
  }
  const pid = child.pid;
  live.add(pid);
  const label = options.label ? `${options.label} ` : "";
  const log = options.log ?? (() => {});
  const tail: string[] = [];
  const drained = Promise.all([
    pumpLines(child.stdout, (l) => log(label + l)),
    pumpLines(child.stderr, (l) => {
      log(label + l);
      tail.push(l);
      if (tail.length > TAIL_LINES) tail.shift();
    }),
  ]).then(() => {});
  const peaks = new Map<number, number>();
  const sample = () => {
    for (const p of processTree(pid)) {
      const m = memoryOf(p);
      if (m) peaks.set(p, Math.max(peaks.get(p) ?? 0, m.hwm, m.rss));
    }
  };
  // often at first (short programs), then every SAMPLE_MS
  let timer: ReturnType<typeof setTimeout> | null = null, ended = false;
  const schedule = (ms: number) => {
    if (ended) return;
    timer = setTimeout(() => {
      sample();
      schedule(Math.min(SAMPLE_MS, ms * 2));
    }, ms);
  };
  sample();
  schedule(5);
  const status = child.status.then((s) => {
    ended = true;
    if (timer !== null) clearTimeout(timer);
    live.delete(pid);
    // the group may still hold what the program left running in the background
    killGroup(pid, "SIGKILL", false);
    return s;
  });
  return {
    status,
    drained,
    stderrTail: () => tail.join("\n").trim(),
    peakRssBytes: () => (peaks.size ? [...peaks.values()].reduce((a, b) => a + b, 0) : null),
  };
}

/** Run `argv` to its end: exit status, wall seconds, stderr tail and peak memory. */
export async function runProcess(argv: string[], options: StartOptions = {}): Promise<ProgramRun> {
  const t0 = performance.now();
  const p = startProcess(argv, options);
  const s = await p.status;
  const seconds = (performance.now() - t0) / 1000;
  let timer: ReturnType<typeof setTimeout> | undefined; // the output's last bytes, for 2 s at most
  await Promise.race([p.drained, new Promise((r) => (timer = setTimeout(r, 2000)))]);
  clearTimeout(timer);
  return {
    ran: true,
    code: s.signal ? null : s.code,
    signal: s.signal ?? null,
    seconds,
    stderrTail: p.stderrTail(),
    peakRssBytes: p.peakRssBytes(),
  };
}

/** A run that did not happen (this rank starts nothing). */
export const NOT_RUN: ProgramRun = {
  ran: false,
  code: null,
  signal: null,
  seconds: 0,
  stderrTail: "",
  peakRssBytes: null,
};

/**
 * The path of an executable: a name with a slash is checked as a path (relative to `cwd`),
 * another is searched in `path` (PATH's directories). Null when there is none.
 */
export async function findExecutable(
  command: string,
  options: { path: string; cwd?: string },
): Promise<string | null> {
  const isExecutable = async (p: string) => {
    try {
      const info = await Deno.stat(p);
      return info.isFile && (info.mode === null || (info.mode & 0o111) !== 0);
    } catch {
      return false;
    }
  };
  if (command.includes("/")) {
    const p = command.startsWith("/") ? command : `${options.cwd ?? Deno.cwd()}/${command}`;
    return (await isExecutable(p)) ? p : null;
  }
  for (const dir of options.path.split(":")) {
    if (!dir) continue;
    const p = `${dir}/${command}`;
    if (await isExecutable(p)) return p;
  }
  return null;
}
