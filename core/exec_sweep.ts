/**
 * The driver's side of operations a program defines as it runs (core/exec_define.ts): a plan
 * whose tasks have op `*` expects, per repetition, whatever ops the program records. The driver
 * learns them from the observations (the plan's and the manifest's operations), makes later
 * batches' tasks concrete (so their ranks hold the program to them), counts the expected
 * observations with them, records a failed observation per learned op (or op `exec`) for a
 * repetition that delivered nothing, and `--resume` treats a repetition with any observation as
 * done.
 *
 * @module
 */
import { ANY_OP } from "./exec_define.ts";
import { EXEC_OP } from "./exec_records.ts";
import { observationKey } from "./results.ts";
import type { Batch, Observation, Plan, Task } from "./types.ts";

type Keyed = { cores: number; op: string; rep: number; warmup: boolean };

/** The key of the expected task an observation fulfils (its own, or its repetition's `*`). */
export function expectedKey(expected: Map<string, unknown>, obs: Keyed): string | null {
  const own = observationKey(obs);
  if (expected.has(own)) return own;
  const any = observationKey({ ...obs, op: ANY_OP });
  return expected.has(any) ? any : null;
}

/** The operations learned so far: the plan's, once they are no longer `*`; else null. */
export function learnedOps(plan: Plan): string[] | null {
  return plan.operations.includes(ANY_OP) ? null : plan.operations;
}

/** A batch whose `*` tasks become one task per learned op (unchanged while none is learned). */
export function withLearnedOps(batch: Batch, plan: Plan): Batch {
  const ops = learnedOps(plan);
  if (!ops || !batch.tasks.some((t) => t.op === ANY_OP)) return batch;
  return {
    ...batch,
    tasks: batch.tasks.flatMap((t) => (t.op === ANY_OP ? ops.map((op) => ({ ...t, op })) : [t])),
  };
}

/**
 * Learn an observation's op into the plan's operations (a program's undeclared ops only; a
 * failed `exec` observation says nothing about them). True when the operations changed.
 */
export function learnOp(plan: Plan, obs: Observation): boolean {
  if (!plan.exec || plan.exec.ops !== null) return false;
  if (obs.op === EXEC_OP && !obs.ok) return false;
  if (plan.operations.includes(ANY_OP)) {
    plan.operations = [obs.op];
    return true;
  }
  if (plan.operations.includes(obs.op)) return false;
  plan.operations.push(obs.op);
  return true;
}

/** Observations the batches will record: a `*` task counts the learned ops (1 while unknown). */
export function expectedObservations(batches: Batch[], plan: Plan): number {
  const perAny = learnedOps(plan)?.length ?? 1;
  return batches.reduce(
    (n, b) =>
      n + b.tasks.filter((t) => t.record).reduce((m, t) => m + (t.op === ANY_OP ? perAny : 1), 0),
    0,
  );
}

/** The tasks to record as failed for a task that delivered nothing (a `*` task: learned ops, else `exec`). */
export function failedTasks(task: Task, plan: Plan): Task[] {
  if (task.op !== ANY_OP) return [task];
  return (learnedOps(plan) ?? [EXEC_OP]).map((op) => ({ ...task, op }));
}

/** `cores|rep|w` of every stored observation: a `*` task is done when its repetition has any. */
export function repetitionsDone(done: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const key of done) {
    const parts = key.split("|");
    if (parts.length >= 4) {
      out.add(`${parts[0]}|${parts[parts.length - 2]}|${parts[parts.length - 1]}`);
    }
  }
  return out;
}

/** Whether a stored run already has task `t` of a batch at `cores` cores. */
export function taskDone(
  t: Task,
  cores: number,
  done: { keys: Set<string>; repetitions: Set<string> },
): boolean {
  if (t.op === ANY_OP) return done.repetitions.has(`${cores}|${t.rep}|${t.warmup ? "w" : "m"}`);
  return done.keys.has(observationKey({ cores, ...t }));
}
