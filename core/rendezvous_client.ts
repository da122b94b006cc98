/**
 * A rank other than 0 in the rendezvous: it joins rank 0's hub (retrying until rank 0 is there,
 * finding it through a published address file or a known host), and when the hub builds a tree
 * (rendezvous_tree.ts) it listens for its children and connects to its parent.
 *
 * @module
 */
import { type Contribution, unpackBlocks } from "./_exchange.ts";
import { Link } from "./_link.ts";
import { contributionFrame, Member } from "./_member.ts";
import { errorMessage, quote } from "./errors.ts";
import {
  TREE_KINDS,
  treeChildren,
  TreeNode,
  type TreeOptions,
  usesTree,
} from "./rendezvous_tree.ts";
import type { Json, MonitorSample } from "./types.ts";

const enc = new TextEncoder();

/** Constant-time comparison of two tokens. */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = enc.encode(a), y = enc.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

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
  /** When the collectives go over a tree: as rank 0's hub is told (HubOptions.tree) */
  tree?: TreeOptions;
}

/** Listen on every address, IPv6 and IPv4, or IPv4 only where IPv6 is off. */
function listenAnywhere(): Deno.TcpListener {
  try {
    return Deno.listen({ hostname: "::", port: 0, transport: "tcp" });
  } catch {
    return Deno.listen({ hostname: "0.0.0.0", port: 0, transport: "tcp" });
  }
}

/** Where the hub put a rank in the tree: the fan-out, and its parent's address (null: rank 0). */
interface Placement {
  fanout: number;
  parent: { rank: number; host: string; port: number } | null;
}

/** A rank other than 0, connected to the hub (and, in a tree, to its parent and children). */
export class RendezvousClient extends Member {
  #link: Link;
  #loop: Promise<void>;
  #leaving = false;
  #token: string;
  #tree: TreeNode | null = null;
  /** The parent's link when it is not rank 0's */
  #parent: Link | null = null;
  #parentRank = 0;
  #children = new Map<number, Link>();
  #listener: Deno.TcpListener | null;
  /** The hub's choice once every rank has joined: a tree (this rank's place in it), or none */
  #placed = Promise.withResolvers<Placement | null>();
  /** Links whose far end said bye */
  #gone = new WeakSet<Link>();

  private constructor(link: Link, opts: JoinOptions, listener: Deno.TcpListener | null) {
    super(opts.rank, opts.size);
    this.#link = link;
    this.#token = opts.token;
    this.#listener = listener;
    this.#placed.promise.catch(() => {});
    this.#loop = this.#read();
  }

  /** Connect (retrying until `timeout`), authenticate and return the member. */
  static async join(opts: JoinOptions): Promise<RendezvousClient> {
    const deadline = Date.now() + opts.timeout * 1000;
    // a rank that may have children in a tree listens for them before it says hello (its port
    // goes with it); fan-out 2 has the most ranks with children
    const listener = usesTree(opts.size, { tree: opts.tree, tls: Boolean(opts.tls) }) &&
        treeChildren(opts.rank, { size: opts.size, fanout: 2 }).length
      ? listenAnywhere()
      : null;
    let client: RendezvousClient | null = null;
    try {
      const joined = await RendezvousClient.#connect(opts, { deadline, listener });
      client = joined.client;
      // the hub chooses star or tree once every rank has joined; in a tree, this rank has
      // joined once it is connected to its parent
      const placement = joined.later ? await client.#placement(deadline) : null;
      if (placement) await client.#joinTree(placement);
      else client.#closeListener();
      return client;
    } catch (err) {
      try {
        listener?.close();
      } catch { /* closed */ }
      if (client) await client.#link.close();
      throw err;
    }
  }

