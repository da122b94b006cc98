/**
 * `deno task bench [NAME...] [--quick] [--allow-skip] [--list]`: runs the benches below (or those whose file
 * name contains one of the NAMEs), one after another, each in its own process, then prints one
 * summary table of every figure — value, goal, verdict — and exits:
 * 0 every figure PASS; 1 a MISS, a wrong result (FAIL) or a bench that crashed; 3 nothing missed
 * but something was skipped for a missing tool (exit 0 then with `--allow-skip`); 2 a NAME that
 * matches no bench. `--quick` is passed on to the benches (fewer repetitions, where they have it).
 *
 * A bench is a file `bench/NAME_bench.ts` that reports through {@linkcode BenchReport}
 * (bench/_figures.ts) and ends with `report.finish()`; add it to BENCHES with one line.
 *
 * @module
 */
import { exitCode, type Figure, FIGURES_ENV, formatGoal, withUnit } from "./_figures.ts";

/** A bench: its file in bench/ and what it measures (shown by `--list`). */
export interface BenchEntry {
  file: string;
  measures: string;
}

/** Every bench, in the order they run. Add yours with one line. */
export const BENCHES: BenchEntry[] = [
  { file: "harness_bench.ts", measures: "harness overhead, rank launch, amdahl ground truth" },
  { file: "dask_bench.ts", measures: "arrays and dataframes against Dask, n = 1, 2 (ours / Dask)" },
  { file: "dask_engine_bench.ts", measures: "TS vs dask-* workloads via --engine dask, n = 1, 2" },
  { file: "gridding_bench.ts", measures: "dirty-image: gridding vs C, 1 → 2 thread efficiency" },
  { file: "report_bench.ts", measures: "HTML report of 100 000 observations" },
  { file: "tls_bench.ts", measures: "rendezvous with TLS vs plaintext" },
  { file: "kubernetes_bench.ts", measures: "Kubernetes provider (fake API server): Ctrl-C, start" },
  { file: "slurm_bench.ts", measures: "Slurm provider: start-up over a bare srun" },
  { file: "slurm_allocation_bench.ts", measures: "Slurm --one-allocation; step overhead" },
  { file: "rendezvous_bench.ts", measures: "collectives and rank start-up, 2 to 128 ranks" },
  { file: "report_site_bench.ts", measures: "history site of 200 runs: build, add one run" },
  { file: "stats_bench.ts", measures: "interval coverage and false alarms; amdahl steadiness" },
  { file: "cold_start_bench.ts", measures: "the demo on a fresh cache (cold), then warm" },
];

/**
 * The row of a bench whose exit code its figures do not explain: it crashed (FAIL), or it reported
 * nothing through bench/_figures.ts (FAIL on a non-zero exit, INFO on 0: its own output says more).
 */
function unexplained(file: string, code: number, figures: Figure[]): Figure | null {
  const verdicts = figures.map((f) => f.verdict);
  if (figures.length && exitCode(verdicts, { allowSkip: false }) === code) return null;
  if (code !== 0 && verdicts.some((v) => v === "MISS" || v === "FAIL")) return null;
  return {
    bench: file.replace(/_bench\.ts$/, ""),
    name: "(bench process)",
    value: null,
    unit: "",
    goal: null,
    verdict: code === 0 ? "INFO" : "FAIL",
    detail: `exited with code ${code}${
      figures.length ? "" : ", reporting no figures (see its output above)"
    }`,
  };
}

/** The summary table, one row per figure (detail of SKIP and FAIL rows below their row). */
export function summaryTable(figures: Figure[]): string {
  const rows = figures.map((f) => [
    f.bench,
    f.name,
    f.value === null ? "—" : withUnit(f.value, f.unit),
    formatGoal(f.goal, f.unit),
    f.verdict,
  ]);
  const head = ["bench", "figure", "measured", "goal", "verdict"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ")
      .trimEnd();
  const out = [line(head), widths.map((w) => "─".repeat(w)).join("  ")];
  figures.forEach((f, i) => {
    out.push(line(rows[i]));
    if (f.verdict !== "PASS" && f.value === null) out.push(`    ↳ ${f.detail}`);
  });
  return out.join("\n");
}

/**
 * Run `deno task bench` with `args` over `benches` (files in `dir`); resolves to the exit code.
 * `log` receives every line this prints (default console.log; the benches' own output is
 * inherited).
 */
export async function runBenches(
  args: string[],
  o: { benches: BenchEntry[]; dir: URL; log?: (line: string) => void },
): Promise<number> {
  const log = o.log ?? console.log;
  const allowSkip = args.includes("--allow-skip");
  const passOn = args.filter((a) => a === "--quick"); // benches that have a quick mode use it
  const names = args.filter((a) => !a.startsWith("--"));
  if (args.includes("--list")) {
    for (const b of o.benches) log(`${b.file.padEnd(22)} ${b.measures}`);
    return 0;
  }
  const chosen = o.benches.filter((b) => !names.length || names.some((n) => b.file.includes(n)));
  if (!chosen.length) {
    console.error(`No bench matches ${names.map((n) => `'${n}'`).join(", ")} (see --list)`);
    return 2;
  }
  const sink = await Deno.makeTempFile({ prefix: "scalebench-bench-", suffix: ".jsonl" });
  const figures: Figure[] = [];
  try {
    for (const { file } of chosen) {
      log(`\n=== ${file} ===`);
      const t = performance.now();
      await Deno.writeTextFile(sink, "");
      const { code } = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--quiet", new URL(file, o.dir).pathname, ...passOn],
        env: { [FIGURES_ENV]: sink },
        stdout: "inherit",
        stderr: "inherit",
      }).output();
      const mine = (await Deno.readTextFile(sink)).split("\n").filter((l) => l.trim())
        .map((l) => JSON.parse(l) as Figure);
      const extra = unexplained(file, code, mine);
      figures.push(...mine, ...(extra ? [extra] : []));
      log(`=== ${file}: exit ${code} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
  } finally {
    await Deno.remove(sink).catch(() => {});
  }
  const code = exitCode(figures.map((f) => f.verdict), { allowSkip });
  const count = (v: string) => figures.filter((f) => f.verdict === v).length;
  log(`\n=== summary: ${chosen.length} bench(es), ${figures.length} figures ===`);
  log(summaryTable(figures));
  const verdict = code === 0
    ? count("SKIP") ? "PASS, with skips allowed" : "PASS"
    : code === 3
    ? "INCOMPLETE: something was skipped (--allow-skip to accept)"
    : "MISS";
  log(
    `\n${count("PASS")} PASS, ${count("MISS")} MISS, ${count("FAIL")} FAIL, ${count("SKIP")} SKIP` +
      ` → ${verdict} (exit ${code})`,
  );
  return code;
}

if (import.meta.main) {
  Deno.exit(await runBenches(Deno.args, { benches: BENCHES, dir: new URL(".", import.meta.url) }));
}
