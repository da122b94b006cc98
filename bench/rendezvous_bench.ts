/**
 * The rendezvous at scale (#14 item 3), from 2 to 128 ranks on this machine:
 *
 * 1. Collectives: rank 0 is this process (its hub), the other ranks are processes of
 *    bench/_rendezvous_rank.ts; barrier, allgather and allreduce are timed over the star and over
 *    the tree (fan-out 4), with rank 0's own CPU time per collective, every result checked
 *    exactly. The latencies are fitted (a + b·n) and, with rank 0's CPU time, extrapolated to
 *    4096 ranks with a core each (docs/rendezvous.md has the model), with rank 0's memory and CPU
 *    per connected rank.
 * 2. Rank start-up with the whole rank runtime: the local provider (oversubscribed above 2 ranks)
 *    and, where Slurm answers, `--one-allocation` steps on the cluster there (up to its CPUs).
 *
 * Verdicts: every result exact; rank 0's CPU time per barrier at 128 ranks at least 6.35× less
 * over the tree than over the star (a fifth of the ratio of frames it handles); an allreduce at
 * 128 ranks within 2× of a barrier (it folds at the root instead of sending every rank every
 * vector). `--quick`: up to 32 ranks, fewer calls.
 *
 * @module
 */
import process from "node:process";
import { runSweep } from "../mod.ts";
import { median } from "../core/stats.ts";
import { type Collectives, RendezvousClient, RendezvousHub } from "../core/rendezvous.ts";
import { TREE_FANOUT, TREE_MIN_RANKS } from "../core/rendezvous_tree.ts";
import { slurm, slurmUnreachable } from "../providers/slurm/commands.ts";
import { atLeast, atMost, BenchReport } from "./_figures.ts";
import { checkResult, type Op, OPS, type Plan, runPlan } from "./_rendezvous_plan.ts";

const report = new BenchReport("rendezvous");
const quick = Deno.args.includes("--quick");
const SIZES = quick ? [2, 4, 8, 16, 32] : [2, 4, 8, 16, 32, 64, 128];
const PLAN: Plan = quick ? { warmup: 5, iters: 30 } : { warmup: 10, iters: 60 };
const RANK = new URL("./_rendezvous_rank.ts", import.meta.url).pathname;
const HUB = new URL("./_rendezvous_hub.ts", import.meta.url).pathname;
const TOPOLOGIES = { star: { min: 0, fanout: 2 }, tree: { min: 2, fanout: TREE_FANOUT } };
type Topology = keyof typeof TOPOLOGIES;

/** rank 0's CPU time so far, µs */
const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

interface Sample {
  /** µs per call: wall, and rank 0's CPU */
  wall: Record<Op, number>;
  cpu: Record<Op, number>;
  /** rank 0's CPU time per rank joining, µs */
  joinCpu: number;
  wrong: string | null;
}

/** One group of `n` ranks over `topology`: the plan's timings on rank 0, every rank checked. */
async function group(n: number, topology: Topology): Promise<Sample> {
  const token = crypto.randomUUID();
  const cpu0 = cpu();
  const hub = RendezvousHub.start({
    size: n,
    token,
    bind: "127.0.0.1",
    port: 0,
    tree: TOPOLOGIES[topology],
  });
  const ranks = Array.from({ length: n - 1 }, (_, i) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--quiet",
        "--node-modules-dir=manual",
        RANK,
        JSON.stringify({
          port: hub.port,
          token,
          rank: i + 1,
          size: n,
          tree: TOPOLOGIES[topology],
          plan: PLAN,
        }),
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn());
  const sample: Sample = {
    wall: { barrier: 0, allgather: 0, allreduce: 0 },
    cpu: { barrier: 0, allgather: 0, allreduce: 0 },
    joinCpu: 0,
    wrong: null,
  };
  try {
    await hub.waitForRanks(120);
    sample.joinCpu = (cpu() - cpu0) / (n - 1);
    sample.wrong = await runPlan(hub, PLAN, {
      check: checkResult,
      cpu,
      time: (op, t) => {
        sample.wall[op] = t.wall / PLAN.iters;
        sample.cpu[op] = t.cpu / PLAN.iters;
      },
    });
  } finally {
    await hub.close();
  }
  for (const [i, r] of ranks.entries()) {
    const out = await r.output();
    if (!out.success) {
      sample.wrong ??= `rank ${i + 1} exited with ${out.code}: ${
        new TextDecoder().decode(out.stderr).trim().slice(0, 300)
      }`;
    }
  }
  return sample;
}

