/**
 * The ssh provider's hosts: `--hosts a,b:4,c` and hostfiles in Open MPI's (`node1 slots=4`) and
 * MPICH's (`node1:4`) forms, and where the ranks of a point go — the plan's nodes rule: a point on
 * N nodes uses the first N hosts, its ranks spread evenly over them (the first hosts one more),
 * in blocks (rank 0 on the first host, the rendezvous host). Pure functions: errors are
 * {@linkcode HostsError}s, which the provider turns into ValidationErrors.
 *
 * @module
 */

/** One host: an ssh destination (an alias of ~/.ssh/config, a name, `user@name`) and its cores. */
export interface Host {
  name: string;
  /** Cores (slots) of the host, or null when not given (the plan's --cores-per-node decides) */
  slots: number | null;
}

/** A mistake in the hosts given; the message names the flag or file and line. */
export class HostsError extends Error {
  override name = "HostsError";
}

const NAME =
  /^[A-Za-z0-9_][A-Za-z0-9_.@%+-]*$|^\[[0-9A-Fa-f:.]+(%[\w.-]+)?\]$|^[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*(%[\w.-]+)?$/;

function checkName(name: string, where: string): string {
  if (!NAME.test(name)) {
    throw new HostsError(
      `${where}: ${
        JSON.stringify(name)
      } is not a host name (letters, digits, . _ - @ %; an ssh alias, name or user@name)`,
    );
  }
  return name.startsWith("[") ? name.slice(1, -1) : name;
}

function slotsOf(text: string, where: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new HostsError(`${where}: slots ${JSON.stringify(text)} must be a whole number ≥ 1`);
  }
  return Number(text);
}

/** One `--hosts` entry or hostfile host word: `name`, `name:N`, `[v6addr]:N`, or a bare IPv6 address. */
export function parseHostWord(word: string, where: string): Host {
  const bracketed = /^(\[[^\]]*\])(?::(.*))?$/.exec(word);
  if (bracketed) {
    return {
      name: checkName(bracketed[1], where),
      slots: bracketed[2] === undefined ? null : slotsOf(bracketed[2], where),
    };
  }
  const colons = word.split(":").length - 1;
  if (colons === 1) {
    const [name, slots] = word.split(":");
    return { name: checkName(name, where), slots: slotsOf(slots, where) };
  }
  return { name: checkName(word, where), slots: null };
}

function noDuplicates(hosts: Host[], where: (i: number) => string): Host[] {
  const seen = new Map<string, number>();
  hosts.forEach((h, i) => {
    const first = seen.get(h.name);
    if (first !== undefined) {
      throw new HostsError(
        `${where(i)}: host ${JSON.stringify(h.name)} is listed again (first at ${
          where(first)
        }); give it once, with its cores (slots=N or name:N)`,
      );
    }
    seen.set(h.name, i);
  });
  return hosts;
}

/** `--hosts` values (each may hold several names separated by commas or spaces). */
export function parseHostList(values: string[], flag = "--hosts"): Host[] {
  const words = values.flatMap((v) => v.split(/[,\s]+/)).filter(Boolean);
  if (!words.length) throw new HostsError(`${flag} lists no host`);
  const hosts = words.map((w) => parseHostWord(w, `${flag} ${JSON.stringify(w)}`));
  return noDuplicates(hosts, (i) => `${flag} entry ${i + 1}`);
}

/**
 * A hostfile: one host per line, `#` comments; `name`, `name slots=N` (Open MPI; `max_slots=M`
 * is accepted and ignored) or `name:N` (MPICH).
 */
export function parseHostfile(text: string, path: string): Host[] {
  const hosts: Host[] = [];
  const lines: number[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const where = `Hostfile '${path}' line ${i + 1}`;
    const words = raw.replace(/#.*/, "").trim().split(/\s+/).filter(Boolean);
    if (!words.length) return;
    const host = parseHostWord(words[0], where);
    for (const w of words.slice(1)) {
      const m = /^(slots|max_slots|max-slots)=(.*)$/.exec(w);
      if (!m) {
        throw new HostsError(`${where}: ${JSON.stringify(w)} is not understood (expected slots=N)`);
      }
      const n = slotsOf(m[2], where);
      if (m[1] !== "slots") continue;
      if (host.slots !== null && host.slots !== n) {
        throw new HostsError(`${where}: two slot counts (${host.slots} and ${n})`);
      }
      host.slots = n;
    }
    hosts.push(host);
    lines.push(i + 1);
  });
  if (!hosts.length) throw new HostsError(`Hostfile '${path}' lists no host`);
  return noDuplicates(hosts, (i) => `Hostfile '${path}' line ${lines[i]}`);
}

/** The ranks of one host in a point: rank numbers in order. */
export interface Placement {
  host: Host;
  ranks: number[];
}

/**
 * Where the ranks of a point go, given the plan's ranks per node (`counts[i]` ranks on node i):
 * node i is host i, ranks in blocks (rank 0 on the first host).
 */
export function placeRanks(counts: number[], hosts: Host[]): Placement[] {
  if (counts.length > hosts.length) {
    throw new HostsError(`${counts.length} nodes needed, ${hosts.length} hosts given`);
  }
  let next = 0;
  return counts.map((n, i) => ({
    host: hosts[i],
    ranks: Array.from({ length: n }, () => next++),
  }));
}

/** What of a point the hosts are checked against. */
export interface PointShape {
  cores: number;
  nodes: number;
  threads: number;
}

/**
 * Why the hosts cannot run a point (too few hosts, or more cores on a host than its slots), or
 * null. `counts` are the plan's ranks per node for that point; `source` names where the hosts
 * came from (`--hosts`, `Hostfile 'x'`).
 */
export function pointMisfit(
  point: PointShape,
  options: { counts: number[]; hosts: Host[]; coresPerNode: number; source: string },
): string | null {
  const { counts, hosts, coresPerNode, source } = options;
  if (point.nodes > hosts.length) {
    const s = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
    return `The point of ${s(point.cores, "core")} needs ${
      s(point.nodes, "node")
    } of ${coresPerNode} (--cores-per-node) but ${source} lists ${s(hosts.length, "host")}`;
  }
  for (const [i, n] of counts.entries()) {
    const h = hosts[i];
    if (h.slots !== null && n * point.threads > h.slots) {
      const fit = Math.min(...hosts.slice(0, point.nodes).map((x) => x.slots ?? Infinity));
      return `The point of ${point.cores} cores puts ${
        n * point.threads
      } cores on host '${h.name}', which has ${h.slots} slots in ${source}; give --cores-per-node ${fit} (or more hosts)`;
    }
  }
  return null;
}
