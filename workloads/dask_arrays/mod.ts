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
import { ARRAY_SWEEP } from "../arrays/params.ts";
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
  ...ARRAY_SWEEP,
  // `python3` runs as --python, the interpreter of the scheduler and workers (core/engine_dask.ts)
  command: ["python3", "-m", "scalebench.dask_arrays"],
  engine: "dask",
  ops: DASK_ARRAY_OPS,
});
