/**
 * The local provider (the default): starts a batch's ranks as processes on this machine, streams
 * their output into logs/, kills every rank when one fails or the batch is cancelled, and can pin
 * each rank to its own cores with `taskset`. Ranks exit by themselves if the driver dies (their
 * stdin closes), so a killed driver leaves no orphans.
 *
 * @module
 */
import { ValidationError } from "../core/errors.ts";
import { lineQueue, makeRankSpec, tailFile } from "./spec.ts";
import type {
  Collected,
  Emitted,
  JobHandle,
  JobState,
  Provider,
  ProviderContext,
} from "./types.ts";
import type { Batch } from "../core/types.ts";

interface LocalHandle extends JobHandle {
  children: Deno.ChildProcess[];
  status: (Deno.CommandStatus | null)[];
  exited: Promise<void>;
  drained: Promise<void>;
  lines: AsyncIterable<string>;
  cancelled: string | null;
  logs: { out: string; err: string }[];
}

const live = new Map<string, Set<LocalHandle>>();

/** Copy a stream to a file; with `onLine`, also hand over each complete line. */
async function pump(
  stream: ReadableStream<Uint8Array>,
  path: string,
  onLine?: (line: string) => void,
) {
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

function cpuList(rank: number, threads: number): string {
  const n = navigator.hardwareConcurrency || 1;
  const cpus = Array.from({ length: threads }, (_, t) => (rank * threads + t) % n);
  return [...new Set(cpus)].join(",");
}

async function hasTaskset(): Promise<boolean> {
  try {
    const out = await new Deno.Command("taskset", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

/** The local provider. */
export const localProvider: Provider<LocalHandle> = {
  name: "local",
  summary: "Rank processes on this machine",
  settings: [
    {
      key: "pin",
      flag: "--pin",
      env: ["SCALEBENCH_PIN"],
      type: "bool",
      default: false,
      help: "Pin each local rank to its own cores with taskset",
    },
  ],

  async validate(ctx) {
    if (ctx.settings.pin && !(await hasTaskset())) {
      throw new ValidationError("Flag --pin needs taskset (util-linux), which is not on PATH");
    }
  },

  emit(batch: Batch, ctx: ProviderContext): Promise<Emitted> {
    const spec = makeRankSpec(batch, ctx, {
      host: "127.0.0.1",
      port: 0,
      file: `${ctx.logsDir}/${batch.id}.rdv`,
    });
    const command = ctx.settings.pin
      ? ["taskset", "-c", "<cpus>", ...ctx.rankCommand]
      : ctx.rankCommand;
    return Promise.resolve({
      files: { [`${batch.id}.spec.json`]: JSON.stringify(spec, null, 2) + "\n" },
      dryRun: { command, ranks: batch.point.ranks, threads: batch.point.threads },
    });
  },

  async submit(batch, _emitted, ctx) {
    try {
      await Deno.remove(`${ctx.logsDir}/${batch.id}.rdv`);
    } catch { /* none yet */ }
    const queue = lineQueue();
    const children: Deno.ChildProcess[] = [];
    const drains: Promise<void>[] = [];
    const logs: { out: string; err: string }[] = [];
    for (let rank = 0; rank < batch.point.ranks; rank++) {
      const argv = ctx.settings.pin
        ? ["taskset", "-c", cpuList(rank, batch.point.threads), ...ctx.rankCommand]
        : ctx.rankCommand;
      const child = new Deno.Command(argv[0], {
        args: argv.slice(1),
        env: {
          SCALEBENCH_RANK: String(rank),
          SCALEBENCH_SPEC_FILE: `${ctx.logsDir}/${batch.id}.spec.json`,
          SCALEBENCH_TOKEN: ctx.token,
          SCALEBENCH_WATCH_STDIN: "1",
        },
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      children.push(child);
      const log = {
        out: `${ctx.logsDir}/${batch.id}.rank${rank}.out`,
        err: `${ctx.logsDir}/${batch.id}.rank${rank}.err`,
      };
      logs.push(log);
      drains.push(pump(child.stdout, log.out, rank === 0 ? (l) => queue.push(l) : undefined));
      drains.push(pump(child.stderr, log.err));
    }
    const drained = Promise.all(drains).then(() => queue.end(), () => queue.end());
    const handle: LocalHandle = {
      batch,
      jobId: String(children[0].pid),
      children,
      status: children.map(() => null),
      exited: Promise.resolve(),
      drained,
      lines: queue,
      cancelled: null,
      logs,
    };
    handle.exited = Promise.all(children.map(async (c, i) => {
      handle.status[i] = await c.status;
    })).then(() => {});
    // one rank failing ends the batch: stop the others at once
    children.forEach((c, i) =>
      c.status.then((s) => {
        if (!s.success) {
          for (const other of children) if (other !== children[i]) kill(other, "SIGTERM");
        }
      })
    );
    if (!live.has(ctx.runId)) live.set(ctx.runId, new Set());
    live.get(ctx.runId)!.add(handle);
    handle.exited.then(() => live.get(ctx.runId)?.delete(handle));
    return handle;
  },

  poll(handle): Promise<JobState> {
    const nodes = [Deno.hostname()];
    if (handle.cancelled) {
      return Promise.resolve({ state: "cancelled", reason: handle.cancelled, nodes });
    }
    const bad = handle.status.findIndex((s) => s !== null && !s.success);
    if (bad >= 0) {
      const s = handle.status[bad]!;
      const how = s.signal ? `was killed by ${s.signal}` : `exited with code ${s.code}`;
      return Promise.resolve({ state: "failed", reason: `Rank ${bad} ${how}`, nodes });
    }
    if (handle.status.every((s) => s !== null)) {
      return Promise.resolve({ state: "succeeded", nodes });
    }
    return Promise.resolve({ state: "running", nodes });
  },

  lines(handle) {
    return handle.lines;
  },

  async collect(handle): Promise<Collected> {
    await handle.exited;
    await handle.drained;
    const failed = handle.status.map((s, i) => (s && !s.success ? i : -1)).filter((i) => i >= 0);
    const tails = [];
    for (const i of failed) {
      const tail = await tailFile(handle.logs[i].err);
      if (tail) tails.push(`rank ${i}: ${tail}`);
    }
    return {
      stderrTail: tails.join("\n") || undefined,
      nodes: [Deno.hostname()],
      exitCodes: handle.status.map((s) => s?.code ?? null),
    };
  },

  async cancel(handle, reason) {
    handle.cancelled ??= reason;
    for (const c of handle.children) kill(c, "SIGTERM");
    const timer = setTimeout(() => handle.children.forEach((c) => kill(c, "SIGKILL")), 2000);
    await handle.exited;
    clearTimeout(timer);
  },

  async cleanup(ctx) {
    const handles = [...(live.get(ctx.runId) ?? [])];
    await Promise.all(handles.map((h) => this.cancel(h, "Cleanup")));
    live.delete(ctx.runId);
  },
};

function kill(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    child.kill(signal);
  } catch { /* already exited */ }
}
