// A workload made with defineWorkload (the definition form) whose operation runs on every thread
// (ctx.parallel) and rank: each thread sums its share of 0..n−1 and sleeps its share of `ms`, so
// it scales near-perfectly whatever the machine's load. tests/expect_measure_test.ts imports it.
import { defineWorkload, partition } from "../../../core/workload.ts";
import { int } from "../../../core/params.ts";
import { sumKernel, sumOperation } from "./_sum_parts.ts";

export default defineWorkload({
  name: "sum",
  summary: "Sum of 0..n−1 over ranks and threads, sleeping ms·share on each thread",
  params: {
    n: int({ default: 1_000_000, min: 1, help: "Elements" }),
    ms: int({ default: 40, min: 0, help: "Sleep at 1 core, milliseconds" }),
  },
  mode: "strong",
  kernels: { part: sumKernel(partition) },
  operations: { sum: sumOperation(partition) },
});
