/**
 * The rendezvous: rank 0 hosts a small TCP hub, authenticated by a random per-run token, through
 * which the ranks synchronise (barrier) and exchange data (allgather, allreduce, alltoall). A
 * connection without the token is refused and logged. A rank that fails or disconnects aborts every
 * rank's pending and later collectives, so no rank waits forever.
 *
 * Every rank joins rank 0 (the star). From {@linkcode TREE_MIN_RANKS} ranks on (unless a host has
 * more ranks than CPUs), the barrier, allgather and allreduce go over a tree of the ranks instead
 * (rendezvous_tree.ts): the ranks that may have children listen, rank 0 tells each its parent's
 * address once all have joined, and the children connect to their parents; results are the same
 * bit for bit. Monitor samples, failures, alltoall and leaving stay on the star.
 * docs/rendezvous.md has the measurements and the model at 4096 ranks.
 *
 * With TLS (`HubOptions.tls`, `JoinOptions.tls`) rank 0 serves a certificate and the others verify
 * it against the CA they were given for a fixed name, not for rank 0's host (which nobody knows in
 * advance): a client that does not speak TLS is refused at the handshake, and a rank that does not
 * trust rank 0's certificate gives up at once ({@linkcode RendezvousRefused}). A TLS run keeps
 * every collective on the star (only rank 0 has a certificate to serve).
 *
 * Frames: `u32 header length | u32 payload length | header JSON | payload bytes` (big-endian).
 *
 * @module
 */
import { type CollectiveResult, type Contribution, Exchange, unpackBlocks } from "./_exchange.ts";
import type { Json, MonitorSample } from "./types.ts";
import { encodeHead, Link } from "./_link.ts";
import { Member } from "./_member.ts";
import { errorMessage } from "./errors.ts";
import { timingSafeEqual } from "./rendezvous_client.ts";
import {
  TREE_FANOUT,
  TREE_KINDS,
  treeChildren,
  TreeNode,
  type TreeOptions,
  treeParent,
  usesTree,
} from "./rendezvous_tree.ts";

export { type Collectives, Member } from "./_member.ts";
export {
  type JoinOptions,
  publishAddress,
  RendezvousClient,
  RendezvousRefused,
} from "./rendezvous_client.ts";
export { TREE_FANOUT, TREE_MIN_RANKS, type TreeOptions } from "./rendezvous_tree.ts";

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
  /** When the collectives go over a tree (default: from TREE_MIN_RANKS ranks, TREE_FANOUT each) */
  tree?: TreeOptions;
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
  #fanout = 0;
  #treeCandidate: boolean;
  #tree: TreeNode | null = null;
  /** The port each rank listens on for its children in the tree */
  #listening = new Map<number, number>();

  private constructor(listener: Deno.Listener, opts: HubOptions) {
    super(0, opts.size);
    this.#listener = listener;
    this.port = (listener.addr as Deno.NetAddr).port;
    this.encrypted = Boolean(opts.tls);
    this.#opts = opts;
    this.#treeCandidate = usesTree(opts.size, { tree: opts.tree, tls: Boolean(opts.tls) });
    // a result shared by every rank (all but alltoall's) is encoded once
    let encoded: { result: CollectiveResult; head: Uint8Array } | null = null;
    this.#exchange = new Exchange(opts.size, (dest, seq, result) => {
      if (dest === 0) return this.#receiveOwn(seq, result);
      if (encoded?.result !== result) {
        const lengths = result.blocks.map((b) => b.byteLength);
        encoded = {
          result,
          head: encodeHead({ t: "result", seq, values: result.values, lengths }),
        };
      }
      const sent = this.#links.get(dest)?.sendEncoded(encoded.head, result.blocks);
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

  /** The tree's fan-out once every rank has joined and the collectives go over one, else 0. */
  get fanout(): number {
    return this.#fanout;
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
    const listen = Number(h?.listen);
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
    if (Number.isInteger(listen) && listen > 0) this.#listening.set(rank, listen);
    // a group that may use the tree hears which once every rank has joined
    await link.send({ t: "welcome", placement: this.#treeCandidate ? "later" : undefined });
    if (this.#links.size === this.size - 1) {
      if (this.#treeCandidate) this.#place();
      this.#allConnected.resolve();
    }
    for await (const f of it) {
      const m = f.header;
      if (m.t === "up") {
        this.#tree?.receiveUp(rank, f);
      } else if (m.t === "coll") {
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

  /**
   * Every rank has joined: the tree, unless the default rule finds the ranks oversubscribed (a host
   * with more ranks than rank 0 has CPUs: there every extra hop of the tree waits for a CPU, and
   * the star was measured faster; docs/rendezvous.md). Options given explicitly are followed.
   */
  #place(): void {
    const perHost = new Map<string, number>();
    for (const { host } of this.#info.values()) perHost.set(host, (perHost.get(host) ?? 0) + 1);
    const crowded = Math.max(...perHost.values()) > (navigator.hardwareConcurrency || 1);
    if (!this.#opts.tree && crowded) {
      for (const link of this.#links.values()) link.send({ t: "star" });
      return;
    }
    this.#fanout = this.#opts.tree?.fanout ?? TREE_FANOUT;
    this.#buildTree();
  }

  /**
   * Rank 0 is the tree's root (its children's links are their star links), and every other rank
   * learns where its parent listens (the address its connection came from).
   */
  #buildTree(): void {
    const fanout = this.#fanout;
    this.#tree = new TreeNode({
      rank: 0,
      size: this.size,
      fanout,
      deliver: (seq, result) => this.receive(seq, result),
      fail: (message) => this.#abortAll(message),
    });
    for (const c of this.#tree.children) this.#tree.addChild(c, this.#links.get(c)!);
    for (let r = 1; r < this.size; r++) {
      const p = treeParent(r, fanout);
      if (p === 0) {
        this.#links.get(r)!.send({ t: "tree", fanout, parent: null });
        continue;
      }
      const port = this.#listening.get(p);
      if (!port && treeChildren(p, { size: this.size, fanout }).length) {
        return this.#abortAll(`Rank ${p} does not listen for its children in the rendezvous tree`);
      }
      const host = (this.#links.get(p)!.conn.remoteAddr as Deno.NetAddr).hostname
        .replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
      this.#links.get(r)!.send({ t: "tree", fanout, parent: { rank: p, host, port } });
    }
  }

  #abortAll(message: string): void {
    if (this.error) return;
    const err = new Error(message);
    this.#tree?.abort();
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
    if (this.#tree && TREE_KINDS.has(part.kind)) return this.#tree.contribute(seq, part);
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
