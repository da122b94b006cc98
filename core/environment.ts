/**
 * The machine and software a run used, recorded in its manifest.
 *
 * @module
 */
import type { EnvironmentInfo } from "./types.ts";
import { VERSION } from "./version.ts";

function cpuModel(): string | null {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(Deno.readTextFileSync("/proc/cpuinfo"));
    return m ? m[1].trim() : null;
  } catch {
    return null;
  }
}

/** The git commit (and whether the tree has changes) of `dir`, or null outside a checkout. */
export function gitCommit(dir?: string): { commit: string; dirty: boolean } | null {
  const git = (args: string[]) => {
    try {
      const out = new Deno.Command("git", { args, cwd: dir, stdout: "piped", stderr: "null" })
        .outputSync();
      return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
    } catch {
      return null; // no git, or not permitted
    }
  };
  const commit = git(["rev-parse", "HEAD"]);
  if (!commit || !/^[0-9a-f]{40,64}$/.test(commit)) return null;
  const status = git(["status", "--porcelain", "--untracked-files=no"]);
  return { commit, dirty: !!status };
}

/** Describe this machine (and the git commit of the working directory, when there is one). */
export function captureEnvironment(): EnvironmentInfo {
  let memory: number | null = null;
  try {
    memory = Deno.systemMemoryInfo().total;
  } catch { /* not permitted */ }
  return {
    host: Deno.hostname(),
    cpu_model: cpuModel(),
    cores: navigator.hardwareConcurrency,
    memory_bytes: memory,
    os: `${Deno.build.os} ${Deno.osRelease()} ${Deno.build.arch}`,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    scalebench: VERSION,
    git: gitCommit(),
  };
}

/** Hex SHA-256 of a file (by path or file:// URL), or null when it cannot be read. */
export async function sha256File(url: string | null): Promise<string | null> {
  if (!url) return null;
  try {
    const bytes = await Deno.readFile(url.startsWith("file:") ? new URL(url) : url);
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  } catch {
    return null;
  }
}
