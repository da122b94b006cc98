/**
 * What `dataframes` and `dask-dataframes` share so that their runs compare like two runs of one
 * workload: the parameter (dask-bench's PROBLEM_SIZE_DATAFRAMES), the default mode, the weak rule
 * and the size.
 *
 * @module
 */
import { int } from "../../core/params.ts";
import type { ScalePoint } from "../../core/types.ts";

/** Parameters of `dataframes` and `dask-dataframes`. */
export type FrameParams = { rows: number };

/** Spread into the definition: `defineWorkload({ name, summary, ...FRAME_SWEEP, … })`. */
export const FRAME_SWEEP = {
  params: {
    rows: int({
      default: 3000,
      min: 43,
      max: 100_000_000,
      unit: "rows",
      help: "Rows of the frame (dask-bench's PROBLEM_SIZE_DATAFRAMES; weak: rows · cores)",
    }),
  },
  mode: "weak",
  weak: (p: FrameParams, point: ScalePoint): FrameParams => ({ rows: p.rows * point.cores }),
  size: (p: FrameParams): number => p.rows,
  sizeUnit: "rows",
} as const;
