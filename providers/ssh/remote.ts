/**
 * What the ssh provider runs: the ssh client's arguments, and the one-line POSIX `sh` scripts it
 * sends — the rank wrapper (reads the token from stdin, reports its pid and process group, then
 * execs the rank with its environment), the kill, copy, wait and clean-up scripts. Every word is
 * quoted for `sh`; the remote login shell only sees `sh -c '<script>'`. Pure functions.
 *
 * @module
 */

/** A word quoted for POSIX sh (left bare when it is plainly safe). */
export function shq(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The command string ssh sends: the login shell (bash, zsh, csh…) runs `sh -c '<script>'`. */
export function shCommand(script: string): string {
  return `sh -c ${shq(script)}`;
}

/** How ssh is called: `-F`, the user's `-o` options, then BatchMode=yes (theirs win: first value). */
export interface SshCall {
  config: string | null;
  options: string[];
}

/** ssh's arguments to run `command` on `host`: no pseudo-terminal, nothing prompts. */
export function sshArgs(call: SshCall, host: string, command: string): string[] {
  return [
    ...(call.config ? ["-F", call.config] : []),
    ...call.options.flatMap((o) => ["-o", o]),
    "-o",
    "BatchMode=yes",
    "-T",
    host,
    command,
  ];
}

/** ssh's arguments that print its configuration for `host` (`ssh -G`: nothing is contacted). */
export function sshConfigArgs(call: SshCall, host: string): string[] {
  return [
    ...(call.config ? ["-F", call.config] : []),
    ...call.options.flatMap((o) => ["-o", o]),
    "-G",
    host,
  ];
}

/** The first line the rank wrapper writes on stderr (stripped from the rank's log). */
export const MARKER = "@@scalebench-ssh";

/**
 * The rank wrapper: read the token (first line of stdin; the rest of stdin stays open, and the rank
 * exits when it closes), say `@@scalebench-ssh pid=P pgid=G` on stderr, then exec the rank with
 * `env` (so nothing secret is on a command line). The process group is the ssh session's (sshd
 * starts every session in its own), so killing it stops the rank and anything it started.
 */
export function rankScript(env: Record<string, string>, argv: string[]): string {
  const vars = Object.entries(env).map(([k, v]) => shq(`${k}=${v}`));
  return [
    "read -r SCALEBENCH_TOKEN || exit 97",
    "export SCALEBENCH_TOKEN",
    `echo "${MARKER} pid=$$ pgid=$(ps -o pgid= -p $$ 2>/dev/null)" >&2`,
    `exec env ${[...vars, ...argv.map(shq)].join(" ")}`,
  ].join("; ");
}

/** The pid and process group of a marker line, or null when `line` is not one. */
export function parseMarker(line: string): { pid: number; pgid: number | null } | null {
  const m = /^@@scalebench-ssh pid=(\d+) pgid=\s*(\d*)\s*$/.exec(line);
  if (!m) return null;
  return { pid: Number(m[1]), pgid: m[2] ? Number(m[2]) : null };
}

/** Signal each rank's process group (its pid when the group is unknown); never fails. */
export function killScript(
  signal: "TERM" | "KILL",
  ranks: { pid: number; pgid: number | null }[],
): string {
  const parts = ranks.map((r) =>
    r.pgid
      ? `kill -${signal} -- -${r.pgid} 2>/dev/null || kill -${signal} ${r.pid} 2>/dev/null`
      : `kill -${signal} ${r.pid} 2>/dev/null`
  );
  return [...parts, "exit 0"].join("; ");
}

/** The line that starts each file in a {@linkcode packFiles} stream. */
export const FILE_MARKER = "@@scalebench-file";

/** Files (name → text) as one text stream for {@linkcode writeFilesScript}. */
export function packFiles(files: Record<string, string>): string {
  return Object.entries(files).map(([name, text]) =>
    `${FILE_MARKER} ${name}\n${text}${text === "" || text.endsWith("\n") ? "" : "\n"}`
  ).join("");
}

/**
 * Unpack a {@linkcode packFiles} stream from stdin into `dir` (names may hold one `sub/`): files
 * 0600 in directories 0700 (`umask 077`), after removing `remove`. One connection carries every
 * file a point needs on a host; `awk` (POSIX) splits the stream.
 */
export function writeFilesScript(
  dir: string,
  options: { subdirs?: string[]; remove?: string[] } = {},
): string {
  const dirs = [dir, ...(options.subdirs ?? []).map((d) => `${dir}/${d}`)];
  const awk = `/^${FILE_MARKER} / { if (length(f)) close(f); f = d "/" $2; printf "" > f; next }` +
    ` length(f) { print > f }`;
  return [
    "umask 077",
    `mkdir -p ${dirs.map(shq).join(" ")}`,
    ...(options.remove ?? []).map((p) => `rm -f ${shq(p)}`),
    `awk -v d=${shq(dir)} ${shq(awk)}`,
  ].join(" && ");
}

/**
 * Print `path` once it exists and is not empty (rank 0's published address); give up after
 * `seconds`, or as soon as the ssh session that runs it is gone (its parent died).
 */
export function waitFileScript(path: string, seconds: number): string {
  const tries = Math.max(1, Math.ceil(seconds * 5));
  return [
    `f=${shq(path)}`,
    "n=0",
    `while [ ! -s "$f" ]; do n=$((n+1)); [ "$n" -gt ${tries} ] && exit 3; kill -0 $PPID 2>/dev/null || exit 4; sleep 0.2; done`,
    `cat "$f"`,
  ].join("; ");
}

/** Remove a run's directory on a host (`dir` must be that run's own directory). */
export function removeScript(dir: string): string {
  return `rm -rf ${shq(dir)}`;
}

/** ssh options as given: `Key=Value` or `Key Value`; a comma-split value (from the environment) rejoined. */
export function normaliseOptions(values: string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (out.length && !/^[A-Za-z][A-Za-z0-9]*(=|\s)/.test(v)) out[out.length - 1] += `,${v}`;
    else out.push(v);
  }
  return out;
}

/** Why an ssh option is not `Key=Value`, or undefined. */
export function optionProblem(values: string[]): string | undefined {
  for (const o of normaliseOptions(values)) {
    if (!/^[A-Za-z][A-Za-z0-9]*(=|\s+)\S/.test(o)) {
      return `expects ssh options as Key=Value, e.g. ConnectTimeout=10 (got '${o}')`;
    }
  }
  return undefined;
}