/** Least squares y = a + b·x, with R². */
function fitLine(xs: number[], ys: number[]): { a: number; b: number; r2: number } {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n, my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  const b = sxy / sxx;
  return { a: my - b * mx, b, r2: syy ? (sxy * sxy) / (sxx * syy) : 1 };
}

const depth = (n: number, k: number) => Math.ceil(Math.log(n * (k - 1) + 1) / Math.log(k)) - 1;

// ---------------------------------------------------------------- 1. collectives
const results: Record<Topology, Map<number, Sample>> = { star: new Map(), tree: new Map() };
let exact = true;
for (const n of SIZES) {
  for (const topology of ["star", "tree"] as const) {
    // the median of 3 groups, alternating topologies, so that the machine's load hits both alike
    const samples: Sample[] = [];
    for (let i = 0; i < (quick ? 1 : 3); i++) samples.push(await group(n, topology));
    const wrong = samples.find((s) => s.wrong)?.wrong ?? null;
    if (wrong) {
      exact = false;
      report.fail(`${topology} at ${n} ranks`, wrong);
    }
    const pick = (f: (s: Sample) => number) => median(samples.map(f));
    const s: Sample = {
      wall: Object.fromEntries(OPS.map((op) => [op, pick((x) => x.wall[op])])) as Sample["wall"],
      cpu: Object.fromEntries(OPS.map((op) => [op, pick((x) => x.cpu[op])])) as Sample["cpu"],
      joinCpu: pick((x) => x.joinCpu),
      wrong,
    };
    results[topology].set(n, s);
    console.log(
      `  ${topology} ${String(n).padStart(3)} ranks: ${
        OPS.map((op) => `${op} ${s.wall[op].toFixed(0)} µs (rank 0 CPU ${s.cpu[op].toFixed(0)})`)
          .join(", ")
      }; rank 0's CPU per rank joining ${s.joinCpu.toFixed(0)} µs`,
    );
  }
}
report.check(
  "every collective's result exact on every rank",
  exact,
  exact ? `${SIZES.length} sizes × star and tree` : "see the FAIL rows above",
);

const top = SIZES.at(-1)!;
for (const topology of ["star", "tree"] as const) {
  const r = results[topology];
  for (const op of OPS) {
    report.info(`${op} at ${top} ranks, ${topology}`, r.get(top)!.wall[op], {
      unit: "µs",
      detail: `rank 0's CPU ${r.get(top)!.cpu[op].toFixed(0)} µs per call`,
    });
  }
  const fit = fitLine(SIZES, SIZES.map((n) => r.get(n)!.wall.barrier));
  report.info(`barrier latency fit, ${topology}: slope per rank`, fit.b, {
    unit: "µs",
    detail: `latency ≈ ${fit.a.toFixed(0)} + ${fit.b.toFixed(1)}·n µs (R² ${fit.r2.toFixed(3)}, ${
      SIZES[0]
    }–${top} ranks on ${navigator.hardwareConcurrency} cores: every rank is a process to schedule)`,
  });
}
// rank 0 handles 2(n − 1) frames per barrier over the star, 2k over the tree: a fifth of that
// ratio at least (the root also completes the collective and contributes its own part)
const cpuStar = results.star.get(top)!.cpu.barrier, cpuTree = results.tree.get(top)!.cpu.barrier;
report.figure(`rank 0's CPU per barrier at ${top} ranks: star / tree`, cpuStar / cpuTree, {
  goal: atLeast((top - 1) / TREE_FANOUT / 5),
  detail: `star ${cpuStar.toFixed(0)} µs, tree ${cpuTree.toFixed(0)} µs (2·${
    top - 1
  } frames at rank 0 against 2·${TREE_FANOUT})`,
});
const auto = results[top >= TREE_MIN_RANKS ? "tree" : "star"].get(top)!;
report.figure(
  `allreduce / barrier latency at ${top} ranks`,
  auto.wall.allreduce / auto.wall.barrier,
  {
    goal: atMost(2),
    detail: `allreduce ${auto.wall.allreduce.toFixed(0)} µs, barrier ${
      auto.wall.barrier.toFixed(0)
    } µs (folded at the root in rank order; before: every rank got every vector, 454 ms at 128)`,
  },
);

