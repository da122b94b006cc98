/**
 * The Slurm provider. Each point is a batch job (`sbatch --parsable`) whose `srun` starts the
 * ranks, like dask-bench's jobqueue cluster: ceil(cores / cores-per-node) nodes, exclusive by
 * default, account, partition, QOS, time limit and memory per node. Inside an allocation
 * (`--within-allocation`, SLURM_JOB_ID set) each point is an `srun` step on part of it instead, with
 * no queue wait between points. State comes from squeue/scontrol; rank 0's output file is tailed for
 * records; Ctrl-C cancels every job of the run.
 *
 * @module
 */
import { ValidationError } from "../../core/errors.ts";
import { ranksPerNode } from "../../core/planner.ts";
import type { Batch } from "../../core/types.ts";
import { makeRankSpec, tailFile } from "../spec.ts";
import type {
  Collected,
  Emitted,
  JobHandle,
  JobState,
  Provider,
  ProviderContext,
} from "../types.ts";
import {
  hostnames,
  jobsNamed,
  jobState,
  parseSbatch,
  slurm,
  slurmUnreachable,
} from "./commands.ts";
import { batchScript, jobName, shq } from "./script.ts";
import { SLURM_SETTINGS } from "./settings.ts";

interface SlurmHandle extends JobHandle {
  outDir: string;
  logsDir: string;
  /** a step inside an allocation: the srun process */
  step: Deno.ChildProcess | null;
  stepStatus: Deno.CommandStatus | null;
  ended: boolean;
  nodes: string[];
  cancelled: string | null;
}

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
const steps = new Map<string, Set<SlurmHandle>>();

function outDirOf(ctx: ProviderContext): string {
  const dir = ctx.settings.outDir ? String(ctx.settings.outDir) : ctx.logsDir;
  return new URL(dir, `file://${Deno.cwd()}/`).pathname.replace(/\/$/, "");
}

function files(batch: Batch, ctx: ProviderContext) {
  return {
    spec: `${ctx.logsDir}/${batch.id}.spec.json`,
    token: `${ctx.runDir}/.token`,
    rdv: `${ctx.logsDir}/${batch.id}.rdv`,
  };
}

/** srun's arguments for a step of `batch` inside allocation `allocation`. */
export function stepArgs(batch: Batch, ctx: ProviderContext, allocation: string): string[] {
  const p = batch.point;
  const out = outDirOf(ctx);
  return [
    `--jobid=${allocation}`,
    `--job-name=${jobName(ctx.runId, batch.id)}`,
    "--exact",
    "--kill-on-bad-exit=1",
    `--nodes=${p.nodes}`,
    `--ntasks=${p.ranks}`,
    `--ntasks-per-node=${Math.max(...ranksPerNode(p))}`,
    `--cpus-per-task=${p.threads}`,
    `--output=${out}/${batch.id}.rank%t.out`,
    `--error=${out}/${batch.id}.rank%t.err`,
    ...ctx.rankCommand,
  ];
}

