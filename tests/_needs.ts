/**
 * What a test needs from the machine (a command, Debian's Python packages, a Slurm cluster, sshd,
 * root…). Where something is missing, the test is *ignored with the reason in its name*, never
 * failed and never silently passed. With `SCALEBENCH_TEST_REQUIRE_ALL=1` (CI sets it) a missing
 * need makes the test fail instead, so CI cannot pass by skipping.
 *
 * @example
 * ```ts ignore
 * import { needCommand, needs } from "./_needs.ts";
 * const chromium = await needCommand("chromium");
 * Deno.test(needs([chromium], { name: "report in Chromium", async fn() {} }));
 * ```
 *
 * @module
 */

/** One requirement: what it is, and why it is missing here (null when present). */
export interface Need {
  what: string;
  missing: string | null;
}

/** Debian's Python, which the python3-* packages install into (a pyenv python3 on PATH lacks them). */
export const PYTHON = "/usr/bin/python3";

/** True when CI asked for every test to run (`SCALEBENCH_TEST_REQUIRE_ALL=1`). */
export function requireAll(): boolean {
  return /^(1|true|yes)$/i.test(Deno.env.get("SCALEBENCH_TEST_REQUIRE_ALL") ?? "");
}

async function succeeds(cmd: string, args: string[]): Promise<string | null> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "piped" }).output();
    if (out.success) return null;
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").pop() ?? "";
    return `'${[cmd, ...args].join(" ")}' failed${err ? `: ${err.slice(0, 160)}` : ""}`;
  } catch (err) {
    return err instanceof Deno.errors.NotFound
      ? `'${cmd}' is not installed`
      : `'${cmd}' cannot run: ${(err as Error).message}`;
  }
}

/** A command that must run (`args` default `--version`; some tools want `-h` or similar). */
export async function needCommand(name: string, args: string[] = ["--version"]): Promise<Need> {
  return { what: name, missing: await succeeds(name, args) };
}

/**
 * A program on PATH, found without running it (for programs like `hpcc` that ignore `--help` and
 * start working in the current directory).
 */
export async function needOnPath(name: string): Promise<Need> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":").filter(Boolean)) {
    try {
      const info = await Deno.stat(`${dir}/${name}`);
      if (info.isFile && (info.mode ?? 0o111) & 0o111) return { what: name, missing: null };
    } catch { /* not in this directory */ }
  }
  return { what: name, missing: `'${name}' is not installed (not on PATH)` };
}

/** Python modules importable by Debian's /usr/bin/python3 (e.g. `xarray`, `distributed`). */
export async function needPython(...modules: string[]): Promise<Need> {
  const what = `python3 ${modules.join(", ")}`;
  const why = await succeeds(PYTHON, ["-c", `import ${modules.join(", ")}`]);
  return { what, missing: why ? `${what} not importable (${why})` : null };
}

/** A Slurm cluster that answers `sinfo` with at least one node up. */
export async function needSlurm(): Promise<Need> {
  const why = await succeeds("sinfo", ["-h", "-o", "%t"]);
  return {
    what: "Slurm",
    missing: why
      ? `no Slurm cluster (${why}; start one with bash .ci/local_slurm.sh start 3 4)`
      : null,
  };
}

/** Running as root (packet captures, sshd setup…). */
export function needRoot(): Need {
  return { what: "root", missing: Deno.uid() === 0 ? null : "not running as root" };
}

/** A need computed by the caller: `missing` is the reason or null. */
export function need(what: string, missing: string | null): Need {
  return { what, missing };
}

/** The reasons of the missing needs, joined; "" when all are present. */
export function missingReasons(list: Need[]): string {
  return list.filter((n) => n.missing).map((n) => n.missing).join("; ");
}

/**
 * A test definition that is ignored (reason in its name) when a need is missing, or, under
 * `SCALEBENCH_TEST_REQUIRE_ALL=1`, fails with that reason. Works for `Deno.test` and `t.step`.
 */
export function needs<T extends { name: string; fn: (...a: never[]) => unknown }>(
  list: Need[],
  def: T,
): T & { ignore?: boolean } {
  const why = missingReasons(list);
  if (!why) return def;
  if (requireAll()) {
    return {
      ...def,
      fn: () => {
        throw new Error(`Required (SCALEBENCH_TEST_REQUIRE_ALL=1) but missing: ${why}`);
      },
    };
  }
  return { ...def, name: `${def.name} [ignored: ${why}]`, ignore: true };
}
