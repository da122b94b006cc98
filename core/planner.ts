/**
 * The sweep planner: core lists and ranges, layouts, nodes, the weak-scaling rule, repetitions,
 * warm-ups and the order of batches.
 *
 * @module
 */
import { quote, ValidationError } from "./errors.ts";
import { rng, shuffle } from "./random.ts";
import { repetitionsDone, taskDone } from "./exec_sweep.ts";
import type {
  Batch,
  Layout,
  Manifest,
  Mode,
  Order,
  ParamValues,
  Plan,
  PlannedPoint,
  ScalePoint,
  Task,
} from "./types.ts";
import type { WorkloadDefinition } from "./workload.ts";

const MAX_CORES = 1_000_000;

/**
 * Parse a core list: `1,2,4`, a range `1..8` (every count), `1..48:2` (dask-bench's sweep: the
 * start, then every multiple of the step up to the end: 1, 2, 4, …, 48), `1..64:*2` (doubling), or
 * several of these separated by commas. Sorted, duplicates removed.
 */
export function parseCores(text: string, options: { flag?: string } = {}): number[] {
  const origin = originOf(options.flag ?? "--cores");
  const bad = (why: string): never => {
    throw new ValidationError(`${origin} ${why} (got ${quote(text)}; e.g. 1,2,4 or 1..48:2)`);
  };
  const int = (s: string): number => {
    if (!/^\d+$/.test(s.trim())) bad(`expects whole numbers`);
    const n = Number(s);
    if (n < 1) bad("expects core counts of at least 1");
    if (n > MAX_CORES) bad(`expects core counts up to ${MAX_CORES}`);
    return n;
  };
  const out = new Set<number>();
  if (!text.trim()) bad("is empty");
  for (const part of text.split(",")) {
    const m = /^\s*(\d+)\s*\.\.\s*(\d+)\s*(?::\s*(\*?)\s*(\d+)\s*)?$/.exec(part);
    if (!m) {
      out.add(int(part));
      continue;
    }
    const [start, end] = [int(m[1]), int(m[2])];
    if (end < start) bad(`has a range whose end is below its start`);
    const step = m[4] === undefined ? 1 : Number(m[4]);
    if (m[3] === "*") {
      if (step < 2) bad("needs a factor of at least 2 after ':*'");
      for (let n = start; n <= end; n *= step) out.add(n);
    } else {
      if (step < 1) bad("needs a step of at least 1");
      out.add(start);
      for (let n = (Math.floor(start / step) + 1) * step; n <= end; n += step) out.add(n);
    }
  }
  return [...out].sort((a, b) => a - b);
}

/** Parse `threads`, `ranks` or `ranks:T`. */
export function parseLayout(text: string, options: { flag?: string } = {}): Layout {
  if (text === "threads" || text === "ranks") return text;
  const m = /^ranks:(\d+)$/.exec(text);
  if (m && Number(m[1]) >= 1) return `ranks:${Number(m[1])}`;
  throw new ValidationError(
    `Unknown layout ${quote(text)} for ${
      options.flag ?? "--layout"
    } (known: threads, ranks, ranks:T)`,
  );
}

/**
 * Where a value came from, as a message starts: a flag (`--cores` → `Flag --cores`), or a phrase
 * that already says it (`Key SCALEBENCH_CORES in '.env'`, `MAX_N_CORES/STEP_BY in …`).
 */
function originOf(flagOrOrigin: string): string {
  return flagOrOrigin.startsWith("-") ? `Flag ${flagOrOrigin}` : flagOrOrigin;
}

/** The scale point of `cores` cores under a layout; ranks are spread evenly over the nodes. */
export function scalePoint(
  cores: number,
  options: { layout: Layout; coresPerNode: number },
): ScalePoint {
  const { layout, coresPerNode } = options;
  const threads = layout === "threads" ? cores : layout === "ranks" ? 1 : Number(layout.slice(6));
  if (cores % threads !== 0) {
    throw new ValidationError(
      `Core count ${cores} is not a multiple of ${threads} threads per rank (--layout ${layout})`,
    );
  }
  if (threads > coresPerNode) {
    throw new ValidationError(
      `${threads} threads per rank do not fit on a node of ${coresPerNode} cores (--cores-per-node): ${
        layout === "threads" ? "use --layout ranks or ranks:T" : "use fewer threads per rank"
      }`,
    );
  }
  const ranks = cores / threads;
  const nodes = Math.ceil(cores / coresPerNode);
  if (ranks < nodes) {
    throw new ValidationError(
      `${cores} cores on ${nodes} nodes need at least ${nodes} ranks (--layout ${layout})`,
    );
  }
  return { cores, nodes, ranks, threads };
}

/** How many ranks each node gets (dask-bench's rule: as even as possible, the first nodes one more). */
export function ranksPerNode(point: ScalePoint): number[] {
  const base = Math.floor(point.ranks / point.nodes);
  const extra = point.ranks % point.nodes;
  return Array.from({ length: point.nodes }, (_, i) => base + (i < extra ? 1 : 0));
}

/** What a plan is made from. */
export interface PlanOptions {
  workloadRef: string;
  provider: string;
  mode?: Mode | null;
  cores: number[];
  layout: Layout;
  /** Default: the largest core count (one node) */
  coresPerNode?: number | null;
  reps: number;
  warmup: number;
  order: Order;
  seed: number;
  params: ParamValues;
  /** Only these operations (default: all, in definition order) */
  operations?: string[];
}

