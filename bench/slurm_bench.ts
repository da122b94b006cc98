/**
 * The Slurm provider's overhead: from submitting a point to every rank at the first barrier (rank
 * 0's `ready` record), against a bare `srun -N n true` measured in the same run. Skipped where no
 * Slurm answers (start one with `bash .ci/local_slurm.sh start 3 4`).
 *
 * @module
 */
import { runSweep } from "../mod.ts";
import { median } from "../core/stats.ts";
import { slurm, slurmUnreachable } from "../providers/slurm/commands.ts";

const why = await slurmUnreachable();
if (why) {
  console.log(`slurm bench skipped: ${why}`);
  Deno.exit(0);
}
const out = await Deno.makeTempDir({ prefix: "scalebench-slurm-bench-" });

/** Milliseconds from submit to every rank at the first barrier, per batch. */
async function launches(
  options: { nodes: number; settings: Record<string, string | boolean> },
): Promise<number[]> {
  const times: number[] = [];
  let submitted = 0;
  await runSweep({
    workload: NOOP,
    provider: "slurm",
    providerSettings: { exclusive: false, ...options.settings },
    cores: [options.nodes * 2],
    coresPerNode: 2,
    layout: "ranks",
    reps: 5,
    order: "interleaved",
    pollInterval: 0.2,
    output: out,
    log: () => {},
    onEvent: (e) => {
      if (e.type === "batch-start") submitted = performance.now();
      if (e.type === "ready") times.push(performance.now() - submitted);
    },
  });
  return times;
}

const NOOP = new URL("./workloads/noop.ts", import.meta.url).href;
for (const nodes of [1, 3]) {
  const bare: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const r = await slurm("srun", ["-N", String(nodes), "-n", String(nodes), "true"]);
    if (r.code !== 0) throw new Error(r.stderr);
    bare.push(performance.now() - t);
  }
  const ours = await launches({ nodes, settings: {} });
  const alloc = await slurm("salloc", ["--no-shell", "-N", String(nodes), "-n", String(nodes * 2)]);
  const id = /allocation (\d+)/.exec(alloc.stderr)?.[1];
  if (!id) throw new Error(`salloc: ${alloc.stderr}`);
  const steps = await launches({ nodes, settings: { withinAllocation: true, allocation: id } });
  await slurm("scancel", [id]);
  console.log(
    `slurm, ${nodes} node(s), ${
      nodes * 2
    } ranks, inside an allocation: srun step → all ranks at the first barrier ${
      median(steps).toFixed(0)
    } ms; bare srun ${median(bare).toFixed(0)} ms; overhead ${
      (median(steps) - median(bare)).toFixed(0)
    } ms`,
  );
  const [o, b] = [median(ours), median(bare)];
  console.log(
    `slurm, ${nodes} node(s), ${
      nodes * 2
    } ranks, batch job per point: sbatch → all ranks at the first barrier ${
      o.toFixed(0)
    } ms (median of ${ours.length}); bare srun -N ${nodes} true ${b.toFixed(0)} ms; overhead ${
      (o - b).toFixed(0)
    } ms`,
  );
}
await Deno.remove(out, { recursive: true });
