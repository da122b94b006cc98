/**
 * Helpers every provider uses: the {@linkcode RankSpec} of a batch, the environment a rank process
 * is started with, a push-driven line queue for rank 0's output, and the tail of a log file.
 * Plugins get them through {@linkcode providerApi} (core/provider_api.ts).
 *
 * @module
 */
import type { RankSpec } from "./protocol.ts";
import type { ProviderContext } from "./provider.ts";
import type { Batch } from "./types.ts";
import { rankTlsEnv } from "./tls.ts";

/** The rank spec of `batch`; `rendezvous` says how the ranks find rank 0. */
export function makeRankSpec(
  batch: Batch,
  ctx: ProviderContext<unknown>,
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
    rendezvous: {
      ...rendezvous,
      timeout: ctx.rendezvousTimeout,
      ...(ctx.tls ? { tls: true } : {}),
    },
    ...(ctx.plan.exec ? { exec: ctx.plan.exec } : {}),
  };
}

/**
 * The environment of one rank process (see cli/rank.ts for every variable): its rank, the spec
 * file the driver saved under logs/ (`<batch>.spec.json`, from `emit`'s files), the token, and
 * with `--tls` the run's TLS directory and server name (`SCALEBENCH_TLS_DIR`, `_SERVER_NAME`).
 */
export function rankEnvironment(
  batch: Batch,
  ctx: ProviderContext<unknown>,
  options: { rank: number; specFile?: string; tokenFile?: string; watchStdin?: boolean },
): Record<string, string> {
  const env: Record<string, string> = {
    SCALEBENCH_RANK: String(options.rank),
    SCALEBENCH_SPEC_FILE: options.specFile ?? `${ctx.logsDir}/${batch.id}.spec.json`,
  };
  if (options.tokenFile) env.SCALEBENCH_TOKEN_FILE = options.tokenFile;
  else env.SCALEBENCH_TOKEN = ctx.token;
  if (options.watchStdin) env.SCALEBENCH_WATCH_STDIN = "1";
  if (ctx.tls) Object.assign(env, rankTlsEnv(ctx.tls));
  return env;
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

/** Copy a byte stream to a file; with `onLine`, also hand over each complete line. */
export async function pumpToFile(
  stream: ReadableStream<Uint8Array>,
  path: string,
  onLine?: (line: string) => void,
): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const decoder = new TextDecoder();
  let rest = "";
  try {
    for await (const chunk of stream) {
      let off = 0;
      while (off < chunk.length) off += await file.write(chunk.subarray(off));
      if (onLine) {
        const text = rest + decoder.decode(chunk, { stream: true });
        const parts = text.split("\n");
        rest = parts.pop()!;
        for (const p of parts) onLine(p);
      }
    }
    if (onLine && rest) onLine(rest);
  } finally {
    file.close();
  }
}
