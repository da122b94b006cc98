// sum.ts as a function given the API (the form `scalebench init` writes): imports nothing from
// scalebench at run time.
// deno-lint-ignore-file no-explicit-any
import { sumKernel, sumOperation } from "./_sum_parts.ts";

export default (sb: any) =>
  sb.defineWorkload({
    name: "api-sum",
    summary: "sum.ts, defined by a function given the API",
    params: {
      n: sb.int({ default: 1_000_000, min: 1, help: "Elements" }),
      ms: sb.int({ default: 40, min: 0, help: "Sleep at 1 core, milliseconds" }),
    },
    mode: "strong",
    kernels: { part: sumKernel(sb.partition) },
    operations: { sum: sumOperation(sb.partition) },
  });
