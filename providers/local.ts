/**
 * The local provider (the default): starts a batch's ranks as processes on this machine, streams
 * their output into logs/, kills every rank when one fails or the batch is cancelled, and can pin
 * each rank to its own cores with `taskset`. Ranks exit by themselves if the driver dies (their
 * stdin closes), so a killed driver leaves no orphans; `close()` stops whatever the run still has.
 *
 * @module
 */
import { ValidationError } from "../core/errors.ts";
import {
  type Collected,
  defineProvider,
  type Emitted,
  type JobHandle,
  type JobState,
  type ProviderContext,
  type ProviderSession,
} from "../core/provider.ts";
import {
  lineQueue,
  makeRankSpec,
  pumpToFile,
  rankEnvironment,
  tailFile,
} from "../core/provider_util.ts";
import { defineSettings, type SettingsOf } from "../core/settings.ts";
import type { Batch, PlannedPoint } from "../core/types.ts";

/** The local provider's settings. */
export const LOCAL_SETTINGS = defineSettings({
  pin: {
    flag: "--pin",
    env: ["SCALEBENCH_PIN"],
    type: "bool",
    default: false,
    help: "Pin each local rank to its own cores with taskset",
  },
});

type Ctx = ProviderContext<SettingsOf<typeof LOCAL_SETTINGS>>;

interface LocalHandle extends JobHandle {
  children: Deno.ChildProcess[];
  status: (Deno.CommandStatus | null)[];
  exited: Promise<void>;
  drained: Promise<void>;
  lines: AsyncIterable<string>;
  cancelled: string | null;
  logs: { out: string; err: string }[];
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

/**
 * One line naming the points whose cores exceed this machine's logical CPUs (their ranks and
 * threads share CPUs, so their times measure contention), or null.
 */
export function oversubscription(points: PlannedPoint[], cpus: number): string | null {
  const over = points.filter((p) => p.cores > cpus).map((p) => p.cores);
  if (!over.length) return null;
  const list = over.length > 6
    ? `${over.slice(0, 3).join(", ")}, …, ${over[over.length - 1]} cores (${over.length} points)`
    : `${over.join(", ")} cores`;
  return `Warning: ${over.length === 1 ? "point" : "points"} with ${list} ${
    over.length === 1 ? "exceeds" : "exceed"
  } this machine's ${cpus} logical CPUs: their ranks and threads share CPUs (oversubscribed)`;
}

function kill(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    child.kill(signal);
  } catch { /* already exited */ }
}

/** A run's local session: every job it started, until each has exited. */
class LocalSession implements ProviderSession<LocalHandle> {
  #ctx: Ctx;
  #live = new Set<LocalHandle>();

  constructor(ctx: Ctx) {
    this.#ctx = ctx;
  }

  emit(batch: Batch): Promise<Emitted> {
    const ctx = this.#ctx;
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
  }

  async submit(batch: Batch): Promise<LocalHandle> {
    const ctx = this.#ctx;
    await Deno.remove(`${ctx.logsDir}/${batch.id}.rdv`).catch(() => {});
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
        env: rankEnvironment(batch, ctx, { rank, watchStdin: true }),
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
      drains.push(pumpToFile(child.stdout, log.out, rank === 0 ? (l) => queue.push(l) : undefined));
      drains.push(pumpToFile(child.stderr, log.err));
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
    this.#live.add(handle);
    handle.exited.then(() => this.#live.delete(handle));
    return handle;
  }

  poll(handle: LocalHandle): Promise<JobState> {
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
  }

  lines(handle: LocalHandle): AsyncIterable<string> {
    return handle.lines;
  }

  async collect(handle: LocalHandle): Promise<Collected> {
    await handle.exited;
    await handle.drained;
    const tails = [];
    for (const [i, s] of handle.status.entries()) {
      if (!s || s.success) continue;
      const tail = await tailFile(handle.logs[i].err);
      if (tail) tails.push(`rank ${i}: ${tail}`);
    }
    return { stderrTail: tails.join("\n") || undefined, nodes: [Deno.hostname()] };
  }

  async cancel(handle: LocalHandle, reason: string): Promise<void> {
    handle.cancelled ??= reason;
    for (const c of handle.children) kill(c, "SIGTERM");
    const timer = setTimeout(() => handle.children.forEach((c) => kill(c, "SIGKILL")), 2000);
    await handle.exited;
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#live].map((h) => this.cancel(h, "Cleanup")));
  }
}

/** The local provider. */
export const localProvider = defineProvider({
  name: "local",
  summary: "Rank processes on this machine",
  settings: LOCAL_SETTINGS,
  async open(ctx) {
    if (!ctx.dryRun && ctx.settings.pin && !(await hasTaskset())) {
      throw new ValidationError("Flag --pin needs taskset (util-linux), which is not on PATH");
    }
    const warning = oversubscription(ctx.plan.points, navigator.hardwareConcurrency || 1);
    if (warning) ctx.log(warning);
    return new LocalSession(ctx);
  },
});
