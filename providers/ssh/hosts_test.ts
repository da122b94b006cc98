import assert from "node:assert/strict";
import {
  HostsError,
  parseHostfile,
  parseHostList,
  parseHostWord,
  placeRanks,
  pointMisfit,
} from "./hosts.ts";

Deno.test("parseHostList() reads names, name:N, user@name and IPv6 addresses, comma or space separated", () => {
  assert.deepEqual(parseHostList(["a,b:4", "user@c.example d", "[::1]:2", "fe80::1%eth0"]), [
    { name: "a", slots: null },
    { name: "b", slots: 4 },
    { name: "user@c.example", slots: null },
    { name: "d", slots: null },
    { name: "::1", slots: 2 },
    { name: "fe80::1%eth0", slots: null },
  ]);
});

Deno.test("parseHostList() rejects an empty list, a duplicate, bad slots and option-like names", () => {
  const fails = (values: string[], message: string) =>
    assert.throws(
      () => parseHostList(values),
      (e) => e instanceof HostsError && e.message === message,
    );
  fails([" , "], "--hosts lists no host");
  fails(
    ["a,b", "a:2"],
    `--hosts entry 3: host "a" is listed again (first at --hosts entry 1); give it once, with its cores (slots=N or name:N)`,
  );
  fails(["a:0"], `--hosts "a:0": slots "0" must be a whole number ≥ 1`);
  fails(["a:x"], `--hosts "a:x": slots "x" must be a whole number ≥ 1`);
  fails(
    ["-oProxyCommand=sh"],
    `--hosts "-oProxyCommand=sh": "-oProxyCommand=sh" is not a host name (letters, digits, . _ - @ %; an ssh alias, name or user@name)`,
  );
  assert.throws(() => parseHostWord("a;b", "x"), /is not a host name/);
});

Deno.test("parseHostfile() reads Open MPI and MPICH lines, comments and blank lines", () => {
  const text =
    "# cluster\nnode1 slots=4\n\n  node2:8   # MPICH\nnode3 slots=2 max_slots=6\nnode4\r\n";
  assert.deepEqual(parseHostfile(text, "hosts"), [
    { name: "node1", slots: 4 },
    { name: "node2", slots: 8 },
    { name: "node3", slots: 2 },
    { name: "node4", slots: null },
  ]);
});

Deno.test("parseHostfile() names the file and line of a mistake", () => {
  const fails = (text: string, message: string) =>
    assert.throws(() => parseHostfile(text, "h.txt"), (e) => (e as Error).message === message);
  fails("a\nb cpus=2\n", `Hostfile 'h.txt' line 2: "cpus=2" is not understood (expected slots=N)`);
  fails("a:2 slots=4\n", "Hostfile 'h.txt' line 1: two slot counts (2 and 4)");
  fails("# nothing\n\n", "Hostfile 'h.txt' lists no host");
  fails(
    "a\n#\nb\na slots=2\n",
    `Hostfile 'h.txt' line 4: host "a" is listed again (first at Hostfile 'h.txt' line 1); give it once, with its cores (slots=N or name:N)`,
  );
});

Deno.test("placeRanks() puts the ranks of node i on host i, in blocks from rank 0", () => {
  const hosts = parseHostList(["a,b,c"]);
  assert.deepEqual(
    placeRanks([2, 1], hosts).map((p) => [p.host.name, p.ranks]),
    [["a", [0, 1]], ["b", [2]]],
  );
  assert.throws(() => placeRanks([1, 1, 1, 1], hosts), /4 nodes needed, 3 hosts given/);
});

Deno.test("pointMisfit() finds too few hosts and hosts given more cores than their slots", () => {
  const hosts = parseHostList(["a:4,b:2"]);
  const misfit = (point: { cores: number; nodes: number; threads: number }, counts: number[]) =>
    pointMisfit(point, { counts, hosts, coresPerNode: 4, source: "--hosts" });
  assert.equal(
    misfit({ cores: 8, nodes: 2, threads: 1 }, [4, 4]),
    "The point of 8 cores puts 4 cores on host 'b', which has 2 slots in --hosts; give --cores-per-node 2 (or more hosts)",
  );
  assert.equal(
    misfit({ cores: 6, nodes: 2, threads: 3 }, [1, 1]),
    "The point of 6 cores puts 3 cores on host 'b', which has 2 slots in --hosts; give --cores-per-node 2 (or more hosts)",
  );
  assert.equal(
    misfit({ cores: 12, nodes: 3, threads: 1 }, [4, 4, 4]),
    "The point of 12 cores needs 3 nodes of 4 (--cores-per-node) but --hosts lists 2 hosts",
  );
  assert.equal(
    misfit({ cores: 6, nodes: 2, threads: 1 }, [3, 3]),
    "The point of 6 cores puts 3 cores on host 'b', which has 2 slots in --hosts; give --cores-per-node 2 (or more hosts)",
  );
  assert.equal(misfit({ cores: 5, nodes: 2, threads: 1 }, [3, 2]), null);
  assert.equal(
    pointMisfit({ cores: 1, nodes: 1, threads: 1 }, {
      counts: [1],
      hosts: [],
      coresPerNode: 1,
      source: "hostfile 'h'",
    }),
    "The point of 1 core needs 1 node of 1 (--cores-per-node) but hostfile 'h' lists 0 hosts",
  );
});
