/**
 * Follows one pod's log into a file (and, for rank 0, line by line to the driver). The log is
 * read with timestamps so that a stream that drops while the container runs can resume with
 * `sinceTime` without repeating or losing lines. A stream is never trusted to end by itself: one
 * that brought nothing for a while (a rank quiet for minutes: the HTTP client's body timeout would
 * end it silently), or that is still open some seconds after the container ended, is read again.
 *
 * @module
 */
import type { KubeClient } from "./client.ts";

/** What {@linkcode followLog} needs. */
export interface FollowOptions {
  client: KubeClient;
  namespace: string;
  pod: string;
  container: string;
  /** File the lines are appended to */
  file: string;
  onLine?(line: string): void;
  /**
   * Whether the log is complete: `terminated` — the container had ended when the last stream
   * started; `gone` — the pod is gone or the batch is being torn down.
   */
  status(): { terminated: boolean; gone: boolean };
  /** Resolves at the next change of the pod (or soon) */
  changed(): Promise<void>;
  /** Registers a way to stop the current stream (teardown) */
  onStream?(stop: () => void): () => void;
  /** A stream that brought nothing for this long is read again (default 120 000 ms) */
  idleMs?: number;
  /** A stream still open this long after the container ended is read again (default 3000 ms) */
  endGraceMs?: number;
}

const TS = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/;

/** A sortable key of an RFC3339(Nano) UTC timestamp, or null. */
export function timestampKey(ts: string): string | null {
  const m = TS.exec(ts);
  return m ? `${m[1]}.${(m[2] ?? "").padEnd(9, "0")}` : null;
}

/** Splits timestamped log lines, dropping those already seen before a reconnect. */
export class LineDeduper {
  #last: string | null = null;
  #atLast = 0;
  #skip = 0;

  /** Call before reading a new stream; returns its `sinceTime` (whole seconds), if any. */
  reconnect(): string | undefined {
    this.#skip = this.#atLast;
    return this.#last ? `${this.#last.slice(0, 19)}Z` : undefined;
  }

  /** The line without its timestamp, or null when it was seen already. */
  accept(raw: string): string | null {
    const sp = raw.indexOf(" ");
    const key = sp > 0 ? timestampKey(raw.slice(0, sp)) : null;
    if (key === null) return raw; // no timestamp: nothing to compare
    const line = raw.slice(sp + 1);
    if (this.#last !== null && key < this.#last) return null;
    if (key === this.#last) {
      if (this.#skip > 0) {
        this.#skip--;
        return null;
      }
      this.#atLast++;
    } else {
      this.#last = key;
      this.#atLast = 1;
      this.#skip = 0;
    }
    return line;
  }
}

/** How one stream ended. */
type StreamEnd = "ended" | "stalled" | "failed";

/** Read one stream into `write` until it ends, fails or stalls. */
async function readStream(
  o: FollowOptions,
  sinceTime: string | undefined,
  write: (raw: string) => void,
): Promise<StreamEnd> {
  let stream;
  try {
    stream = await o.client.logs(o.namespace, o.pod, { container: o.container, sinceTime });
  } catch {
    return "failed"; // not started yet, or gone: look again
  }
  const unregister = o.onStream?.(stream.stop) ?? (() => {});
  const idleMs = o.idleMs ?? 120_000, endGraceMs = o.endGraceMs ?? 3000;
  let last = Date.now(), endedAt = 0, stalled = false;
  const watchdog = setInterval(() => {
    const now = Date.now();
    if (!endedAt && o.status().terminated) endedAt = now;
    if (now - last > idleMs || (endedAt && now - endedAt > endGraceMs)) {
      stalled = true;
      stream.stop();
    }
  }, Math.min(1000, idleMs / 4, endGraceMs / 2));
  const decoder = new TextDecoder();
  let rest = "", ok = false;
  try {
    for await (const chunk of stream.chunks) {
      last = Date.now();
      const parts = (rest + decoder.decode(chunk, { stream: true })).split("\n");
      rest = parts.pop()!;
      for (const p of parts) write(p);
    }
    ok = !stalled;
  } catch {
    /* the stream broke */
  } finally {
    clearInterval(watchdog);
    unregister();
    if (rest && ok) write(rest); // a broken stream's partial line comes again
  }
  return stalled ? "stalled" : ok ? "ended" : "failed";
}

/** Follow a pod's log until it is complete; never throws for a stream that fails. */
export async function followLog(o: FollowOptions): Promise<void> {
  const file = await Deno.open(o.file, { append: true, create: true });
  const encoder = new TextEncoder();
  const dedupe = new LineDeduper();
  const write = (raw: string) => {
    const line = dedupe.accept(raw.replace(/\r$/, ""));
    if (line === null) return;
    const bytes = encoder.encode(line + "\n");
    let off = 0;
    while (off < bytes.length) off += file.writeSync(bytes.subarray(off));
    o.onLine?.(line);
  };
  let retries = 0;
  try {
    while (true) {
      const before = o.status();
      if (before.gone) break;
      const end = await readStream(o, dedupe.reconnect(), write);
      const now = o.status();
      if (now.gone || (end === "ended" && before.terminated)) break;
      if (end === "stalled") continue; // read again at once, from the last line seen
      // not started yet, or the server ended the stream early: look again at the next change
      retries = end === "ended" ? 0 : retries + 1;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const wait = Math.min(10_000, 500 * 2 ** retries);
      await Promise.race([o.changed(), new Promise((r) => (timer = setTimeout(r, wait)))]);
      clearTimeout(timer);
    }
  } finally {
    file.close();
  }
}
