/**
 * The sweep driver: runs batches through a provider one after another. For each batch it saves
 * what the provider would submit, submits it, streams rank 0's records into the results store
 * (every observation flushed as it arrives), polls the job, enforces the timeouts, and records a
 * failed observation for every task the batch did not deliver. Ctrl-C cancels the running job.
 *
 * @module
 */
import { quote } from "./errors.ts";
import { decodeRecord, type RankRecord, RecordError, type TaskRecord } from "./protocol.ts";
import type { JobHandle, JobState, ProviderContext, ProviderSession } from "./provider.ts";
import { observationKey, type RunStore } from "./results.ts";
import {
  expectedKey,
  expectedObservations,
  failedTasks,
  learnOp,
  withLearnedOps,
} from "./exec_sweep.ts";
import type { Batch, JobRecord, Observation, Plan } from "./types.ts";
import type { WorkloadDefinition } from "./workload.ts";

/** Progress events for a progress bar or log lines. */
export type SweepEvent =
  | { type: "batch-start"; batch: Batch; index: number; total: number; observations: number }
  | { type: "state"; batch: Batch; state: JobState }
  | { type: "ready"; batch: Batch; hosts: string[] }
  | { type: "observation"; batch: Batch; observation: Observation }
  | { type: "batch-end"; batch: Batch; failed: number; reason: string | null };

/** What executeSweep needs. */
export interface ExecuteOptions {
  /** The run's provider session (the caller opens and closes it) */
  session: ProviderSession;
  ctx: ProviderContext;
  store: RunStore;
  definition: WorkloadDefinition;
  batches: Batch[];
  pollInterval: number;
  signal?: AbortSignal;
  onEvent?(event: SweepEvent): void;
}

/** How a sweep ended. */
export interface SweepOutcome {
  recorded: number;
  failed: number;
  interrupted: boolean;
  /** The workload rejected its input at run time (exit 2): the message */
  validationError: string | null;
}

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

function now(): string {
  return new Date().toISOString();
}

/** Fill a rank 0 record into a full observation. */
export function completeObservation(rec: TaskRecord, batch: Batch, plan: Plan): Observation {
  const p = batch.point;
  return {
    workload: plan.workload,
    op: rec.op,
    mode: plan.mode,
    cores: p.cores,
    nodes: p.nodes,
    ranks: p.ranks,
    threads: p.threads,
    rep: rec.rep,
    warmup: rec.warmup,
    seconds: rec.seconds,
    rank_seconds: rec.rank_seconds,
    ok: rec.ok,
    error: rec.error,
    unit: rec.unit,
    rate: rec.rate,
    peak_rss_bytes: rec.peak_rss_bytes,
    size: p.size,
    batch: batch.id,
    t_start: rec.t_start,
    t_end: rec.t_end,
    rank_peak_rss_bytes: rec.rank_peak_rss_bytes,
  };
}

/** A failed observation for a task that did not run to the end. */
export function failedObservation(
  task: Batch["tasks"][number],
  batch: Batch,
  options: { plan: Plan; definition: WorkloadDefinition; error: string },
): Observation {
  const metric = options.definition.operations[task.op]?.metric;
  return completeObservation(
    {
      op: task.op,
      rep: task.rep,
      warmup: task.warmup,
      seconds: null,
      rank_seconds: [],
      ok: false,
      error: options.error,
      unit: metric ? `${metric.unit}/s` : null,
      rate: null,
      peak_rss_bytes: null,
      rank_peak_rss_bytes: [],
      t_start: null,
      t_end: null,
    },
    batch,
    options.plan,
  );
}

