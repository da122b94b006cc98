/**
 * `dask-arrays`: dask-bench's array operations (modules/weakscaling/arrays.py) run *with Dask
 * itself* on a Dask cluster per point (`--engine dask`): the client program is
 * python/scalebench/dask_arrays.py, which times each operation with `scalebench.observe` and
 * checks it. Same parameters, weak rule, operation names and units as the TypeScript `arrays`
 * workload, so both go side by side in one comparison report.
 *
 * The array is N × N random int64 in [0, 1e5) in chunks of N/√cores (dask-bench's rule), N =
 * `size` (dask-bench's PROBLEM_SIZE_ARRAY; weak mode: size · √cores).
 *
 * @module
 */
import { int } from "../../core/params.ts";
import { defineWorkload } from "../../core/workload.ts";

/** The operations, in the order the client runs them (those of `arrays`). */
export const DASK_ARRAY_OPS = [
  "create random 2D-array",
  "block-wise operation",
  "random access",
  "reduction operation (std)",
  "reduction (std) along axis",
  "elementwise computation",
  "sum the transpose",
];

export default defineWorkload({
  name: "dask-arrays",
  summary: "dask-bench's array operations with Dask on a Dask cluster per point, checked",
  params: {
    size: int({
      default: 5000,
      min: 315,
      max: 1_000_000,
      unit: "elements",
      help: "Side N of the N × N array (dask-bench's PROBLEM_SIZE_ARRAY; weak: size · √cores)",
    }),
  },
  mode: "weak",
  weak: (p, point) => ({ size: Math.floor(p.size * Math.sqrt(point.cores)) }),
  size: (p) => p.size * p.size,
  sizeUnit: "elements",
  // `python3` runs as --python, the interpreter of the scheduler and workers (core/engine_dask.ts)
  command: ["python3", "-m", "scalebench.dask_arrays"],
  engine: "dask",
  ops: DASK_ARRAY_OPS,
});
