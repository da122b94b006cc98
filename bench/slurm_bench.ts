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
import { BenchReport } from "./_figures.ts";

const report = new BenchReport("slurm");
const why = await slurmUnreachable();
if (why) {
  report.skip(
    "start-up over a bare srun",
    `no Slurm answers (${why}); start the local cluster: bash .ci/local_slurm.sh start 3 4`,
  );
  report.finish();
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
  // no goal yet: #14 item 2 (step overhead < 100 ms) belongs to the one-allocation work
  const label = `${nodes} node(s), ${nodes * 2} ranks`;
  report.info(
    `${label}: srun step inside an allocation − bare srun`,
    median(steps) - median(bare),
    {
      unit: "ms",
      detail: `step → all ranks at the first barrier ${median(steps).toFixed(0)} ms, bare srun ${
        median(bare).toFixed(0)
      } ms`,
    },
  );
  report.info(`${label}: batch job per point − bare srun`, median(ours) - median(bare), {
    unit: "ms",
    detail: `sbatch → all ranks at the first barrier ${
      median(ours).toFixed(0)
    } ms (median of ${ours.length}), bare srun -N ${nodes} true ${median(bare).toFixed(0)} ms`,
  });
}
await Deno.remove(out, { recursive: true });
report.finish();