/** Run the batches in order. Every observation is in the store when this resolves. */
export async function executeSweep(options: ExecuteOptions): Promise<SweepOutcome> {
  const outcome: SweepOutcome = {
    recorded: 0,
    failed: 0,
    interrupted: false,
    validationError: null,
  };
  for (let i = 0; i < options.batches.length; i++) {
    if (options.signal?.aborted) {
      outcome.interrupted = true;
      break;
    }
    // a program's operations, once learned, are every later batch's (core/exec_sweep.ts)
    const batch = withLearnedOps(options.batches[i], options.ctx.plan);
    options.onEvent?.({
      type: "batch-start",
      batch,
      index: i,
      total: options.batches.length,
      observations: expectedObservations(options.batches, options.ctx.plan),
    });
    const r = await runBatch(batch, options);
    outcome.recorded += r.recorded;
    outcome.failed += r.failed;
    options.onEvent?.({ type: "batch-end", batch, failed: r.failed, reason: r.reason });
    if (r.interrupted) {
      outcome.interrupted = true;
      break;
    }
    if (r.validation) {
      outcome.validationError = r.reason;
      break;
    }
  }
  return outcome;
}

interface BatchResult {
  recorded: number;
  failed: number;
  interrupted: boolean;
  validation: boolean;
  reason: string | null;
}

async function saveFiles(dir: string, files: Record<string, string>): Promise<string[]> {
  const names: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    if (!/^[\w.-]+$/.test(name)) {
      throw new Error(`Provider file name '${name}' is not a plain file name`);
    }
    await Deno.writeTextFile(`${dir}/${name}`, content, { mode: 0o644 });
    names.push(`logs/${name}`);
  }
  return names;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** One batch on its way: the job record, what it must deliver, and what rank 0 said so far. */
interface BatchRun {
  batch: Batch;
  options: ExecuteOptions;
  job: JobRecord;
  /** observation key → task, for the tasks that record an observation */
  expected: Map<string, Batch["tasks"][number]>;
  seen: Set<string>;
  result: BatchResult;
  handle: JobHandle | null;
  submitted: number;
  /** rank 0 said `ready`, `done`; when it last made progress; why it failed */
  ready: boolean;
  done: boolean;
  lastProgress: number;
  failMessage: string | null;
}

/** Emit, save and submit a batch; run it to its end; record what it did not deliver. */
async function runBatch(batch: Batch, options: ExecuteOptions): Promise<BatchResult> {
  const run = await submitBatch(batch, options);
  if (!run.handle) return await recordMissing({ ...run, error: run.result.reason ?? undefined });
  const lines = readLines(run, run.handle);
  const endReason = await watch(run, { handle: run.handle, lines });
  return await finish(run, { handle: run.handle, lines, endReason });
}

async function submitBatch(batch: Batch, options: ExecuteOptions): Promise<BatchRun> {
  const { session, ctx, store } = options;
  const emitted = await session.emit(batch);
  const job: JobRecord = {
    batch: batch.id,
    cores: batch.point.cores,
    job_id: null,
    state: "submitting",
    nodes: [],
    reason: null,
    submitted_at: now(),
    ended_at: null,
    files: await saveFiles(ctx.logsDir, emitted.files),
  };
  await store.updateManifest((m) => m.provider.jobs.push(job));
  const run: BatchRun = {
    batch,
    options,
    job,
    expected: new Map(
      batch.tasks.filter((t) => t.record)
        .map((t) => [observationKey({ cores: batch.point.cores, ...t }), t]),
    ),
    seen: new Set(),
    result: { recorded: 0, failed: 0, interrupted: false, validation: false, reason: null },
    handle: null,
    submitted: Date.now(),
    ready: false,
    done: false,
    lastProgress: Date.now(),
    failMessage: null,
  };
  try {
    run.handle = await session.submit(batch, emitted);
  } catch (err) {
    // a submission the scheduler refused: every task of the batch fails with its reason
    run.result.reason = `Submission failed: ${(err as Error).message}`;
    [job.state, job.reason, job.ended_at] = ["failed", run.result.reason, now()];
    return run;
  }
  [job.job_id, job.state] = [run.handle.jobId, "submitted"];
  run.submitted = Date.now();
  await store.writeManifest();
  return run;
}

