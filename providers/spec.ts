/**
 * What every provider hands its rank processes: the {@linkcode RankSpec} of a batch.
 *
 * @module
 */
import type { RankSpec } from "../core/protocol.ts";
import type { Batch } from "../core/types.ts";
import type { ProviderContext } from "./types.ts";

/** The rank spec of `batch`; `rendezvous` says how the ranks find rank 0. */
export function makeRankSpec(
  batch: Batch,
  ctx: ProviderContext,
  rendezvous: { host: string; port: number; bind?: string; file?: string },
): RankSpec {
  return {
    run_id: ctx.runId,
    batch: batch.id,
    workload: ctx.plan.workload_ref,
    mode: ctx.plan.mode,
    point: batch.point,
    tasks: batch.tasks,
    seed: ctx.seed,
    monitor_interval: ctx.monitorInterval,
    rendezvous: { ...rendezvous, timeout: ctx.rendezvousTimeout },
  };
}

/** The last `lines` lines of a text file, or "" when it cannot be read. */
export async function tailFile(path: string, lines = 15): Promise<string> {
  try {
    const text = await Deno.readTextFile(path);
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/** Lines pushed by a producer, read as an async iterable that ends after `end()`. */
export interface LineQueue extends AsyncIterable<string> {
  push(line: string): void;
  end(): void;
}

/** A push-driven queue of lines (a rank's output as it arrives). */
export function lineQueue(): LineQueue {
  const items: string[] = [];
  let wake: (() => void) | null = null;
  let ended = false;
  return {
    push(line: string) {
      items.push(line);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
    async *[Symbol.asyncIterator](): AsyncGenerator<string> {
      while (true) {
        if (items.length) yield items.shift()!;
        else if (ended) return;
        else await new Promise<void>((r) => (wake = r));
        wake = null;
      }
    },
  };
}
