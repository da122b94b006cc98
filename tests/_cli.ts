/**
 * Run the scalebench CLI of this checkout as a subprocess (for integration tests).
 *
 * @module
 */
export const MAIN = new URL("../cli/main.ts", import.meta.url).pathname;
export const CONFIG = new URL("../deno.json", import.meta.url).pathname;

/** The CLI's argv prefix. */
export const CLI = [Deno.execPath(), "run", "-A", "--quiet", "--config", CONFIG, MAIN];

/** Output of one CLI call. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `scalebench ...args` and wait for it. */
export async function cli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  const out = await new Deno.Command(CLI[0], {
    args: [...CLI.slice(1), ...args],
    env: { NO_COLOR: "1", ...options.env },
    cwd: options.cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Start `scalebench ...args` without waiting. */
export function spawnCli(args: string[], options: { cwd?: string } = {}): Deno.ChildProcess {
  return new Deno.Command(CLI[0], {
    args: [...CLI.slice(1), ...args],
    cwd: options.cwd,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}
