/**
 * What bench/rendezvous_bench.ts's ranks do, the same on every rank: for each collective, some
 * untimed calls, then `iters` timed ones, each result checked exactly (values in rank order; the
 * allreduce's sums are integers, so exact whatever the order).
 *
 * @module
 */
import type { Collectives } from "../core/rendezvous.ts";

/** The collectives the bench times. */
export const OPS = ["barrier", "allgather", "allreduce"] as const;
/** One of them. */
export type Op = typeof OPS[number];

/** Calls per collective: untimed first, then timed. */
export interface Plan {
  warmup: number;
  iters: number;
}

/** One collective call `i` on `m`; resolves to its result. */
function call(m: Collectives, op: Op, i: number): Promise<unknown> {
  if (op === "barrier") return m.barrier();
  if (op === "allgather") return m.allgather(m.rank * 1000 + i);
  return m.allreduce([m.rank, i, 1]);
}

/** Why call `i` of `op` on a group of `size` got a wrong result, or null. */
export function checkResult(op: Op, i: number, size: number, result: unknown): string | null {
  if (op === "allgather") {
    const v = result as number[];
    const ok = v.length === size && v.every((x, r) => x === r * 1000 + i);
    return ok ? null : `allgather ${i}: got ${JSON.stringify(v).slice(0, 200)}`;
  }
  if (op === "allreduce") {
    const v = [...(result as Float64Array)];
    const want = [(size * (size - 1)) / 2, i * size, size];
    return v.every((x, j) => x === want[j]) && v.length === 3
      ? null
      : `allreduce ${i}: got [${v}], wanted [${want}]`;
  }
  return null;
}

/** Per collective: wall time and (when `cpu` is given) CPU time of the timed calls, in µs. */
export type Timings = Record<Op, { wall: number; cpu: number }>;

/**
 * Run the plan; resolves to the first wrong result (or null). `time`, on rank 0, is called with
 * each collective's totals over its timed calls.
 */
export async function runPlan(
  m: Collectives,
  plan: Plan,
  options: {
    check: typeof checkResult;
    cpu?: () => number;
    time?: (op: Op, t: { wall: number; cpu: number }) => void;
  },
): Promise<string | null> {
  let wrong: string | null = null;
  for (const op of OPS) {
    for (let i = 0; i < plan.warmup; i++) await call(m, op, i);
    await m.barrier();
    const [t0, c0] = [performance.now(), options.cpu?.() ?? 0];
    for (let i = 0; i < plan.iters; i++) {
      const result = await call(m, op, i);
      wrong ??= options.check(op, i, m.size, result);
    }
    options.time?.(op, {
      wall: (performance.now() - t0) * 1000,
      cpu: (options.cpu?.() ?? 0) - c0,
    });
  }
  await m.barrier();
  return wrong;
}
