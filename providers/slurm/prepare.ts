/**
 * The rank command with its module graph prepared once per run. A rank started from a checkout is
 * `deno run … --config deno.json …/cli/main.ts rank`, and with the project's `"nodeModulesDir":
 * "auto"` every such process first checks and links the npm packages of the whole configuration
 * — about 25 ms of CPU and a lock on node_modules per process, which ranks starting together queue
 * for (measured: 215 → 119 ms from srun to every rank at the first barrier, 1 node × 2 ranks).
 * So the session installs the rank's graph (the rank runtime, the built-in workloads it may load,
 * the run's workload file) into node_modules once (`deno install --frozen --entrypoint`), and its
 * ranks start with `--node-modules-dir=manual`: they resolve nothing at start. A bundle or a
 * compiled binary is left as it is, and so is a checkout whose install fails (the ranks then
 * resolve as before; `reason` says why).
 *
 * @module
 */
import { errorMessage } from "../../core/errors.ts";

/** The rank command to use, and why it is the original one when it is. */
export interface PreparedCommand {
  argv: string[];
  /** null when prepared; else why the original command is used */
  reason: string | null;
}

/** Where `deno run … --config C …/cli/main.ts rank` has its parts, or null for another command. */
function sourceCommand(argv: string[]): { config: string; main: string } | null {
  const exe = argv[0]?.split(/[\\/]/).pop() ?? "";
  if (!/^deno(\.exe)?$/.test(exe) || argv[1] !== "run" || argv.at(-1) !== "rank") return null;
  const main = argv.at(-2) ?? "";
  const c = argv.indexOf("--config");
  if (!main.endsWith("/cli/main.ts") || c < 0 || c + 1 >= argv.length - 2) return null;
  if (argv.some((a) => a.startsWith("--node-modules-dir"))) return null;
  return { config: argv[c + 1], main };
}

/**
 * Install the rank command's module graph (with `workload`, a built-in name or a file:// URL) and
 * return the command that starts ranks from it. Nothing changes for a bundle, a binary or a
 * command that already chooses its node_modules mode.
 */
export async function prepareRankCommand(
  argv: string[],
  options: { workload: string },
): Promise<PreparedCommand> {
  const src = sourceCommand(argv);
  if (!src) return { argv, reason: "not a deno run of a checkout's cli/main.ts" };
  const entries = [new URL("./rank.ts", `file://${src.main}`).pathname];
  if (options.workload.startsWith("file://")) entries.push(new URL(options.workload).pathname);
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(argv[0], {
      args: ["install", "--quiet", "--frozen", "--config", src.config, "--entrypoint", ...entries],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
  } catch (err) {
    return { argv, reason: `deno install could not run: ${errorMessage(err)}` };
  }
  if (!out.success) {
    const lines = new TextDecoder().decode(out.stderr).trim().split("\n");
    const why = (lines.find((l) => /error/i.test(l)) ?? lines[0]).trim();
    return { argv, reason: `deno install failed: ${why || `exit ${out.code}`}` };
  }
  return { argv: [argv[0], "run", "--node-modules-dir=manual", ...argv.slice(2)], reason: null };
}
