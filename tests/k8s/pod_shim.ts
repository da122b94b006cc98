/**
 * The fake kubelet's "pod network", preloaded (`deno run --preload`) into every rank process it
 * starts: the process gets the pod's own IP and the cluster's DNS, as in a pod.
 *
 * - Host names resolve like glibc in a pod (`/etc/resolv.conf`: search `<ns>.svc.cluster.local
 *   svc.cluster.local cluster.local`, `ndots:5`), A and AAAA, through the fake cluster's DNS
 *   server — never through this machine's resolver and never to a hard-wired 127.0.0.1.
 * - A listener on a wildcard address binds the pod's IP: `::` (dual stack) the pod's address of
 *   either family, `0.0.0.0` its IPv4 address — which, in an IPv6 single-stack pod, nobody can
 *   reach (it exists only for this).
 *
 * Configured by `SCALEBENCH_FAKE_POD` (JSON: `ip`, `ipv4Unreachable`, `dns`, `search`, `ndots`).
 * It imports nothing, so that it works with `--no-config` and in a bundle's process.
 *
 * @module
 */
interface FakePod {
  /** The pod's IP (IPv4, or IPv6 in a single-stack IPv6 cluster) */
  ip: string;
  /** IPv6 single stack: the IPv4 address a `0.0.0.0` listener gets, that no one connects to */
  ipv4Unreachable?: string;
  /** `host:port` of the cluster DNS */
  dns: string;
  search: string[];
  ndots: number;
}

const raw = Deno.env.get("SCALEBENCH_FAKE_POD");
if (raw) {
  const pod = JSON.parse(raw) as FakePod;
  const [dnsHost, dnsPort] = pod.dns.split(":");
  const nameServer = { ipAddr: dnsHost, port: Number(dnsPort) };
  const isIp = (h: string) => /^[\d.]+$/.test(h) || h.includes(":");

  const query = (name: string, type: "A" | "AAAA") =>
    Deno.resolveDns(name, type, { nameServer }).catch(() => [] as string[]);

  const resolve = async (host: string): Promise<string[]> => {
    if (isIp(host) || host === "localhost") return [host];
    const absolute = host.endsWith(".") || host.split(".").length - 1 >= pod.ndots;
    const names = host.endsWith(".")
      ? [host.slice(0, -1)]
      : absolute
      ? [host, ...pod.search.map((s) => `${host}.${s}`)]
      : [...pod.search.map((s) => `${host}.${s}`), host];
    for (const name of names) {
      const [a, aaaa] = await Promise.all([query(name, "A"), query(name, "AAAA")]);
      if (a.length || aaaa.length) return [...a, ...aaaa];
    }
    // what Deno.connect throws for a name the resolver does not know
    throw new Error("failed to lookup address information: Name or service not known");
  };

  const bindAddress = (hostname: string | undefined): string | undefined => {
    if (hostname === "::" || hostname === "[::]") return pod.ip;
    if (hostname === "0.0.0.0" || hostname === undefined) {
      return pod.ip.includes(":") ? pod.ipv4Unreachable : pod.ip;
    }
    return hostname;
  };

  const deno = Deno as unknown as Record<string, unknown>;
  const connect = Deno.connect;
  deno.connect = async (o: Deno.ConnectOptions) => {
    const [first] = await resolve(o.hostname ?? "127.0.0.1");
    return await connect({ ...o, hostname: first });
  };
  deno.connectTls = async (o: Deno.ConnectTlsOptions) => {
    const host = o.hostname ?? "127.0.0.1";
    const [first] = await resolve(host);
    // TLS still checks the certificate against the name asked for
    const tcp = await connect({ hostname: first, port: o.port });
    return await Deno.startTls(tcp, { ...o, hostname: host });
  };
  const listen = Deno.listen as (o: Deno.ListenOptions) => Deno.Listener;
  deno.listen = (o: Deno.ListenOptions & { transport?: string }) =>
    o.transport && o.transport !== "tcp" ? listen(o) : listen({
      ...o,
      hostname: bindAddress(o.hostname),
    });
  const listenTls = Deno.listenTls as (o: Deno.ListenTlsOptions) => Deno.TlsListener;
  deno.listenTls = (o: Deno.ListenTlsOptions) =>
    listenTls({ ...o, hostname: bindAddress(o.hostname) });
}
