/**
 * Command lines without a shell: `--exec "python3 bench.py --size 100"` split into argv the way a
 * POSIX shell splits words (single quotes literal, double quotes with `\"`/`\\` escapes, a
 * backslash outside quotes escapes the next character), but nothing else a shell does — no
 * variables, globs, pipes or redirections. Also the workload name a command gets.
 *
 * @module
 */
import { quote, ValidationError } from "./errors.ts";

/** Split a command line into argv; `flag` names it in errors. */
export function splitCommand(text: string, options: { flag?: string } = {}): string[] {
  const flag = options.flag ?? "--exec";
  const out: string[] = [];
  let word = "", inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (/\s/.test(c)) {
      if (inWord) out.push(word);
      word = "";
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new ValidationError(`${flag} has an unterminated ' quote: ${quote(text)}`);
      word += text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === "\\" && /["\\$`]/.test(text[j + 1] ?? "")) j++;
        word += text[j];
      }
      if (j >= text.length) {
        throw new ValidationError(`${flag} has an unterminated " quote: ${quote(text)}`);
      }
      i = j;
    } else if (c === "\\") {
      if (i + 1 >= text.length) {
        throw new ValidationError(`${flag} ends with a lone backslash: ${quote(text)}`);
      }
      word += text[++i];
    } else {
      word += c;
    }
  }
  if (inWord) out.push(word);
  if (!out.length) throw new ValidationError(`${flag} is empty: give the command to run`);
  return out;
}

/** A command for display: words quoted only where needed. */
export function joinCommand(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(" ");
}

const INTERPRETERS =
  /^(python[\d.]*|pypy[\d.]*|node|deno|bun|bash|sh|zsh|Rscript|julia|perl|ruby|java)$/;

/**
 * The workload name of a command: its program's file name, or its script's (module's) when the
 * program is an interpreter (`python3 bench.py` → `bench.py`, `python3 -m pkg.run` → `pkg.run`;
 * not inline code: `sh -c '…'` → `sh`), in the characters workload names allow.
 */
export function commandName(argv: string[]): string {
  const base = (p: string) => p.replace(/\/+$/, "").split("/").pop() ?? p;
  let name = base(argv[0] ?? "exec");
  if (INTERPRETERS.test(name)) {
    // the script, or python's `-m module`; code given inline (`-c`, `-e`) keeps the interpreter's
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i];
      if (a === "-m" && argv[i + 1]) name = argv[i + 1];
      else if (a === "-c" || a === "-e") break;
      else if (a.startsWith("-")) continue;
      else name = base(a);
      break;
    }
  }
  name = name.replace(/[^\w.-]+/g, "_").replace(/^[^A-Za-z0-9]+/, "");
  return name.slice(0, 60) || "exec";
}

/** The environment variable of a parameter: `SCALEBENCH_PARAM_<KEY>` (`n-iter` → `N_ITER`). */
export function paramVariable(key: string): string {
  return `SCALEBENCH_PARAM_${key.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}
