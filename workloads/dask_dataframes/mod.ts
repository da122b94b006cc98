/**
 * `dask-dataframes`: dask-bench's dataframe operations (modules/weakscaling/dfs.py) run *with
 * Dask itself* on a Dask cluster per point (`--engine dask`): the client program is
 * python/scalebench/dask_dataframes.py, which times each operation with `scalebench.observe` and
 * checks it. Same parameters, weak rule, operation names and units as the TypeScript
 * `dataframes` workload, so both go side by side in one comparison report.
 *
 * The frame has 6 int64 columns col_0 … col_5 of random values in [0, 1e5) and `rows` rows
 * (dask-bench's PROBLEM_SIZE_DATAFRAMES; weak mode: rows · cores) in partitions of rows / 2·cores.
 *
 * @module
 */
import { FRAME_SWEEP } from "../dataframes/params.ts";
import { defineWorkload } from "../../core/workload.ts";

/** The operations, in the order the client runs them (those of `dataframes`). */
export const DASK_DATAFRAME_OPS = [
  "create random dataframe",
  "block-wise operation",
  "random access",
  "reduction operation (std)",
  "series reduction operation (std)",
  "group-by operation",
  "group-by operation (2 columns)",
  "group-by apply operation",
  "order data",
];

export default defineWorkload({
  name: "dask-dataframes",
  summary: "dask-bench's dataframe operations with Dask on a Dask cluster per point, checked",
  ...FRAME_SWEEP,
  // `python3` runs as --python, the interpreter of the scheduler and workers (core/engine_dask.ts)
  command: ["python3", "-m", "scalebench.dask_dataframes"],
  engine: "dask",
  ops: DASK_DATAFRAME_OPS,
});
