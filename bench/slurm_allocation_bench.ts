/**
 * `--one-allocation` on Slurm (#14 item 2), measured in one run on the local cluster:
 *
 * - a sweep of 4 points on up to 3 nodes (1, C, 2C, 3C cores, C = CPUs per node) in one allocation
 *   against the same sweep as 4 batch jobs, end to end; goal: faster by at least 3 queue round
 *   trips (`sbatch --wait` of `true`, measured here), i.e. saving / (3 × round trip) ≥ 1;
 * - a point's step overhead at 1 and 3 nodes × 2 ranks: from the driver starting the point to
 *   every rank at the first barrier (rank 0's `ready`), minus a bare `srun … true` step of the same
 *   shape in the same allocation; goal < 100 ms.
 *
 * Skipped where no Slurm answers (start one with `bash .ci/local_slurm.sh start 3 4`). `--quick`:
 * fewer repetitions.
 *
 * @module
 */
import { runSweep } from "../mod.ts";
import { median } from "../core/stats.ts";
import { slurm, slurmUnreachable } from "../providers/slurm/commands.ts";
import { atLeast, below, BenchReport } from "./_figures.ts";

const report = new BenchReport("slurm_allocation");
const why = await slurmUnreachable();
if (why) {
  const how =
    `no Slurm answers (${why}); start the local cluster: bash .ci/local_slurm.sh start 3 4`;
  report.skip("one allocation vs a batch job per point", how);
  report.skip("step overhead over a bare srun", how);
  report.finish();
}
const quick = Deno.args.includes("--quick");
const NOOP = new URL("./workloads/noop.ts", import.meta.url).href;
const out = await Deno.makeTempDir({ prefix: "scalebench-alloc-bench-" });

/** The default partition's usable nodes and the CPUs of the smallest (sinfo). */
async function cluster(): Promise<{ nodes: number; cpus: number }> {
  const r = await slurm("sinfo", ["-h", "-N", "-o", "%N|%c|%t"]);
  const up = r.stdout.trim().split("\n").map((l) => l.split("|"))
    .filter(([, , t]) => /^(idle|mix|alloc)/.test(t ?? ""));
  return { nodes: new Set(up.map(([n]) => n)).size, cpus: Math.min(...up.map(([, c]) => +c)) };
}

async function timed<T>(f: () => Promise<T>): Promise<number> {
  const t = performance.now();
  await f();
  return performance.now() - t;
}

/** A sweep of `cores` (one repetition each) through Slurm; its wall time in ms. */
async function sweep(cores: number[], cpus: number, settings: Record<string, unknown>) {
  let status = "";
  const ms = await timed(async () => {
    const r = await runSweep({
      workload: NOOP,
      provider: "slurm",
      providerSettings: { exclusive: false, ...settings },
      cores,
      coresPerNode: cpus,
      layout: "ranks",
      reps: 1,
      pollInterval: 0.2,
      output: out,
      log: () => {},
    });
    status = r.status;
  });
  if (status !== "complete") throw new Error(`a sweep through Slurm ended ${status}`);
  return ms;
}

/** An allocation of `nodes` × `cpus` for bare steps and ours; its id. */
async function allocate(nodes: number, tasks: number): Promise<string> {
  const r = await slurm("salloc", ["--no-shell", "-N", String(nodes), "-n", String(tasks)]);
  const id = /allocation (\d+)/.exec(r.stderr)?.[1];
  if (!id) throw new Error(`salloc: ${r.stderr.trim()}`);
  return id;
}

/** Milliseconds from the driver starting each point to every rank at the first barrier. */
async function stepStarts(options: { nodes: number; allocation: string; reps: number }) {
  const times: number[] = [];
  let started = 0;
  await runSweep({
    workload: NOOP,
    provider: "slurm",
    providerSettings: { exclusive: false, withinAllocation: true, allocation: options.allocation },
    cores: [options.nodes * 2],
    coresPerNode: 2,
    layout: "ranks",
    reps: options.reps,
    order: "interleaved", // a batch, so a step, per repetition
    pollInterval: 0.2,
    output: out,
    log: () => {},
    onEvent: (e) => {
      if (e.type === "batch-start") started = performance.now();
      if (e.type === "ready") times.push(performance.now() - started);
    },
  });
  return times;
}

try {
  const { nodes, cpus } = await cluster();
  const k = Math.min(3, nodes);
  const cores = [1, ...Array.from({ length: k }, (_, i) => (i + 1) * cpus)];
  const rounds = quick ? 1 : 3;
  const queue: number[] = [], batch: number[] = [], one: number[] = [];
  for (let i = 0; i < rounds; i++) {
    queue.push(
      await timed(async () => {
        const r = await slurm("sbatch", [
          "--wait",
          "--parsable",
          "-o",
          "/dev/null",
          "--wrap",
          "true",
        ]);
        if (r.code !== 0) throw new Error(`sbatch --wait: ${r.stderr.trim()}`);
      }),
    );
    batch.push(await sweep(cores, cpus, {}));
    one.push(await sweep(cores, cpus, { oneAllocation: true }));
  }
  const saving = median(batch) - median(one);
  report.figure(
    `${cores.length} points on ${k} nodes: (batch jobs − one allocation) / 3 queue round trips`,
    saving / (3 * median(queue)),
    {
      goal: atLeast(1),
      detail: `4 batch jobs ${(median(batch) / 1000).toFixed(2)} s, one allocation ${
        (median(one) / 1000).toFixed(2)
      } s (medians of ${rounds}; cores ${cores.join(",")}), queue round trip (sbatch --wait true) ${
        median(queue).toFixed(0)
      } ms`,
    },
  );

  const reps = quick ? 5 : 9;
  for (const n of [1, 3].filter((n) => n <= nodes)) {
    const allocation = await allocate(n, 2 * n);
    try {
      const bare: number[] = [], ours: number[] = [];
      // alternate bare steps and ours, so that the machine's load hits both alike
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < Math.ceil(reps / 3); j++) {
          bare.push(
            await timed(async () => {
              const r = await slurm("srun", [
                `--jobid=${allocation}`,
                "--exact",
                `--nodes=${n}`,
                `--ntasks=${2 * n}`,
                "--ntasks-per-node=2",
                "true",
              ]);
              if (r.code !== 0) throw new Error(`srun: ${r.stderr.trim()}`);
            }),
          );
        }
        ours.push(...await stepStarts({ nodes: n, allocation, reps: Math.ceil(reps / 3) }));
      }
      report.figure(
        `step overhead over a bare srun, ${n} node(s) × 2 ranks`,
        median(ours) - median(bare),
        {
          goal: below(100),
          unit: "ms",
          detail: `point start → every rank at the first barrier ${
            median(ours).toFixed(0)
          } ms (median of ${ours.length}), bare srun --exact -N ${n} -n ${2 * n} true ${
            median(bare).toFixed(0)
          } ms (median of ${bare.length}), in one allocation`,
        },
      );
    } finally {
      await slurm("scancel", [allocation]);
    }
  }
} catch (err) {
  report.fail("one allocation and its steps", (err as Error).message);
} finally {
  await Deno.remove(out, { recursive: true });
}
report.finish();
