/**
 * What one workload offers, for `scalebench run WORKLOAD --help` and `scalebench list WORKLOAD`:
 * its summary, parameters (type, range, default, unit, help), operations and their metrics, the
 * default mode, and the plan its defaults give (cores, layout, repetitions, points). Lines fit
 * the width (100 columns unless the terminal is wider).
 *
 * @module
 */
import { defaultCores, RUN_SETTINGS } from "../core/config.ts";
import { quote, ValidationError } from "../core/errors.ts";
import { coresLabel } from "../core/labels.ts";
import type { ParamSpec } from "../core/params.ts";
import { parseLayout, planSweep } from "../core/planner.ts";
import { resolveWorkloadRef } from "../core/run.ts";
import type { LoadedWorkload, WorkloadLoader } from "../core/workload.ts";
import type { Command } from "@commander-js/extra-typings";
import { wrap } from "./_table.ts";

/** A parameter's type with its choices or range: `int [1..64]`, `enum {v2|v3}`. */
function paramType(spec: ParamSpec): string {
  if (spec.type === "enum") return `enum {${spec.values.join("|")}}`;
  const min = "min" in spec ? spec.min : undefined;
  const max = "max" in spec ? spec.max : undefined;
  return min === undefined && max === undefined
    ? spec.type
    : `${spec.type} [${min ?? ""}..${max ?? ""}]`;
}

/** A default as it is typed on the command line (`--set key=VALUE`), with its unit. */
function paramDefault(spec: ParamSpec): string {
  const v = spec.default;
  const text = typeof v === "string" ? (v === "" ? "''" : v) : String(v);
  return spec.unit ? `${text} ${spec.unit}` : text;
}

/** Rows of cells as aligned text; the last column wraps to fit `width` under its own start. */
function columns(rows: string[][], width: number, indent = "  "): string[] {
  const n = rows[0]?.length ?? 0;
  const w = Array.from({ length: n - 1 }, (_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lead = indent.length + w.reduce((s, x) => s + x + 2, 0);
  const out: string[] = [];
  for (const r of rows) {
    const head = indent + r.slice(0, -1).map((c, i) => c.padEnd(w[i] + 2)).join("");
    const tail = wrap(r[n - 1], Math.max(20, width - lead));
    out.push((head + tail[0]).trimEnd());
    for (const t of tail.slice(1)) out.push(" ".repeat(lead) + t);
  }
  return out;
}

/** The run settings' defaults, as a run with no flags, environment or `.env` would take them. */
function runDefaults() {
  const d = (key: string) => (RUN_SETTINGS as Record<string, { default?: unknown }>)[key]?.default;
  return {
    reps: Number(d("reps") ?? 5),
    warmup: Number(d("warmup") ?? 0),
    order: String(d("order") ?? "sequential") as "sequential",
    seed: Number(d("seed") ?? 1),
    layout: parseLayout(String(d("layout") ?? "threads")),
    cores: defaultCores(),
  };
}

/** The help text of a loaded workload, fitted to `width` columns. */
function workloadHelpText(w: LoadedWorkload, options: { width?: number } = {}): string {
  const width = options.width ?? 100;
  const def = w.definition;
  const name = w.ref.startsWith("file:") ? new URL(w.ref).pathname : w.ref;
  const out = [...wrap(`Workload ${name}: ${def.summary}`, width), ""];
  const params = Object.entries(def.params);
  if (params.length) {
    out.push("Parameters (--set key=value):");
    out.push(
      ...columns(
        [
          ["name", "type", "default", "meaning"],
          ...params.map(([k, s]) => [k, paramType(s), paramDefault(s), s.help ?? ""]),
        ],
        width,
      ),
    );
  } else out.push("Parameters: none");
  out.push("", "Operations:");
  out.push(
    ...columns(
      Object.entries(def.operations).map(([op, o]) => [
        op,
        o.metric ? `rate in ${o.metric.unit}/s` : "time only",
        o.summary ?? "",
      ]),
      width,
    ),
  );
  const mode = def.mode ?? "strong";
  out.push(
    "",
    ...wrap(
      `Default mode: ${mode}${
        def.weak
          ? mode === "strong" ? " (-m weak grows the problem by the workload's rule)" : ""
          : " (no weak-scaling rule)"
      }`,
      width,
    ),
  );
  const d = runDefaults();
  const plan = planSweep(def, {
    workloadRef: w.ref,
    provider: "local",
    mode,
    cores: d.cores,
    layout: d.layout,
    reps: d.reps,
    warmup: d.warmup,
    order: d.order,
    seed: d.seed,
    params: Object.fromEntries(params.map(([k, s]) => [k, s.default])),
  });
  const perPoint = plan.operations.length * plan.reps;
  out.push(
    "",
    ...wrap(
      `Plan with the defaults (no flags, environment or .env; --dry-run shows yours): ${plan.points.length} point${
        plan.points.length === 1 ? "" : "s"
      }, layout ${plan.layout}, ${plan.reps} repetition${
        plan.reps === 1 ? "" : "s"
      } + ${plan.warmup} warm-up of ${plan.operations.length} operation${
        plan.operations.length === 1 ? "" : "s"
      }: ${perPoint * plan.points.length} observations`,
      width,
    ),
  );
  const unit = def.sizeUnit ? ` (${def.sizeUnit})` : "";
  out.push(
    ...columns(
      [
        ["cores", "ranks×threads", "nodes", `problem size${unit}`],
        ...plan.points.map((p) => [
          coresLabel(p.cores),
          `${p.ranks}×${p.threads}`,
          String(p.nodes),
          p.size ? String(p.size) : "–",
        ]),
      ],
      width,
    ),
  );
  return out.join("\n");
}

/** Load `arg` (a built-in name or a .ts path) and describe it; unknown → ValidationError. */
export async function workloadHelp(
  arg: string,
  options: { workloads: WorkloadLoader; width?: number },
): Promise<string> {
  let ref: string;
  try {
    ref = await resolveWorkloadRef(arg, options.workloads);
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw new ValidationError(`Cannot load workload ${quote(arg, 200)}: ${err}`);
  }
  return workloadHelpText(await options.workloads.load(ref), options);
}

/** What {@linkcode firstOperand} needs to know of an option: its names and whether it takes a value. */
export interface OptionShape {
  short?: string;
  long?: string;
  required?: boolean;
  optional?: boolean;
}

/** The first operand of `args` (a command's arguments), skipping options and their values. */
export function firstOperand(args: string[], options: readonly OptionShape[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") return args[i + 1];
    if (!a.startsWith("-") || a === "-") return a;
    if (a.includes("=")) continue;
    const o = options.find((x) => x.short === a || x.long === a);
    if (o?.required || (o?.optional && args[i + 1] && !args[i + 1].startsWith("-"))) i++;
  }
  return undefined;
}

/**
 * `scalebench run WORKLOAD --help`: add the workload's help below the run command's. Does nothing
 * unless the command line is `run … --help` with a workload.
 */
export async function addWorkloadHelp(
  program: Command,
  args: string[],
  options: { workloads: WorkloadLoader; width?: number },
): Promise<void> {
  if (args[0] !== "run" || !args.some((a) => a === "--help" || a === "-h")) return;
  const run = program.commands.find((c) => c.name() === "run");
  const arg = run && firstOperand(args.slice(1), run.options as readonly OptionShape[]);
  if (!run || !arg) return;
  run.addHelpText("after", `\n${await workloadHelp(arg, options)}`);
}
