/**
 * What a bench reports, and how: every figure is a value measured in this run (a ratio against a
 * reference measured in the same run wherever there is one) with its goal and verdict.
 *
 * - PASS / MISS: a figure against its goal;
 * - FAIL: a wrong result (a checksum, a failed check, a bench that crashed);
 * - SKIP: not measured because something it needs is missing, with what to install — never a pass;
 * - INFO: printed for context, no goal.
 *
 * A bench file makes one {@linkcode BenchReport}, reports its figures as it goes (each printed as a
 * line) and ends with `report.finish()`, which exits 1 on a MISS or FAIL, 3 when nothing missed
 * but something was skipped (unless skips are allowed), else 0. Run by bench/main.ts, the figures
 * also go, one JSON line each, to the file named by `SCALEBENCH_BENCH_FIGURES` for its summary.
 *
 * @module
 */

/** Verdict of one figure. */
export type Verdict = "PASS" | "MISS" | "FAIL" | "SKIP" | "INFO";

/** A goal: the measured value must be `op` `value`. */
export interface Goal {
  op: ">=" | ">" | "<=" | "<";
  value: number;
}

/** value ≥ x */
export const atLeast = (value: number): Goal => ({ op: ">=", value });
/** value ≤ x */
export const atMost = (value: number): Goal => ({ op: "<=", value });
/** value < x */
export const below = (value: number): Goal => ({ op: "<", value });

/** One line of a bench's results. */
export interface Figure {
  bench: string;
  name: string;
  /** null when not measured (SKIP, FAIL) */
  value: number | null;
  unit: string;
  goal: Goal | null;
  verdict: Verdict;
  /** What was measured against what, or why it was skipped or failed */
  detail: string;
}

/** Environment variable naming the JSON-lines file bench/main.ts collects figures from. */
export const FIGURES_ENV = "SCALEBENCH_BENCH_FIGURES";

/** Exit codes of a bench and of `deno task bench`. */
export const EXIT = { ok: 0, miss: 1, skipped: 3 } as const;

const SYMBOL = { ">=": "≥", ">": ">", "<=": "≤", "<": "<" } as const;

/** A value with its unit: `1.23×`, `4.5 %`, `126 ms`. */
export function withUnit(x: number | null, unit: string): string {
  return `${formatValue(x)}${unit === "×" ? "×" : unit ? ` ${unit}` : ""}`;
}

/** `≥ 1×`, `< 150 ms`. */
export function formatGoal(goal: Goal | null, unit = ""): string {
  return goal ? `${SYMBOL[goal.op]} ${withUnit(goal.value, unit)}` : "";
}

/** Three significant digits, without exponent for everyday magnitudes. */
export function formatValue(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1000) return x.toFixed(0);
  if (a >= 100) return x.toFixed(1).replace(/\.0$/, "");
  if (a === 0) return "0";
  return Number(x.toPrecision(3)).toString();
}

/** Whether `value` meets `goal`. */
export function meets(value: number, goal: Goal): boolean {
  switch (goal.op) {
    case ">=":
      return value >= goal.value;
    case ">":
      return value > goal.value;
    case "<=":
      return value <= goal.value;
    case "<":
      return value < goal.value;
  }
}

/** The exit code for a set of verdicts: 1 on MISS/FAIL, 3 on SKIP (unless allowed), else 0. */
export function exitCode(verdicts: Verdict[], options: { allowSkip?: boolean } = {}): number {
  if (verdicts.some((v) => v === "MISS" || v === "FAIL")) return EXIT.miss;
  if (!options.allowSkip && verdicts.includes("SKIP")) return EXIT.skipped;
  return EXIT.ok;
}

/** The figures of one bench. */
export class BenchReport {
  readonly bench: string;
  readonly figures: Figure[] = [];
  #sink: string | null;
  #allowSkip: boolean;

  /**
   * `sink`: the JSON-lines file figures are appended to (default: `$SCALEBENCH_BENCH_FIGURES`);
   * `allowSkip`: a skip alone exits 0 (default: `--allow-skip` among the arguments).
   */
  constructor(bench: string, options: { sink?: string | null; allowSkip?: boolean } = {}) {
    this.bench = bench;
    this.#sink = options.sink !== undefined ? options.sink : Deno.env.get(FIGURES_ENV) ?? null;
    this.#allowSkip = options.allowSkip ?? Deno.args.includes("--allow-skip");
  }

  #add(f: Omit<Figure, "bench">): Figure {
    const figure = { bench: this.bench, ...f };
    this.figures.push(figure);
    const line = [
      `${this.bench}: ${f.name}:`,
      f.value === null ? "" : withUnit(f.value, f.unit),
      f.goal ? `(goal ${formatGoal(f.goal, f.unit)})` : "",
      f.verdict,
      f.detail ? `— ${f.detail}` : "",
    ];
    console.log(line.filter(Boolean).join(" "));
    if (this.#sink) {
      Deno.writeTextFileSync(this.#sink, JSON.stringify(figure) + "\n", { append: true });
    }
    return figure;
  }

  /** A measured value against its goal: PASS or MISS. Returns whether it passed. */
  figure(
    name: string,
    value: number,
    o: { goal: Goal; unit?: string; detail?: string },
  ): boolean {
    const ok = Number.isFinite(value) && meets(value, o.goal);
    this.#add({
      name,
      value,
      unit: o.unit ?? "",
      goal: o.goal,
      verdict: ok ? "PASS" : "MISS",
      detail: o.detail ?? "",
    });
    return ok;
  }

  /** A value printed for context, with no goal. */
  info(name: string, value: number, o: { unit?: string; detail?: string } = {}): void {
    this.#add({
      name,
      value,
      unit: o.unit ?? "",
      goal: null,
      verdict: "INFO",
      detail: o.detail ?? "",
    });
  }

  /** A correctness result: PASS when `ok`, else FAIL with `detail`. */
  check(name: string, ok: boolean, detail: string): boolean {
    this.#add({ name, value: null, unit: "", goal: null, verdict: ok ? "PASS" : "FAIL", detail });
    return ok;
  }

  /** Not measured: `why` says what is missing and how to install it. */
  skip(name: string, why: string): void {
    this.#add({ name, value: null, unit: "", goal: null, verdict: "SKIP", detail: why });
  }

  /** The bench could not measure `name`: an error, not a miss. */
  fail(name: string, why: string): void {
    this.#add({ name, value: null, unit: "", goal: null, verdict: "FAIL", detail: why });
  }

  /** This bench's exit code (see {@linkcode exitCode}). */
  get code(): number {
    return exitCode(this.figures.map((f) => f.verdict), { allowSkip: this.#allowSkip });
  }

  /** Print the count of each verdict and exit with {@linkcode code}. */
  finish(): never {
    const count = (v: Verdict) => this.figures.filter((f) => f.verdict === v).length;
    const parts = (["PASS", "MISS", "FAIL", "SKIP"] as const).map((v) => `${count(v)} ${v}`);
    console.log(`${this.bench}: ${parts.join(", ")} → exit ${this.code}`);
    Deno.exit(this.code);
  }
}