/** Read rank 0's lines until they end: observations and monitor samples into the store. */
async function readLines(run: BatchRun, handle: JobHandle): Promise<void> {
  const { batch, options: { session, ctx } } = run;
  for await (const line of session.lines(handle)) {
    let rec;
    try {
      rec = decodeRecord(line);
    } catch (err) {
      if (!(err instanceof RecordError)) throw err;
      // rank 0 and the driver disagree on the protocol: what is lost fails with this message
      run.failMessage ??= `Rank 0 wrote a malformed record (${err.message}): ${line.slice(0, 200)}`;
      ctx.log(`[${batch.id}] ${run.failMessage}`);
      continue;
    }
    if (!rec) {
      if (ctx.verbose && line.trim()) ctx.log(`[${batch.id}] ${line}`);
      continue;
    }
    // monitor samples arrive while a rank hangs too: they are not progress
    if (rec.type !== "mon") run.lastProgress = Date.now();
    if (rec.type === "ready") await onReady(run, { handle, rec });
    else if (rec.type === "obs") onObservation(run, rec.obs);
    else if (rec.type === "mon") run.options.store.appendMonitor(rec.sample);
    else if (rec.type === "fail") {
      run.failMessage = rec.message;
      run.result.validation = Boolean(rec.validation);
    } else if (rec.type === "done") run.done = true;
  }
}

async function onReady(
  run: BatchRun,
  { handle, rec }: { handle: JobHandle; rec: Extract<RankRecord, { type: "ready" }> },
): Promise<void> {
  const { batch, options: { ctx, session } } = run;
  if (ctx.tls && !rec.tls) {
    // --tls that the provider did not apply: stop the run (exit 2), never go on in clear
    run.failMessage = `--tls: the ranks of batch ${batch.id} met without TLS: provider ${
      quote(ctx.plan.provider)
    } does not pass the run's TLS files (SCALEBENCH_TLS_DIR) to its ranks`;
    run.result.validation = true;
    await session.cancel(handle, run.failMessage);
    return;
  }
  run.ready = true;
  if (run.job.nodes.length === 0) run.job.nodes = [...new Set(rec.hosts)];
  run.options.onEvent?.({ type: "ready", batch, hosts: rec.hosts });
}

function onObservation(run: BatchRun, rec: TaskRecord): void {
  const { batch, options } = run;
  const own = observationKey({ cores: batch.point.cores, ...rec });
  // its task: its own, or its repetition's `*` (a program's operations, core/exec_sweep.ts)
  const key = expectedKey(run.expected, { cores: batch.point.cores, ...rec });
  if (key === null || run.seen.has(own)) return;
  run.seen.add(own).add(key);
  const obs = completeObservation(rec, batch, options.ctx.plan);
  if (learnOp(options.ctx.plan, obs)) {
    // written with the manifest's next write (at the latest when the batch ends)
    options.store.manifest.workload.operations = [...options.ctx.plan.operations];
  }
  options.store.appendObservation(obs);
  run.result.recorded++;
  if (!obs.ok) run.result.failed++;
  options.onEvent?.({ type: "observation", batch, observation: obs });
}

/**
 * Poll the job until it ends, enforcing `--timeout` (start and progress) and Ctrl-C; resolves to
 * why the driver ended it, or null when it ended by itself.
 */
