/**
 * The rendezvous: rank 0 hosts a small TCP hub, authenticated by a random per-run token, through
 * which the ranks synchronise (barrier) and exchange data (allgather, alltoall). A connection
 * without the token is refused and logged. A rank that fails or disconnects aborts every rank's
 * pending and later collectives, so no rank waits forever.
 *
 * With TLS (`HubOptions.tls`, `JoinOptions.tls`) rank 0 serves a certificate and the others verify
 * it against the CA they were given for a fixed name, not for rank 0's host (which nobody knows in
 * advance): a client that does not speak TLS is refused at the handshake, and a rank that does not
 * trust rank 0's certificate gives up at once ({@linkcode RendezvousRefused}).
 *
 * Frames: `u32 header length | u32 payload length | header JSON | payload bytes` (big-endian).
 *
 * @module
 */
import { type CollectiveResult, type Contribution, Exchange, unpackBlocks } from "./_exchange.ts";
import type { Json, MonitorSample } from "./types.ts";
import { Link } from "./_link.ts";
import { errorMessage, quote } from "./errors.ts";

const enc = new TextEncoder();

/** Collective operations of one rank. Every rank must call them in the same order. */
export interface Collectives {
  readonly rank: number;
  readonly size: number;
  /** The error that aborted the group, once one has */
  readonly error: Error | null;
  barrier(): Promise<void>;
  allgather<T extends Json>(value: T): Promise<T[]>;
  allgatherBytes(data: Uint8Array): Promise<Uint8Array[]>;
  alltoall(blocks: Uint8Array[]): Promise<Uint8Array[]>;
  /** Send a monitor sample to rank 0. */
  monitor(sample: MonitorSample): void;
  /** This rank failed: every rank's collectives fail with `message`. */
  fail(message: string): void;
  /** Leave after a final barrier; resolves once the connection is closed. */
  close(): Promise<void>;
}

/** A rank's end of the collectives: sequence numbers and waiting promises. */
export abstract class Member implements Collectives {
  readonly rank: number;
  readonly size: number;
  #seq = 0;
  #waiting = new Map<number, { resolve(r: CollectiveResult): void; reject(e: Error): void }>();
  #error: Error | null = null;

  constructor(rank: number, size: number) {
    this.rank = rank;
    this.size = size;
  }

  protected abstract send(seq: number, part: Contribution): void;
  abstract monitor(sample: MonitorSample): void;
  abstract fail(message: string): void;
  abstract close(): Promise<void>;

  /** The error that aborted the group, if any. */
  get error(): Error | null {
    return this.#error;
  }

  protected receive(seq: number, result: CollectiveResult): void {
    const w = this.#waiting.get(seq);
    this.#waiting.delete(seq);
    w?.resolve(result);
  }

