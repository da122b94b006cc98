/**
 * Test helper: real rank contexts (in-memory collectives with the rendezvous' semantics, real
 * thread pools) for calling a workload's prepare, operations and checks directly — e.g. to show
 * that a check fails on a corrupted result.
 *
 * @module
 */
import { ThreadPool } from "../../core/parallel.ts";
import { checkOutcome, makeContext } from "../../core/rank.ts";
import { createLocalGroup } from "../../core/local_group.ts";
import type { RankSpec } from "../../core/protocol.ts";
import type { ParamValues } from "../../core/types.ts";
import type { RankContext, WorkloadDefinition } from "../../core/workload.ts";
import { builtinWorkloads, loadWorkload } from "../mod.ts";

/** One rank of a test group. */
export interface TestRank {
  ctx: RankContext;
  state: unknown;
}

/**
 * Prepare workload `ref` on `ranks` in-process ranks of `threads` threads (strong mode: `params`
 * as given), run `body` with them, then close the thread pools.
 */
export async function withRanks<T>(
  ref: string,
  options: { ranks: number; threads?: number; params: ParamValues; seed?: number },
  body: (ranks: TestRank[], def: WorkloadDefinition) => Promise<T>,
): Promise<T> {
  const def = (await loadWorkload(ref)).definition;
  const threads = options.threads ?? 1;
  const params = { ...options.params };
  const spec: RankSpec = {
    run_id: "test",
    batch: "test",
    workload: ref,
    mode: "strong",
    point: {
      index: 0,
      cores: options.ranks * threads,
      nodes: 1,
      ranks: options.ranks,
      threads,
      params,
      size: def.size?.(params as never, {
        cores: options.ranks * threads,
        nodes: 1,
        ranks: options.ranks,
        threads,
      }) ?? 0,
    },
    tasks: [],
    seed: options.seed ?? 7,
    monitor_interval: 0,
    rendezvous: { host: "", port: 0, timeout: 10 },
  };
  const group = createLocalGroup(options.ranks);
  const pools = await Promise.all(
    group.map((_, rank) =>
      ThreadPool.create(ref, {
        threads,
        rank,
        ranks: options.ranks,
        kernels: def.kernels ?? {},
        entry: builtinWorkloads.threadEntry(),
      })
    ),
  );
  try {
    const ranks = await Promise.all(group.map(async (coll, rank) => {
      const ctx = makeContext({
        spec,
        rank,
        coll,
        pool: pools[rank],
        log: () => {},
        scratchDir: () => Deno.makeTempDirSync(),
      });
      return { ctx, state: await def.prepare?.(ctx as never) };
    }));
    return await body(ranks, def);
  } finally {
    for (const p of pools) p.close();
    await Promise.all(group.map((c) => c.close().catch(() => {})));
  }
}

/**
 * Run operation `op` on every rank, let `corrupt` change some ranks' results, run the check on
 * every rank; resolves to each rank's outcome.
 */
export async function runChecked(
  ranks: TestRank[],
  def: WorkloadDefinition,
  o: { op: string; corrupt?: (result: unknown, rank: number) => unknown },
): Promise<{ ok: boolean; error: string | null }[]> {
  const op = def.operations[o.op];
  const results = await Promise.all(ranks.map((r) => op.run(r.ctx as never, r.state)));
  const used = results.map((res, rank) => (o.corrupt ? o.corrupt(res, rank) ?? res : res));
  const outcomes = await Promise.all(
    ranks.map((r, rank) => op.check!(r.ctx as never, r.state, used[rank])),
  );
  return outcomes.map(checkOutcome);
}