async function watch(
  run: BatchRun,
  { handle, lines }: { handle: JobHandle; lines: Promise<void> },
): Promise<string | null> {
  const { batch, job, options: { session, ctx, store, signal } } = run;
  let linesDone = false;
  // a rejection surfaces where `lines` is awaited in finish(); here it only marks the end
  lines.then(() => (linesDone = true), () => (linesDone = true));
  const aborted = new Promise<void>((resolve) => {
    if (signal?.aborted) resolve();
    signal?.addEventListener("abort", () => resolve(), { once: true });
  });
  const pollMs = run.options.pollInterval * 1000;
  const timeoutMs = ctx.timeout * 1000;
  let state: JobState = { state: "pending" };
  let lastPoll = 0;
  while (true) {
    // once rank 0's output has ended, wait on timers only: racing a settled promise would spin
    await Promise.race(
      linesDone ? [sleep(20), aborted] : [lines, sleep(Math.min(pollMs, 500)), aborted],
    );
    if (signal?.aborted) {
      run.result.interrupted = true;
      await session.cancel(handle, "Interrupted");
      return null;
    }
    if (linesDone || Date.now() - lastPoll >= pollMs) {
      lastPoll = Date.now();
      state = await session.poll(handle);
      if (state.state !== job.state || (state.nodes?.length && !job.nodes.length)) {
        job.state = state.state;
        if (state.nodes?.length) job.nodes = state.nodes;
        job.reason = state.reason ?? null;
        await store.writeManifest();
        run.options.onEvent?.({ type: "state", batch, state });
      }
      if (TERMINAL.has(state.state)) return null;
    }
    let endReason: string | null = null;
    if (timeoutMs > 0 && !run.ready && Date.now() - run.submitted > timeoutMs) {
      endReason = `Point did not start within ${ctx.timeout} s (job ${state.state}${
        state.reason ? `: ${state.reason}` : ""
      })`;
    } else if (
      timeoutMs > 0 && run.ready && !linesDone && Date.now() - run.lastProgress > timeoutMs
    ) {
      endReason = `No progress for ${ctx.timeout} s: a repetition took longer than --timeout`;
    }
    if (endReason) {
      await session.cancel(handle, endReason);
      return endReason;
    }
  }
}

/** Collect the ended job, record its final state, and fail what the batch did not deliver. */
async function finish(
  run: BatchRun,
  { handle, lines, endReason }: {
    handle: JobHandle;
    lines: Promise<void>;
    endReason: string | null;
  },
): Promise<BatchResult> {
  const { job, result, options: { session, store } } = run;
  // the provider ends lines() once the job has ended; do not wait forever on a broken one
  await Promise.race([lines, sleep(15_000)]);
  const collected = await session.collect(handle);
  if (result.interrupted) [job.state, job.reason] = ["cancelled", "Interrupted"];
  else {
    const final = await session.poll(handle);
    job.state = endReason ? "failed" : final.state;
    job.reason = endReason ?? final.reason ?? null;
  }
  if (collected.nodes?.length) job.nodes = collected.nodes;
  job.ended_at = now();
  if (result.interrupted || result.validation) {
    if (result.validation) result.reason = run.failMessage;
    await store.writeManifest();
    return result;
  }
  const why = endReason ?? run.failMessage ??
    (job.state === "succeeded"
      ? run.done
        ? "The batch ended without recording this observation"
        : "Rank 0 exited before the batch was done (no 'done' record)"
      : `Job ${job.state}${job.reason ? `: ${job.reason}` : ""}`);
  const tail = collected.stderrTail && !endReason ? `\n${collected.stderrTail}` : "";
  result.reason = [...run.expected.keys()].some((k) => !run.seen.has(k)) ? why : null;
  return await recordMissing({ ...run, error: why + tail });
}

async function recordMissing(
  run: Pick<BatchRun, "batch" | "options" | "expected" | "seen" | "result"> & { error?: string },
): Promise<BatchResult> {
  const { batch, options, expected, seen, result } = run;
  for (const [key, task] of expected) {
    if (seen.has(key)) continue;
    for (const t of failedTasks(task, options.ctx.plan)) {
      const obs = failedObservation(t, batch, {
        plan: options.ctx.plan,
        definition: options.definition,
        error: run.error ?? result.reason ?? "Not run",
      });
      options.store.appendObservation(obs);
      result.recorded++;
      result.failed++;
      options.onEvent?.({ type: "observation", batch, observation: obs });
    }
  }
  await options.store.writeManifest();
  return result;
}
