/**
 * `scalebench demo`: README's first command. The built-in `amdahl` workload on 1 and 2 cores, 5
 * repetitions plus one warm-up, then the HTML report — a `run` with fixed arguments, to which any
 * flag of `run` may be added (`scalebench demo -o /tmp/out`).
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";

/** The `run` arguments the demo stands for. */
export const DEMO_ARGS: readonly string[] = [
  "run",
  "amdahl",
  "-c",
  "1,2",
  "-r",
  "5",
  "--warmup",
  "1",
  "--set",
  "work=200",
  "--report",
];

/** `args` with a leading `demo` replaced by the run it stands for. */
export function expandDemo(args: readonly string[]): string[] {
  return args[0] === "demo" ? [...DEMO_ARGS, ...args.slice(1)] : [...args];
}

/** The `demo` command, for help: main() expands it into `run …` before parsing. */
export function demoCommand(): Command {
  return new Command("demo")
    .description(
      `README's demo: scalebench ${DEMO_ARGS.join(" ")} (any run flag may follow, e.g. -o DIR)`,
    )
    .allowUnknownOption()
    .allowExcessArguments();
}
