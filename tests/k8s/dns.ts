/**
 * The fake cluster's DNS (CoreDNS's kubernetes plugin, as far as rank pods need it): a UDP server
 * on 127.0.0.1 answering A and AAAA queries for `<hostname>.<subdomain>.<ns>.svc.cluster.local`
 * — a pod whose `subdomain` is a headless Service selecting it, once the pod has an IP and the
 * endpoints have caught up (`delayMs`). As with EndpointSlices under `publishNotReadyAddresses`,
 * terminating pods stay in DNS until they are gone; ended pods leave it. Every other name is
 * NXDOMAIN. Queries are counted by name.
 *
 * @module
 */
import dgram from "node:dgram";
import { Buffer } from "node:buffer";
import { matches, parseSelector, type Store } from "./store.ts";

/** The cluster domain. */
export const CLUSTER_DOMAIN = "cluster.local";

/** What the DNS server needs from the cluster. */
export interface DnsOptions {
  store: Store;
  /** When the pod (by uid) got its IP (ms since the epoch), if it has one */
  ipSince(uid: string): number | undefined;
  /** Endpoint propagation: a pod's record appears this long after its IP (default 0) */
  delayMs?: number;
}

const TYPES: Record<number, "A" | "AAAA"> = { 1: "A", 28: "AAAA" };

function ipBytes(ip: string): number[] {
  if (!ip.includes(":")) return ip.split(".").map(Number);
  const [head, tail] = ip.split("::");
  const h = head ? head.split(":") : [], t = tail !== undefined && tail ? tail.split(":") : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return groups.flatMap((g) => {
    const n = parseInt(g || "0", 16);
    return [n >> 8, n & 255];
  });
}

/** The fake DNS server. */
export class FakeDns {
  /** Queries by name (lower case, without the final dot) */
  readonly queries: Map<string, number> = new Map();
  readonly #o: DnsOptions;
  readonly #socket = dgram.createSocket("udp4");
  #port = 0;

  private constructor(options: DnsOptions) {
    this.#o = options;
    this.#socket.on("message", (msg, peer) => {
      try {
        this.#socket.send(this.#answer(msg), peer.port, peer.address);
      } catch { /* malformed: no answer */ }
    });
  }

  /** Start serving on a free port of 127.0.0.1. */
  static async start(options: DnsOptions): Promise<FakeDns> {
    const dns = new FakeDns(options);
    await new Promise<void>((r) => dns.#socket.bind(0, "127.0.0.1", () => r()));
    dns.#port = dns.#socket.address().port;
    return dns;
  }

  /** `127.0.0.1:<port>` */
  get address(): string {
    return `127.0.0.1:${this.#port}`;
  }

  /** Total queries for names that start with `prefix` (all with ""). */
  count(prefix = ""): number {
    let n = 0;
    for (const [name, k] of this.queries) if (name.startsWith(prefix)) n += k;
    return n;
  }

  /** The addresses of a name (`A` or `AAAA`), as the cluster's DNS would answer now. */
  lookup(name: string, type: "A" | "AAAA"): string[] | null {
    const m = new RegExp(`^([^.]+)\\.([^.]+)\\.([^.]+)\\.svc\\.${CLUSTER_DOMAIN}$`).exec(name);
    if (!m) return null;
    const [, hostname, subdomain, ns] = m;
    const svc = this.#o.store.get("services", ns, subdomain);
    if (!svc || svc.spec?.clusterIP !== "None") return null;
    const sel = parseSelector(
      Object.entries(svc.spec.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(","),
    );
    const now = Date.now(), delay = this.#o.delayMs ?? 0;
    const pods = this.#o.store.list("pods", ns).filter((p) =>
      p.spec.hostname === hostname && p.spec.subdomain === subdomain &&
      matches(p.metadata.labels, sel) && p.status?.podIP &&
      !["Succeeded", "Failed"].includes(p.status.phase) &&
      (svc.spec.publishNotReadyAddresses || p.status.phase === "Running") &&
      now - (this.#o.ipSince(p.metadata.uid!) ?? now) >= delay
    ).sort((a, b) => a.metadata.creationTimestamp!.localeCompare(b.metadata.creationTimestamp!));
    if (!pods.length) return null;
    return pods.map((p) => p.status.podIP as string).filter((ip) =>
      type === "AAAA" ? ip.includes(":") : !ip.includes(":")
    );
  }

  #answer(msg: Buffer): Buffer {
    const id = msg.readUInt16BE(0);
    let off = 12;
    const labels: string[] = [];
    while (msg[off]) {
      labels.push(msg.subarray(off + 1, off + 1 + msg[off]).toString());
      off += msg[off] + 1;
    }
    off++;
    const qtype = msg.readUInt16BE(off);
    off += 4;
    const name = labels.join(".").toLowerCase();
    this.queries.set(name, (this.queries.get(name) ?? 0) + 1);
    const type = TYPES[qtype];
    const found = type ? this.lookup(name, type) : null;
    const ips = found ?? [];
    const header = Buffer.alloc(12);
    header.writeUInt16BE(id, 0);
    // a response, recursion available; NXDOMAIN when the name does not exist at all
    header.writeUInt16BE(0x8180 | (found === null ? 3 : 0), 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(ips.length, 6);
    const answers = ips.map((ip) => {
      const bytes = ipBytes(ip);
      const rr = Buffer.alloc(12 + bytes.length);
      rr.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
      rr.writeUInt16BE(qtype, 2);
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(5, 6); // TTL 5 s, CoreDNS's default for cluster names
      rr.writeUInt16BE(bytes.length, 10);
      Buffer.from(bytes).copy(rr, 12);
      return rr;
    });
    return Buffer.concat([header, msg.subarray(12, off), ...answers]);
  }

  close(): void {
    this.#socket.close();
  }
}
