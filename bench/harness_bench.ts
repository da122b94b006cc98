/**
 * The harness's own cost, through the real local provider and rank processes:
 * - overhead per observation: the gap between one repetition's end and the next one's start
 *   (check, gather of every rank's result, record, barrier); goal < 1 % of a 1 s operation;
 * - rank launch latency: from submitting a point to every rank at the first barrier; goal < 150 ms;
 * - ground truth: amdahl with s = 0.2 on 1 and 2 cores; goal: t1/t2 within 10 % of 1/(0.2 + 0.8/2).
 *
 * @module
 */
import { readRun } from "../core/results.ts";
import { runSweep } from "../mod.ts";
import { median } from "../core/stats.ts";
import { atMost, below, BenchReport } from "./_figures.ts";

const out = await Deno.makeTempDir({ prefix: "scalebench-bench-" });
const report = new BenchReport("harness");
const NOOP = new URL("./workloads/noop.ts", import.meta.url).href;

for (const ranks of [1, 2]) {
  const r = await runSweep({
    workload: NOOP,
    cores: [ranks],
    layout: "ranks",
    reps: 300,
    output: out,
    monitorInterval: 1,
    log: () => {},
  });
  const obs = (await readRun(r.runDir)).observations;
  const gaps = obs.slice(1).map((o, i) => o.t_start! - obs[i].t_end!);
  const overhead = median(gaps);
  report.figure(
    `overhead per observation, ${ranks} rank(s), % of a 1 s operation`,
    overhead * 100,
    {
      goal: below(1),
      unit: "%",
      detail: `median gap ${
        (overhead * 1000).toFixed(3)
      } ms between repetitions, of ${gaps.length}`,
    },
  );
}

const launches: number[] = [];
for (const ranks of [1, 2]) {
  let submitted = 0;
  await runSweep({
    workload: NOOP,
    cores: [ranks],
    layout: "ranks",
    reps: 8,
    order: "interleaved",
    output: out,
    log: () => {},
    onEvent: (e) => {
      if (e.type === "batch-start") submitted = performance.now();
      if (e.type === "ready") launches.push(performance.now() - submitted);
    },
  });
  const mine = launches.splice(0);
  report.figure(`rank launch latency, ${ranks} rank(s)`, median(mine), {
    goal: below(150),
    unit: "ms",
    detail: `median of ${mine.length} launches, submit to every rank at the first barrier`,
  });
}

const amdahl = await runSweep({
  workload: "amdahl",
  params: { s: 0.2, work: 1000 },
  cores: [1, 2],
  reps: 5,
  warmup: 1,
  output: out,
  log: () => {},
});
const obs = (await readRun(amdahl.runDir)).observations.filter((o) => !o.warmup);
const t = (c: number) => median(obs.filter((o) => o.cores === c).map((o) => o.seconds!));
const ratio = t(1) / t(2), ideal = 1 / (0.2 + 0.8 / 2);
report.check(
  "amdahl s=0.2: every check",
  obs.every((o) => o.ok),
  `${obs.filter((o) => !o.ok).length} of ${obs.length} failed`,
);
report.figure(
  "amdahl s=0.2: |speedup 1→2 cores / Amdahl's − 1|",
  Math.abs(ratio / ideal - 1) * 100,
  {
    goal: atMost(10),
    unit: "%",
    detail: `speedup ${ratio.toFixed(3)}, Amdahl ${ideal.toFixed(3)} (medians of 5 repetitions)`,
  },
);
await Deno.remove(out, { recursive: true });
report.finish();
