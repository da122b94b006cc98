/**
 * Local ssh client processes of the ssh provider: start one, pump its stderr to a log file while
 * catching the rank wrapper's marker (pid and process group on the remote host), run a short
 * command with a deadline, and a per-host gate that keeps few connections in their handshake at
 * once (sshd's MaxStartups drops connections beyond 10 by default).
 *
 * @module
 */
import { MARKER, parseMarker } from "./remote.ts";

/** At most `limit` holders at once; `take()` resolves to the release function. */
export class Gate {
  #free: number;
  #waiting: (() => void)[] = [];
  constructor(limit: number) {
    this.#free = limit;
  }
  async take(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((r) => this.#waiting.push(r));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }
}

/**
 * Copy an ssh client's stderr to `path`, without the marker line, calling `onMarker` when it comes;
 * `onLine` sees every other line (the last one is ssh's own words when the connection failed).
 */
export async function pumpStderr(
  stream: ReadableStream<Uint8Array>,
  path: string,
  handlers: {
    onMarker(m: { pid: number; pgid: number | null }): void;
    onLine(line: string): void;
  },
): Promise<void> {
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let rest = "";
  let marked = false;
  const write = async (text: string) => {
    const bytes = encoder.encode(text);
    let off = 0;
    while (off < bytes.length) off += await file.write(bytes.subarray(off));
  };
  const lines = async (parts: string[]) => {
    let out = "";
    for (const raw of parts) {
      const line = raw.replace(/\r$/, ""); // ssh ends its own messages with CR LF
      const m = !marked && line.startsWith(MARKER) ? parseMarker(line) : null;
      if (m) {
        marked = true;
        handlers.onMarker(m);
        continue;
      }
      if (line.trim()) handlers.onLine(line);
      out += line + "\n";
    }
    if (out) await write(out);
  };
  for await (const chunk of stream) {
    const parts = (rest + decoder.decode(chunk, { stream: true })).split("\n");
    rest = parts.pop()!;
    await lines(parts);
  }
  rest += decoder.decode();
  if (rest) {
    await lines([rest]);
  }
}

/** What a short ssh command printed and how it ended. */
export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run `ssh args` with `input` on stdin, killed after `seconds`; never throws for a failure of the
 * command (ssh's own words are in `stderr`). `track` sees the process while it runs.
 */
export async function runSsh(
  args: string[],
  options: { input?: string; seconds: number; track?: Set<Deno.ChildProcess> },
): Promise<Ran> {
  const child = new Deno.Command("ssh", {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  options.track?.add(child);
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* ended */ }
  }, options.seconds * 1000);
  try {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.input ?? "")).catch(() => {});
    await writer.close().catch(() => {});
    const out = await child.output();
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    return {
      code: out.signal ? 255 : out.code,
      stdout: text(out.stdout),
      stderr: text(out.stderr),
    };
  } finally {
    clearTimeout(timer);
    options.track?.delete(child);
  }
}

/** The last non-empty line of some text (ssh's message), or "". */
export function lastLine(text: string): string {
  return text.trim().split(/\r?\n/).filter((l) => l.trim()).pop()?.trim() ?? "";
}

/** Send a signal, ignoring a process that has already exited. */
export function signal(child: Deno.ChildProcess, sig: Deno.Signal): void {
  try {
    child.kill(sig);
  } catch { /* already exited */ }
}
