// A helper that defines workloads (defineWorkload is called here, not in the workload's file).
import { defineWorkload, partition } from "../../../core/workload.ts";
import { int } from "../../../core/params.ts";
import { sumKernel, sumOperation } from "./_sum_parts.ts";

/** sum.ts under another name. */
export function makeSum(name: string) {
  return defineWorkload({
    name,
    summary: "sum.ts, defined by a helper in another module",
    params: {
      n: int({ default: 1_000_000, min: 1, help: "Elements" }),
      ms: int({ default: 40, min: 0, help: "Sleep at 1 core, milliseconds" }),
    },
    kernels: { part: sumKernel(partition) },
    operations: { sum: sumOperation(partition) },
  });
}