/** Plan a sweep: points (with the weak rule applied), tasks and batches. */
export function planSweep(def: WorkloadDefinition, options: PlanOptions): Plan {
  const mode = options.mode ?? def.mode ?? "strong";
  if (mode === "weak" && !def.weak) {
    throw new ValidationError(`Workload '${def.name}' has no weak-scaling rule: use -m strong`);
  }
  const allOps = Object.keys(def.operations);
  const ops = options.operations ?? allOps;
  // a program that declares no operations may record any (--ops names them)
  const anyOps = def.command !== undefined && def.command.ops === null;
  for (const op of ops) {
    if (!anyOps && !allOps.includes(op)) {
      throw new ValidationError(
        `Unknown operation ${quote(op)} for workload '${def.name}' (known: ${allOps.join(", ")})`,
      );
    }
  }
  if (!Number.isInteger(options.reps) || options.reps < 1) {
    throw new ValidationError(
      `Flag --reps expects a whole number ≥ 1 (got ${quote(options.reps)})`,
    );
  }
  if (!Number.isInteger(options.warmup) || options.warmup < 0) {
    throw new ValidationError(
      `Flag --warmup expects a whole number ≥ 0 (got ${quote(options.warmup)})`,
    );
  }
  const coresPerNode = options.coresPerNode ?? Math.max(...options.cores);
  if (!Number.isInteger(coresPerNode) || coresPerNode < 1) {
    throw new ValidationError(
      `Cores per node (--cores-per-node) must be a whole number ≥ 1 (got ${quote(coresPerNode)})`,
    );
  }
  const points: PlannedPoint[] = options.cores.map((cores, index) => {
    const sp = scalePoint(cores, { layout: options.layout, coresPerNode });
    const params = mode === "weak"
      ? { ...options.params, ...def.weak!(options.params as never, sp) }
      : options.params;
    return { index, ...sp, params, size: def.size?.(params as never, sp) ?? 0 };
  });
  return {
    workload: def.name,
    workload_ref: options.workloadRef,
    mode,
    provider: options.provider,
    reps: options.reps,
    warmup: options.warmup,
    order: options.order,
    layout: options.layout,
    cores_per_node: coresPerNode,
    operations: ops,
    params: options.params,
    points,
    batches: makeBatches(points, {
      ops,
      reps: options.reps,
      warmup: options.warmup,
      order: options.order,
      seed: options.seed,
    }),
  };
}

/** The plan as a run's manifest records it (`manifest.plan`); `seed` and `timeout` are the run's. */
export function planRecord(plan: Plan, run: { seed: number; timeout: number }): Manifest["plan"] {
  return {
    cores: plan.points.map((p) => p.cores),
    layout: plan.layout,
    cores_per_node: plan.cores_per_node,
    reps: plan.reps,
    warmup: plan.warmup,
    order: plan.order,
    seed: run.seed,
    timeout: run.timeout,
    points: plan.points,
  };
}

function tasksOf(ops: string[], reps: number[], warmup: boolean, record: boolean): Task[] {
  return reps.flatMap((rep) => ops.map((op) => ({ op, rep, warmup, record })));
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * Batches in the chosen order. `sequential`: one batch per point with every repetition.
 * `interleaved`: rep-major, one batch per (repetition, point), so drift spreads over the points.
 * `random`: those batches shuffled by the seed. Warm-ups run at the start of every batch (each is
 * a fresh process) and are recorded once per point.
 */
export function makeBatches(
  points: PlannedPoint[],
  options: { ops: string[]; reps: number; warmup: number; order: Order; seed: number },
): Batch[] {
  const { ops, reps, warmup, order } = options;
  const id = (p: PlannedPoint) =>
    `p${String(p.index + 1).padStart(2, "0")}-c${String(p.cores).padStart(4, "0")}`;
  if (order === "sequential") {
    return points.map((point) => ({
      id: id(point),
      point,
      tasks: [
        ...tasksOf(ops, range(warmup), true, true),
        ...tasksOf(ops, range(reps), false, true),
      ],
    }));
  }
  const pairs: [PlannedPoint, number][] = range(reps).flatMap((rep) =>
    points.map((p) => [p, rep] as [PlannedPoint, number])
  );
  if (order === "random") shuffle(pairs, rng(options.seed, 7));
  const warmed = new Set<number>();
  return pairs.map(([point, rep]) => {
    const first = !warmed.has(point.index);
    warmed.add(point.index);
    return {
      id: `${id(point)}-r${String(rep + 1).padStart(3, "0")}`,
      point,
      tasks: [...tasksOf(ops, range(warmup), true, first), ...tasksOf(ops, [rep], false, true)],
    };
  });
}

/**
 * Drop what a run already has (`--resume`): recorded tasks whose observation exists; a batch with
 * nothing left to record is dropped, and its warm-ups run unrecorded when already recorded.
 */
export function remainingBatches(batches: Batch[], done: Set<string>): Batch[] {
  // a program's task `*` is done when its repetition has any observation (core/exec_sweep.ts)
  const stored = { keys: done, repetitions: repetitionsDone(done) };
  const out: Batch[] = [];
  for (const b of batches) {
    const tasks = b.tasks.map((t) => ({
      ...t,
      record: t.record && !taskDone(t, b.point.cores, stored),
    }));
    if (tasks.some((t) => !t.warmup && t.record)) out.push({ ...b, tasks });
  }
  return out;
}
