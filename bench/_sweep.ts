/**
 * What the benches that compare rates through `scalebench run` share: their numeric flags, the
 * way a rate is printed, and one sweep of this checkout's CLI read back as observations.
 *
 * @module
 */

/** The checkout's root: where `cli/main.ts` is run from. */
export const ROOT = new URL("..", import.meta.url).pathname;

/** The number after flag `name` on the bench's command line, or `fallback`. */
export function numberArg(name: string, fallback: number): number {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
}

/** A rate with about three significant digits. */
export const formatRate = (x: number): string =>
  x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toPrecision(2);

/** The fields of an observation the benches read. */
export interface SweepObservation {
  op: string;
  cores: number;
  rate: number | null;
  unit: string | null;
  ok: boolean;
  error: string | null;
  warmup: boolean;
}

/**
 * `scalebench run ARGS… --json -o DIR` from this checkout; its non-warm-up observations. Throws
 * with the exit code and the last lines of stderr when the run leaves no run directory.
 */
export async function sweepObservations(args: string[], dir: string): Promise<SweepObservation[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/main.ts", "run", ...args, "--json", "-o", dir],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  const summary = JSON.parse(text.split("\n").pop() || "{}");
  if (!summary.run_dir) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" ");
    throw new Error(`scalebench run ${args[0]} exited ${out.code}: ${err}`);
  }
  const lines = (await Deno.readTextFile(`${summary.run_dir}/observations.jsonl`)).trim();
  return lines.split("\n").map((l) => JSON.parse(l) as SweepObservation).filter((o) => !o.warmup);
}
