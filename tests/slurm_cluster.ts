/**
 * The Slurm cluster the tests are given, read from `sinfo`: how many nodes of the default partition
 * are up and how many CPUs the smallest has. Tests size their points to it (cores per node = those
 * CPUs, at most as many nodes as there are) and a test that needs more than the cluster has is
 * ignored with the cluster's shape as its reason (tests/_needs.ts), so none waits on a job Slurm
 * can never schedule.
 *
 * @module
 */
import { type Need, need, needSlurm } from "./_needs.ts";

/** The default partition's nodes that can run jobs, and the CPUs of the smallest. */
export interface SlurmCluster {
  partition: string;
  nodes: number;
  cpusPerNode: number;
  /** The nodes' names, sorted */
  names: string[];
}

/** Node states in which a node takes jobs (sinfo's compact state, without its suffix flags). */
const USABLE = new Set(["idle", "mix", "mixed", "alloc", "allocated", "completing", "comp"]);

/** The default partition's shape in `sinfo -h -N -o '%N|%c|%t|%P'` (a line per node, partition). */
export function parseCluster(text: string): SlurmCluster | null {
  const rows = text.trim().split("\n").map((l) => l.trim().split("|")).filter((r) =>
    r.length === 4
  );
  const defaults = rows.filter((r) => r[3].endsWith("*"));
  const chosen = defaults.length ? defaults : rows;
  if (!chosen.length) return null;
  const partition = chosen[0][3].replace(/\*$/, "");
  const up = new Map<string, number>();
  for (const [node, cpus, state, p] of chosen) {
    if (p.replace(/\*$/, "") !== partition) continue;
    if (USABLE.has(state.replace(/[*~#!%$@^-]+$/, ""))) up.set(node, Number(cpus));
  }
  if (!up.size) return null;
  const names = [...up.keys()].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  return { partition, nodes: up.size, cpusPerNode: Math.min(...up.values()), names };
}

/** The cluster here, or null when no Slurm answers (or no node is up). */
export async function slurmCluster(): Promise<SlurmCluster | null> {
  try {
    const out = await new Deno.Command("sinfo", {
      args: ["-h", "-N", "-o", "%N|%c|%t|%P"],
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? parseCluster(new TextDecoder().decode(out.stdout)) : null;
  } catch {
    return null;
  }
}

/** The cluster the tests run on, and what a test that needs some shape of it needs. */
export interface GivenCluster {
  /** The cluster's shape (1 node × 1 CPU where none answers: the tests are ignored then) */
  cluster: SlurmCluster;
  /** Slurm, and at least `nodes` nodes of `cpus` CPUs each (default 1 × 1) */
  needs(shape?: { nodes?: number; cpus?: number }): Need[];
}

/** Read the cluster once (sinfo) for a test file. */
export async function givenCluster(): Promise<GivenCluster> {
  const slurm = await needSlurm();
  const found = slurm.missing ? null : await slurmCluster();
  const cluster = found ?? { partition: "debug", nodes: 1, cpusPerNode: 1, names: [] };
  const up = need(
    "a Slurm node that is up",
    slurm.missing || found ? null : "sinfo lists no node of the default partition up",
  );
  return {
    cluster,
    needs(shape = {}) {
      const [nodes, cpus] = [shape.nodes ?? 1, shape.cpus ?? 1];
      const small = found && (found.nodes < nodes || found.cpusPerNode < cpus);
      return [
        slurm,
        up,
        need(
          `${nodes} Slurm node(s) × ${cpus} CPU(s)`,
          small
            ? `needs ${nodes} node(s) × ${cpus} CPU(s); partition '${cluster.partition}' has ${cluster.nodes} × ${cluster.cpusPerNode}`
            : null,
        ),
      ];
    },
  };
}