// the model: with a core per rank a collective costs rank 0's CPU time plus its network hops
const hop = results.star.get(2)!.wall.barrier;
const cpuFit = fitLine(SIZES, SIZES.map((n) => results.star.get(n)!.cpu.barrier));
const treeCpu = median(SIZES.filter((n) => n >= 8).map((n) => results.tree.get(n)!.cpu.barrier));
const model = {
  star: (n: number) => hop + Math.max(0, cpuFit.a + cpuFit.b * n),
  tree: (n: number) => depth(n, TREE_FANOUT) * hop + treeCpu,
};
let crossover = 2;
while (crossover < 1 << 16 && model.star(crossover) < model.tree(crossover)) crossover++;
report.info("modelled star/tree crossover (a core per rank)", crossover, {
  unit: "ranks",
  detail: `star ≈ ${hop.toFixed(0)} + ${cpuFit.b.toFixed(1)}·n µs, tree ≈ ${
    hop.toFixed(0)
  }·depth + ${
    treeCpu.toFixed(0)
  } µs (fan-out ${TREE_FANOUT}); the tree is used from ${TREE_MIN_RANKS} ranks (no host crowded)`,
});
report.info(
  "modelled barrier at 4096 ranks (a core per rank): star / tree",
  model.star(4096) / model.tree(4096),
  {
    detail: `star ${(model.star(4096) / 1000).toFixed(1)} ms, tree ${
      (model.tree(4096) / 1000).toFixed(2)
    } ms (depth ${depth(4096, TREE_FANOUT)}); rank 0 accepts 4095 connections either way, ${
      results.star.get(top)!.joinCpu.toFixed(0)
    } µs of its CPU each here (${(results.star.get(top)!.joinCpu * 4095 / 1e6).toFixed(1)} s)`,
  },
);

/**
 * Rank 0's resident memory and open files per connected rank: a hub process (its memory alone)
 * with `count` idle ranks joined from this process, measured after a garbage collection.
 */
async function perConnection(count: number): Promise<{ bytes: number; files: number }> {
  const token = crypto.randomUUID();
  const hub = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", "--v8-flags=--expose-gc", HUB, String(count + 1), token],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const reader = hub.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let pending = "";
  const next = async (): Promise<Record<string, number>> => {
    while (!pending.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the hub process ended");
      pending += value;
    }
    const at = pending.indexOf("\n");
    const line = pending.slice(0, at);
    pending = pending.slice(at + 1);
    return JSON.parse(line);
  };
  const writer = hub.stdin.getWriter();
  const ask = async () => (await writer.write(new TextEncoder().encode("\n")), await next());
  const { port } = await next();
  const before = await ask();
  const ranks: Collectives[] = [];
  for (let i = 0; i < count; i += 100) {
    ranks.push(
      ...await Promise.all(
        Array.from({ length: Math.min(100, count - i) }, (_, j) =>
          RendezvousClient.join({
            rank: i + j + 1,
            size: count + 1,
            token,
            host: "127.0.0.1",
            port,
            timeout: 60,
            self: { host: "bench", pid: Deno.pid },
            tree: { min: 0, fanout: 2 },
          })),
      ),
    );
  }
  const after = await ask();
  await writer.close();
  await Promise.all(ranks.map((r) => r.close().catch(() => {})));
  await hub.status;
  reader.releaseLock();
  return { bytes: (after.rss - before.rss) / count, files: (after.files - before.files) / count };
}