async function ensureToken(path: string, token: string): Promise<void> {
  try {
    if ((await Deno.readTextFile(path)).trim() === token) return;
  } catch { /* not yet */ }
  await Deno.writeTextFile(path, token + "\n", { mode: 0o600 });
  await Deno.chmod(path, 0o600);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Lines appended to a file, until `done()` is true and the file is drained. */
async function* tail(path: string, done: () => boolean): AsyncGenerator<string> {
  let pos = 0, rest = "";
  const decoder = new TextDecoder();
  while (true) {
    const finished = done();
    try {
      using f = await Deno.open(path, { read: true });
      await f.seek(pos, Deno.SeekMode.Start);
      const buf = new Uint8Array(1 << 16);
      for (let n = await f.read(buf); n !== null; n = await f.read(buf)) {
        pos += n;
        const parts = (rest + decoder.decode(buf.subarray(0, n), { stream: true })).split("\n");
        rest = parts.pop()!;
        yield* parts;
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    if (finished) {
      if (rest) yield rest;
      return;
    }
    await sleep(50);
  }
}

/** The Slurm provider. */
export const slurmProvider: Provider<SlurmHandle> = {
  name: "slurm",
  summary: "A batch job per point on a Slurm cluster (or srun steps inside an allocation)",
  settings: SLURM_SETTINGS,

  async validate(ctx) {
    const why = await slurmUnreachable();
    if (why) throw new ValidationError(`Provider 'slurm' cannot reach Slurm here: ${why}`);
    if (ctx.settings.withinAllocation && !ctx.settings.allocation) {
      throw new ValidationError(
        "Flag --within-allocation needs an allocation: run inside salloc or sbatch (SLURM_JOB_ID), or give --allocation",
      );
    }
    const source = ctx.settings.envToSource;
    if (source) {
      try {
        await Deno.stat(String(source));
      } catch {
        throw new ValidationError(
          `ENV_TO_SOURCE file '${source}' (--env-to-source) does not exist`,
        );
      }
    }
    if (ctx.settings.outDir) await Deno.mkdir(outDirOf(ctx), { recursive: true });
  },

  emit(batch, ctx): Promise<Emitted> {
    const f = files(batch, ctx);
    const spec = makeRankSpec(batch, ctx, { host: "", port: 0, file: f.rdv });
    const specText = JSON.stringify(spec, null, 2) + "\n";
    if (ctx.settings.withinAllocation) {
      const argv = [
        "srun",
        ...stepArgs(batch, ctx, String(ctx.settings.allocation ?? "$SLURM_JOB_ID")),
      ];
      return Promise.resolve({
        files: {
          [`${batch.id}.spec.json`]: specText,
          [`${batch.id}.srun`]: argv.map(shq).join(" ") + "\n",
        },
        dryRun: { command: argv },
      });
    }
    const script = batchScript(batch, ctx.settings, {
      runId: ctx.runId,
      specFile: f.spec,
      tokenFile: f.token,
      outDir: outDirOf(ctx),
      rendezvousFile: f.rdv,
      rankCommand: ctx.rankCommand,
    });
    return Promise.resolve({
      files: { [`${batch.id}.spec.json`]: specText, [`${batch.id}.sbatch`]: script },
      dryRun: { script },
    });
  },

  async submit(batch, _emitted, ctx) {
    const f = files(batch, ctx);
    await ensureToken(f.token, ctx.token);
    const base = {
      batch,
      outDir: outDirOf(ctx),
      logsDir: ctx.logsDir,
      ended: false,
      nodes: [],
      cancelled: null,
      stepStatus: null,
    };
    if (ctx.settings.withinAllocation) {
      await Deno.remove(f.rdv).catch(() => {});
      const env: Record<string, string> = {
        SCALEBENCH_SPEC_FILE: f.spec,
        SCALEBENCH_TOKEN_FILE: f.token,
      };
      if (ctx.settings.netInterface) {
        env.SCALEBENCH_RDV_INTERFACE = String(ctx.settings.netInterface);
      }
      const log = await Deno.open(`${ctx.logsDir}/${batch.id}.srun.log`, {
        write: true,
        create: true,
        truncate: true,
      });
      const step = new Deno.Command("srun", {
        args: stepArgs(batch, ctx, String(ctx.settings.allocation)),
        env,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const handle: SlurmHandle = {
        ...base,
        jobId: `${ctx.settings.allocation}:${batch.id}`,
        step,
      };
      Promise.all([
        step.stdout.pipeTo(log.writable, { preventClose: true }),
        step.stderr.pipeTo(log.writable),
      ])
        .catch(() => {});
      step.status.then((s) => (handle.stepStatus = s));
      if (!steps.has(ctx.runId)) steps.set(ctx.runId, new Set());
      steps.get(ctx.runId)!.add(handle);
      return handle;
    }
    const out = await slurm("sbatch", ["--parsable", `${ctx.logsDir}/${batch.id}.sbatch`]);
    const id = out.code === 0 ? parseSbatch(out.stdout) : null;
    if (!id) {
      throw new Error(
        `sbatch: ${(out.stderr || out.stdout).trim().split("\n").pop() ?? `exit ${out.code}`}`,
      );
    }
    return { ...base, jobId: id, step: null };
  },

  async poll(handle): Promise<JobState> {
    let state: JobState;
    if (handle.step) {
      const s = handle.stepStatus;
      state = handle.cancelled
        ? { state: "cancelled", reason: handle.cancelled }
        : !s
        ? { state: "running" }
        : s.success
        ? { state: "succeeded" }
        : {
          state: "failed",
          reason: `srun exited with code ${s.code}${s.signal ? ` (${s.signal})` : ""}`,
        };
    } else {
      const js = await jobState(handle.jobId);
      if (js.nodelist && !handle.nodes.length && js.state !== "pending") {
        handle.nodes = await hostnames(js.nodelist);
      }
      state = handle.cancelled && !TERMINAL.has(js.state)
        ? { state: "running", reason: "Cancelling" }
        : js;
      delete (state as { nodelist?: string }).nodelist;
    }
    if (TERMINAL.has(state.state)) handle.ended = true;
    return { ...state, nodes: handle.nodes.length ? handle.nodes : undefined };
  },

  lines(handle) {
    return tail(`${handle.outDir}/${handle.batch.id}.rank0.out`, () => handle.ended);
  },

  async collect(handle): Promise<Collected> {
    const tails: string[] = [];
    for (let r = 0; r < handle.batch.point.ranks; r++) {
      const t = await tailFile(`${handle.outDir}/${handle.batch.id}.rank${r}.err`, 10);
      if (t) tails.push(`rank ${r}: ${t}`);
    }
    const job = handle.step
      ? `${handle.logsDir}/${handle.batch.id}.srun.log`
      : `${handle.outDir}/${handle.batch.id}.job${handle.jobId}.err`;
    const jt = await tailFile(job, 5);
    if (jt) tails.push(jt);
    return {
      stderrTail: tails.join("\n") || undefined,
      nodes: handle.nodes.length ? handle.nodes : undefined,
    };
  },

  async cancel(handle, reason) {
    handle.cancelled ??= reason;
    if (handle.step) {
      try {
        handle.step.kill("SIGTERM");
      } catch { /* exited */ }
      const t = setTimeout(() => {
        try {
          handle.step?.kill("SIGKILL");
        } catch { /* exited */ }
      }, 2000);
      await handle.step.status;
      clearTimeout(t);
    } else {
      await slurm("scancel", [handle.jobId]);
      for (let i = 0; i < 50; i++) {
        const s = await jobState(handle.jobId);
        if (TERMINAL.has(s.state)) break;
        await sleep(100);
      }
    }
    handle.ended = true;
  },

  async cleanup(ctx) {
    for (const h of steps.get(ctx.runId) ?? []) await this.cancel(h, "Cleanup");
    steps.delete(ctx.runId);
    const ids = await jobsNamed(jobName(ctx.runId, ""));
    if (ids.length) await slurm("scancel", ids);
  },
};
