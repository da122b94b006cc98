/**
 * What `arrays` and `dask-arrays` share so that their runs compare like two runs of one workload:
 * the parameter (dask-bench's PROBLEM_SIZE_ARRAY), the default mode, the weak rule and the size.
 *
 * @module
 */
import { int } from "../../core/params.ts";
import type { ScalePoint } from "../../core/types.ts";

/** Parameters of `arrays` and `dask-arrays`. */
export type ArrayParams = { size: number };

/** Spread into the definition: `defineWorkload({ name, summary, ...ARRAY_SWEEP, … })`. */
export const ARRAY_SWEEP = {
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
  weak: (p: ArrayParams, point: ScalePoint): ArrayParams => ({
    size: Math.floor(p.size * Math.sqrt(point.cores)),
  }),
  size: (p: ArrayParams): number => p.size * p.size,
  sizeUnit: "elements",
} as const;