const idle = quick ? 200 : 1000;
const mem = await perConnection(idle);
report.info("rank 0's memory per connected rank", mem.bytes / 1024, {
  unit: "KiB",
  detail: `resident, after a GC, with ${idle} idle ranks joined (${
    mem.files.toFixed(2)
  } open files each): ${(mem.bytes * 4095 / 2 ** 20).toFixed(0)} MiB at 4096 ranks`,
});

// ---------------------------------------------------------------- 2. rank start-up
const out = await Deno.makeTempDir({ prefix: "scalebench-rdv-bench-" });
const WORKLOAD = new URL("./workloads/rendezvous.ts", import.meta.url).href;

/** ms from the driver starting each point to every rank at the first barrier, by rank count. */
async function startUp(
  cores: number[],
  options: {
    provider: string;
    coresPerNode: number;
    settings?: Record<string, string | number | boolean | null>;
  },
): Promise<Map<number, number>> {
  const times = new Map<number, number>();
  let started = 0;
  await runSweep({
    workload: WORKLOAD,
    provider: options.provider,
    providerSettings: options.settings,
    params: { iters: 1 },
    ops: ["barrier"],
    cores,
    coresPerNode: options.coresPerNode,
    layout: "ranks",
    reps: 1,
    pollInterval: 0.2,
    output: out,
    log: () => {},
    onEvent: (e) => {
      if (e.type === "batch-start") started = performance.now();
      if (e.type === "ready" && e.batch.point.ranks > 1) {
        times.set(e.batch.point.ranks, performance.now() - started);
      }
    },
  });
  return times;
}

try {
  const local = await startUp(SIZES, { provider: "local", coresPerNode: top });
  const fit = fitLine([...local.keys()], [...local.values()]);
  report.info(`rank start-up at ${top} ranks, local (oversubscribed)`, local.get(top)!, {
    unit: "ms",
    detail: `${[...local].map(([n, t]) => `${n}: ${t.toFixed(0)}`).join(", ")} ms; ≈ ${
      fit.a.toFixed(0)
    } + ${fit.b.toFixed(1)}·n ms (R² ${
      fit.r2.toFixed(3)
    }): ranks start on ${navigator.hardwareConcurrency} cores`,
  });
  const why = await slurmUnreachable();
  if (why) report.skip("rank start-up on Slurm", `no Slurm answers (${why})`);
  else {
    const r = await slurm("sinfo", ["-h", "-N", "-o", "%N|%c|%t"]);
    const up = r.stdout.trim().split("\n").map((l) => l.split("|"))
      .filter(([, , t]) => /^(idle|mix|alloc)/.test(t ?? ""));
    const perNode = Math.min(...up.map(([, c]) => +c)),
      cpus = perNode * new Set(up.map(([n]) => n)).size;
    const cores = SIZES.filter((n) => n <= cpus);
    // a first point of 1 rank waits for the allocation; the others start in it
    const steps = await startUp([1, ...cores], {
      provider: "slurm",
      coresPerNode: perNode,
      settings: { exclusive: false, oneAllocation: true },
    });
    const last = cores.at(-1)!;
    report.info(
      `rank start-up at ${last} ranks, Slurm steps (${up.length} nodes × ${perNode})`,
      steps.get(last)!,
      {
        unit: "ms",
        detail: `${
          [...steps].map(([n, t]) => `${n}: ${t.toFixed(0)}`).join(", ")
        } ms, one step per point`,
      },
    );
  }
} catch (err) {
  report.fail("rank start-up", (err as Error).message);
} finally {
  await Deno.remove(out, { recursive: true });
}
report.finish();
