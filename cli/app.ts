/**
 * The `scalebench` command line (commander + extra-typings). Maps errors to exit codes: a
 * ValidationError or a usage error is one line on stderr and exit 2; anything else is a bug and
 * keeps its stack.
 *
 * @module
 */
import { Command, CommanderError } from "@commander-js/extra-typings";
import { ValidationError } from "../core/errors.ts";
import { VERSION } from "../core/version.ts";
import { initCommand } from "./init.ts";
import { listCommand } from "./list.ts";
import { type Plugin, pluginOfCommandLine, runCommand } from "./run.ts";
import { ExitError } from "./exit.ts";
import { showCommand } from "./show.ts";
// Commands of other areas: one import and one addCommand line each.
import { reportCommand } from "./report.ts";
import { imageCommand } from "./image.ts";
import { dataCommand } from "./data.ts";
import { compareCommand } from "./compare.ts";
import { demoCommand, expandDemo } from "./demo.ts";
import { addWorkloadHelp } from "./workload_help.ts";
import { builtinWorkloads } from "../workloads/mod.ts";
import { outputWidth } from "./_table.ts";

/** The program with every command; `plugin`: a provider plugin the command line names. */
export function program(plugin?: Plugin): Command {
  const cmd = new Command()
    .name("scalebench")
    .description(
      "Measure how programs scale: strong and weak scaling sweeps on this machine, Slurm, Kubernetes, hosts over ssh or a provider plugin",
    )
    .version(VERSION, "-V, --version")
    .addCommand(demoCommand())
    .addCommand(runCommand(plugin))
    .addCommand(listCommand())
    .addCommand(showCommand())
    .addCommand(initCommand());
  // Other areas' commands are added here, one line each.
  cmd.addCommand(reportCommand());
  cmd.addCommand(imageCommand());
  cmd.addCommand(dataCommand());
  cmd.addCommand(compareCommand());
  return cmd;
}

function exitOverrideAll(
  cmd: Command<unknown[], Record<string, unknown>, Record<string, unknown>>,
): void {
  cmd.exitOverride();
  cmd.configureOutput({
    outputError: (str, write) =>
      write(str.replace(/^error: (.)/, (_, c: string) => c.toUpperCase())),
  });
  for (const sub of cmd.commands) exitOverrideAll(sub as never);
}

/** Run the CLI with `args`; exits the process with the command's code. */
export async function main(argv: string[]): Promise<never> {
  const args = expandDemo(argv);
  try {
    const cmd = program(await pluginOfCommandLine(args));
    await addWorkloadHelp(cmd, args, { workloads: builtinWorkloads, width: outputWidth() });
    exitOverrideAll(cmd as never);
    await cmd.parseAsync(args, { from: "user" });
    Deno.exit(0);
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version end here too; usage errors were printed by commander
      Deno.exit(err.exitCode === 0 ? 0 : 2);
    }
    if (err instanceof ValidationError) {
      console.error(err.message);
      Deno.exit(2);
    }
    if (err instanceof ExitError) Deno.exit(err.code);
    console.error(err instanceof Error ? err.stack : String(err));
    Deno.exit(1);
  }
}

export { ExitError };