  static async #connect(
    opts: JoinOptions,
    { deadline, listener }: { deadline: number; listener: Deno.TcpListener | null },
  ): Promise<{ client: RendezvousClient; later: boolean }> {
    let lastError = "no address", failures = 0;
    const listen = listener ? (listener.addr as Deno.NetAddr).port : undefined;
    while (Date.now() < deadline) {
      const addr = await resolveAddress(opts);
      if (addr) {
        failures++;
        try {
          let conn: Deno.Conn = await Deno.connect({ hostname: addr.host, port: addr.port });
          if (opts.tls) conn = await startTls(conn as Deno.TcpConn, addr, opts);
          const link = new Link(conn);
          await link.send({ t: "hello", token: opts.token, rank: opts.rank, ...opts.self, listen });
          const reply = await link.frames().next();
          const h = reply.done ? null : reply.value.header;
          if (h?.t === "welcome") {
            const client = new RendezvousClient(link, opts, listener);
            return { client, later: h.placement === "later" };
          }
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

  /** The hub's choice, once every rank has joined (before `deadline`). */
  async #placement(deadline: number): Promise<Placement | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Rank ${this.rank} heard nothing from rank 0 once it had joined`)),
        Math.max(0, deadline - Date.now()),
      );
    });
    try {
      return await Promise.race([this.#placed.promise, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  #closeListener(): void {
    try {
      this.#listener?.close();
    } catch { /* closed */ }
    this.#listener = null;
  }

  /** Take this rank's place in the tree: accept its children, connect to its parent. */
  async #joinTree(placement: Placement): Promise<void> {
    const tree = this.#tree = new TreeNode({
      rank: this.rank,
      size: this.size,
      fanout: placement.fanout,
      deliver: (seq, result) => this.receive(seq, result),
      fail: (message) => this.fail(message),
    });
    if (tree.children.length && !this.#listener) {
      throw new Error(`Rank ${this.rank} has children in the rendezvous tree but does not listen`);
    }
    if (tree.children.length) this.#acceptChildren();
    else this.#closeListener();
    const parent = placement.parent;
    if (!parent) return tree.setParent(this.#link);
    this.#parentRank = parent.rank;
    const link = new Link(await Deno.connect({ hostname: parent.host, port: parent.port }));
    await link.send({ t: "child", token: this.#token, rank: this.rank });
    const reply = await link.frames().next();
    if (reply.done || reply.value.header.t !== "welcome") {
      await link.close();
      throw new Error(
        `Rank ${parent.rank} did not take rank ${this.rank} as its child in the rendezvous tree${
          reply.done ? "" : `: ${reply.value.header.message}`
        }`,
      );
    }
    this.#parent = link;
    tree.setParent(link);
    this.#readParent(link);
  }

  async #readParent(link: Link): Promise<void> {
    for await (const f of link.frames()) {
      if (f.header.t === "down") this.#tree?.receiveDown(f);
      else if (f.header.t === "bye") this.#gone.add(link);
    }
    link.closed = true;
    this.#lost(link, this.#parentRank);
  }

  /** A tree link ended: fine when its far end said bye or this rank leaves, else all fail. */
  #lost(link: Link, rank: number): void {
    if (this.#leaving || this.#gone.has(link) || this.error) return;
    this.fail(`Rank ${rank} disconnected from the rendezvous`);
  }

  /** Take this rank's children in the tree: each says which it is and proves the token. */
  async #acceptChildren(): Promise<void> {
    const tree = this.#tree!;
    while (this.#children.size < tree.children.length) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener!.accept();
      } catch {
        return;
      }
      this.#serveChild(new Link(conn));
    }
    this.#closeListener();
  }

  async #serveChild(link: Link): Promise<void> {
    const it = link.frames();
    const first = await it.next().catch(() => ({ done: true as const, value: undefined }));
    const h = first.done ? null : first.value.header;
    const rank = Number(h?.rank);
    const ok = h?.t === "child" && typeof h.token === "string" &&
      timingSafeEqual(h.token, this.#token) && this.#tree!.children.includes(rank) &&
      !this.#children.has(rank);
    if (!ok) {
      await link.send({ t: "refused", message: "not a child of this rank" });
      return await link.close();
    }
    this.#children.set(rank, link);
    this.#tree!.addChild(rank, link);
    await link.send({ t: "welcome" });
    for await (const f of it) {
      if (f.header.t === "up") this.#tree!.receiveUp(rank, f);
      else if (f.header.t === "bye") this.#gone.add(link);
    }
    link.closed = true;
    this.#lost(link, rank);
  }

  async #read(): Promise<void> {
    for await (const f of this.#link.frames()) {
      const m = f.header;
      if (m.t === "result") {
        this.receive(m.seq as number, {
          values: m.values as Json[],
          blocks: unpackBlocks(f.payload, m.lengths as number[]),
        });
      } else if (m.t === "down") {
        this.#tree?.receiveDown(f);
      } else if (m.t === "tree") {
        this.#placed.resolve({
          fanout: m.fanout as number,
          parent: m.parent as Placement["parent"],
        });
      } else if (m.t === "star") {
        this.#placed.resolve(null);
      } else if (m.t === "abort") {
        this.abort(new Error(String(m.message)));
      }
    }
    this.#link.closed = true;
    if (!this.#leaving) this.abort(new Error("Rank 0 closed the rendezvous"));
  }

  protected override abort(err: Error): void {
    this.#tree?.abort();
    this.#placed.reject(err);
    super.abort(err);
  }

  protected send(seq: number, part: Contribution): void {
    if (this.#tree && TREE_KINDS.has(part.kind)) return this.#tree.contribute(seq, part);
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
    const tree = [...this.#children.values(), ...(this.#parent ? [this.#parent] : [])];
    await Promise.all([this.#link, ...tree].map((l) => l.send({ t: "bye" })));
    this.#closeListener();
    await Promise.all([this.#link, ...tree].map((l) => l.close()));
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