  protected abort(err: Error): void {
    this.#error ??= err;
    for (const w of this.#waiting.values()) w.reject(this.#error);
    this.#waiting.clear();
  }

  #call(part: Contribution): Promise<CollectiveResult> {
    if (this.#error) return Promise.reject(this.#error);
    const seq = this.#seq++;
    const p = new Promise<CollectiveResult>((resolve, reject) =>
      this.#waiting.set(seq, { resolve, reject })
    );
    try {
      this.send(seq, part);
    } catch (err) {
      this.abort(err as Error);
    }
    return p;
  }

  async barrier(): Promise<void> {
    await this.#call({ kind: "barrier", value: null, blocks: [], broadcast: false });
  }
  async allgather<T extends Json>(value: T): Promise<T[]> {
    return (await this.#call({ kind: "allgather", value, blocks: [], broadcast: false }))
      .values as T[];
  }
  async allgatherBytes(data: Uint8Array): Promise<Uint8Array[]> {
    return (await this.#call({
      kind: "allgatherBytes",
      value: null,
      blocks: [data],
      broadcast: true,
    })).blocks;
  }
  async alltoall(blocks: Uint8Array[]): Promise<Uint8Array[]> {
    if (blocks.length !== this.size) {
      throw new Error(`alltoall needs one block per rank (${this.size}), got ${blocks.length}`);
    }
    return (await this.#call({ kind: "alltoall", value: null, blocks, broadcast: false })).blocks;
  }
}

function timingSafeEqual(a: string, b: string): boolean {
  const x = enc.encode(a), y = enc.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

function contributionFrame(
  seq: number,
  part: Contribution,
): { header: Record<string, unknown>; parts: Uint8Array[] } {
  const lengths = part.blocks.map((b) => b.byteLength);
  return {
    header: {
      t: "coll",
      seq,
      kind: part.kind,
      value: part.value,
      lengths,
      broadcast: part.broadcast,
    },
    parts: part.blocks,
  };
}

// ---------------------------------------------------------------- rank 0: the hub

/** Options of rank 0's hub. */
export interface HubOptions {
  size: number;
  token: string;
  /** Address to bind, e.g. 0.0.0.0 or 127.0.0.1 */
  bind: string;
  /** 0: any free port */
  port: number;
  onLog?(message: string): void;
  onMonitor?(sample: MonitorSample): void;
  /** Serve over TLS with this certificate and key (PEM) */
  tls?: { cert: string; key: string };
}

/** Rank 0: hosts the rendezvous and takes part in it. */
export class RendezvousHub extends Member {
  readonly port: number;
  /** Serving TLS: every connection is encrypted */
  readonly encrypted: boolean;
  #listener: Deno.Listener;
  #exchange: Exchange;
  #links = new Map<number, Link>();
  #opts: HubOptions;
  #allConnected: PromiseWithResolvers<void> = Promise.withResolvers();
  #byes = new Set<number>();
  #allGone: PromiseWithResolvers<void> = Promise.withResolvers();
  #info = new Map<number, { host: string; pid: number }>();
  /** Writes of rank 0's blocks to the others, by collective (see #receiveOwn) */
  #writes = new Map<number, Promise<void>[]>();

  private constructor(listener: Deno.Listener, opts: HubOptions) {
    super(0, opts.size);
    this.#listener = listener;
    this.port = (listener.addr as Deno.NetAddr).port;
    this.encrypted = Boolean(opts.tls);
    this.#opts = opts;
    this.#exchange = new Exchange(opts.size, (dest, seq, result) => {
      if (dest === 0) return this.#receiveOwn(seq, result);
      const lengths = result.blocks.map((b) => b.byteLength);
      const sent = this.#links.get(dest)?.send(
        { t: "result", seq, values: result.values, lengths },
        result.blocks,
      );
      if (sent) this.#writes.get(seq)?.push(sent);
    });
    if (opts.size === 1) this.#allConnected.resolve(), this.#allGone.resolve();
    this.#accept();
  }

  /** Listen and start accepting ranks. */
  static start(opts: HubOptions): RendezvousHub {
    const listener = opts.tls
      ? Deno.listenTls({
        hostname: opts.bind,
        port: opts.port,
        cert: opts.tls.cert,
        key: opts.tls.key,
      })
      : Deno.listen({ hostname: opts.bind, port: opts.port, transport: "tcp" });
    return new RendezvousHub(listener, opts);
  }

  /** Wait for every other rank; rejects naming the missing ranks after `timeout` seconds. */
  async waitForRanks(timeout: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const missing = [];
        for (let r = 1; r < this.size; r++) if (!this.#links.has(r)) missing.push(r);
        reject(
          new Error(
            `Rank${missing.length > 1 ? "s" : ""} ${
              missing.join(", ")
            } did not connect to the rendezvous within ${timeout} s`,
          ),
        );
      }, timeout * 1000);
    });
    try {
      await Promise.race([this.#allConnected.promise, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Host and pid each rank announced (rank 0's filled by the caller). */
  get peers(): Map<number, { host: string; pid: number }> {
    return this.#info;
  }

  async #accept(): Promise<void> {
    while (true) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener.accept();
      } catch {
        return;
      }
      this.#serve(new Link(conn));
    }
  }

  async #serve(link: Link): Promise<void> {
    const remote = link.conn.remoteAddr as Deno.NetAddr;
    const who = `${remote.hostname}:${remote.port}`;
    const timer = setTimeout(() => link.close(), 10_000);
    if (this.#opts.tls) {
      // a plaintext client, or one that does not trust this certificate, ends here
      try {
        await (link.conn as Deno.TlsConn).handshake();
      } catch (err) {
        clearTimeout(timer);
        this.#opts.onLog?.(
          `Refused rendezvous connection from ${who}: TLS handshake failed (${errorMessage(err)})`,
        );
        return await link.close();
      }
    }
    const it = link.frames();
    // not a frame at all (garbage, a TLS client on a plaintext hub) reads as no hello
    const first = await it.next().catch(() => ({ done: true as const, value: undefined }));
    clearTimeout(timer);
    const h = first.done ? null : first.value.header;
    const rank = Number(h?.rank);
    const refuse = (why: string) => {
      this.#opts.onLog?.(`Refused rendezvous connection from ${who}: ${why}`);
      link.send({ t: "refused", message: why }).then(() => link.close());
    };
    if (!h) {
      return refuse(
        `no hello${this.#opts.tls ? "" : " (a TLS client on a plaintext rendezvous?)"}`,
      );
    }
    if (
      h.t !== "hello" || typeof h.token !== "string" ||
      !timingSafeEqual(h.token, this.#opts.token)
    ) {
      return refuse("bad token");
    }
    if (!Number.isInteger(rank) || rank < 1 || rank >= this.size) {
      return refuse(`bad rank '${h.rank}'`);
    }
    if (this.#links.has(rank)) return refuse(`rank ${rank} is already connected`);
    this.#links.set(rank, link);
    this.#info.set(rank, { host: String(h.host ?? who), pid: Number(h.pid ?? 0) });
    await link.send({ t: "welcome" });
    if (this.#links.size === this.size - 1) this.#allConnected.resolve();
    for await (const f of it) {
      const m = f.header;
      if (m.t === "coll") {
        const lengths = m.lengths as number[];
        try {
          this.#exchange.contribute(rank, m.seq as number, {
            kind: m.kind as Contribution["kind"],
            value: m.value as Json,
            blocks: unpackBlocks(f.payload, lengths),
            broadcast: Boolean(m.broadcast),
          });
        } catch (err) {
          this.#abortAll(`${(err as Error).message}`);
        }
      } else if (m.t === "mon") {
        this.#opts.onMonitor?.(m.sample as MonitorSample);
      } else if (m.t === "fail") {
        this.#abortAll(String(m.message));
      } else if (m.t === "bye") {
        this.#byes.add(rank);
      }
    }
    link.closed = true;
    if (!this.#byes.has(rank)) this.#abortAll(`Rank ${rank} disconnected from the rendezvous`);
    if (this.#byes.size === this.size - 1) this.#allGone.resolve();
  }

  #abortAll(message: string): void {
    if (this.error) return;
    const err = new Error(message);
    this.#exchange.fail(err);
    this.abort(err);
    for (const link of this.#links.values()) link.send({ t: "abort", message });
  }

  /**
   * Rank 0's result. When rank 0 sent bytes, its call resolves only once they are written to every
   * other rank (the Exchange delivers to rank 0 first, then to the others, synchronously), so that
   * the caller may reuse its buffers at once without a copy of them here.
   */
  #receiveOwn(seq: number, result: CollectiveResult): void {
    const writes = this.#writes.get(seq);
    if (!writes) return this.receive(seq, result);
    queueMicrotask(() => {
      this.#writes.delete(seq);
      Promise.all(writes).then(() => this.receive(seq, result));
    });
  }

  protected send(seq: number, part: Contribution): void {
    try {
      if (part.blocks.some((b) => b.byteLength > 0)) this.#writes.set(seq, []);
      // rank 0's block to itself (every block, for a broadcast) is copied: it must not alias the
      // caller's buffer, as a block received over TCP does not
      const blocks = part.blocks.map((b, d) => (part.broadcast || d === 0 ? b.slice() : b));
      this.#exchange.contribute(0, seq, { ...part, blocks });
    } catch (err) {
      this.#abortAll((err as Error).message);
    }
  }

  monitor(sample: MonitorSample): void {
    this.#opts.onMonitor?.(sample);
  }

  fail(message: string): void {
    this.#abortAll(message);
  }

  async close(): Promise<void> {
    if (!this.error) {
      // others say bye after the final barrier; give them a moment
      const t = setTimeout(() => this.#allGone.resolve(), 5000);
      await this.#allGone.promise;
      clearTimeout(t);
    }
    try {
      this.#listener.close();
    } catch { /* closed */ }
    await Promise.all([...this.#links.values()].map((l) => l.close()));
  }
}

// ---------------------------------------------------------------- other ranks

/** Options of a rank that joins rank 0's hub. */
export interface JoinOptions {
  rank: number;
  size: number;
  token: string;
  /** rank 0's address, or a file in which rank 0 publishes `host:port` */
  host?: string;
  port?: number;
  file?: string;
  /** seconds to keep trying */
  timeout: number;
  /** this rank's host name, announced to rank 0 */
  self: { host: string; pid: number };
  /** Talk TLS: trust `ca` (PEM; default the system's) and expect a certificate for `serverName` */
  tls?: { ca?: string; serverName?: string };
}

/** A rank other than 0, connected to the hub. */
export class RendezvousClient extends Member {
  #link: Link;
  #loop: Promise<void>;
  #leaving = false;

  private constructor(link: Link, opts: JoinOptions) {
    super(opts.rank, opts.size);
    this.#link = link;
    this.#loop = this.#read();
  }

  /** Connect (retrying until `timeout`), authenticate and return the member. */
  static async join(opts: JoinOptions): Promise<RendezvousClient> {
    const deadline = Date.now() + opts.timeout * 1000;
    let lastError = "no address", failures = 0;
    while (Date.now() < deadline) {
      const addr = await resolveAddress(opts);
      if (addr) {
        failures++;
        try {
          let conn: Deno.Conn = await Deno.connect({ hostname: addr.host, port: addr.port });
          if (opts.tls) conn = await startTls(conn as Deno.TcpConn, addr, opts);
          const link = new Link(conn);
          await link.send({ t: "hello", token: opts.token, rank: opts.rank, ...opts.self });
          const reply = await link.frames().next();
          const h = reply.done ? null : reply.value.header;
          if (h?.t === "welcome") return new RendezvousClient(link, opts);
          await link.close();
          if (h?.t === "refused") {
            throw new RendezvousRefused(`Rank 0 refused rank ${opts.rank}: ${h.message}`);
          }
          lastError = "connection closed during the handshake";
        } catch (err) {
          if (err instanceof RendezvousRefused) throw err;
          lastError = (err as Error).message;
        }
      }
      // polling for the address file is cheap; a failed attempt (a name not yet in DNS is a
      // burst of queries through the search list) waits longer each time, up to 1 s
      const wait = failures ? Math.min(1000, 10 * 2 ** failures) * (0.75 + Math.random() / 2) : 10;
      await new Promise((r) => setTimeout(r, Math.max(1, Math.min(wait, deadline - Date.now()))));
    }
    const where = opts.file ? `published in '${opts.file}'` : `${opts.host}:${opts.port}`;
    throw new Error(
      `Rank ${opts.rank} could not join the rendezvous at ${where} within ${opts.timeout} s: ${lastError}`,
    );
  }

  async #read(): Promise<void> {
    for await (const f of this.#link.frames()) {
      const m = f.header;
      if (m.t === "result") {
        this.receive(m.seq as number, {
          values: m.values as Json[],
          blocks: unpackBlocks(f.payload, m.lengths as number[]),
        });
      } else if (m.t === "abort") {
        this.abort(new Error(String(m.message)));
      }
    }
    this.#link.closed = true;
    if (!this.#leaving) this.abort(new Error("Rank 0 closed the rendezvous"));
  }

  protected send(seq: number, part: Contribution): void {
    const { header, parts } = contributionFrame(seq, part);
    this.#link.send(header, parts);
  }

  monitor(sample: MonitorSample): void {
    if (!this.error) this.#link.send({ t: "mon", sample });
  }

  fail(message: string): void {
    this.#link.send({ t: "fail", message });
    this.abort(new Error(message));
  }

  async close(): Promise<void> {
    this.#leaving = true;
    await this.#link.send({ t: "bye" });
    await this.#link.close();
    await this.#loop.catch(() => {});
  }
}

/** Rank 0 refused this rank, or this rank refused rank 0's certificate: retrying cannot help. */
export class RendezvousRefused extends Error {
  override name = "RendezvousRefused";
}

/**
 * Start TLS on a connection to rank 0 (TCP to its real host, then TLS for the certificate's name:
 * `serverName`, else the host) and finish the handshake. A certificate that the run's CA did not
 * issue for that name, or a peer that does not speak TLS, is a {@linkcode RendezvousRefused}.
 */
async function startTls(
  tcp: Deno.TcpConn,
  addr: { host: string; port: number },
  opts: JoinOptions,
): Promise<Deno.TlsConn> {
  const conn = await Deno.startTls(tcp, {
    hostname: opts.tls?.serverName ?? addr.host,
    caCerts: opts.tls?.ca ? [opts.tls.ca] : undefined,
  });
  try {
    await conn.handshake();
  } catch (err) {
    try {
      conn.close();
    } catch { /* closed */ }
    if (!(err instanceof Deno.errors.InvalidData)) throw err;
    throw new RendezvousRefused(
      `Rank ${opts.rank} refused the rendezvous at ${addr.host}:${addr.port}: TLS handshake failed (${
        errorMessage(err)
      }; rank 0 must serve a certificate for ${
        quote(opts.tls?.serverName ?? addr.host)
      } issued by the ${opts.tls?.ca ? "run's CA" : "system's CAs"})`,
    );
  }
  return conn;
}

async function resolveAddress(opts: JoinOptions): Promise<{ host: string; port: number } | null> {
  if (!opts.file) return opts.host && opts.port ? { host: opts.host, port: opts.port } : null;
  try {
    const text = (await Deno.readTextFile(opts.file)).trim();
    const at = text.lastIndexOf(":");
    const port = Number(text.slice(at + 1));
    return at > 0 && port > 0 ? { host: text.slice(0, at).replace(/^\[|\]$/g, ""), port } : null;
  } catch {
    return null;
  }
}

/** Publish rank 0's address in `file` atomically (write + rename). */
export async function publishAddress(file: string, host: string, port: number): Promise<void> {
  const tmp = `${file}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, `${host.includes(":") ? `[${host}]` : host}:${port}\n`);
  await Deno.rename(tmp, file);
}
