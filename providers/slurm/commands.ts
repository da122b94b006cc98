/**
 * Slurm's commands (sbatch, squeue, scontrol, scancel, srun) and parsers of what they print.
 *
 * @module
 */
import type { JobState } from "../../core/provider.ts";

/** What a Slurm command printed. */
export interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a Slurm command (no shell involved). */
export async function slurm(cmd: string, args: string[]): Promise<Output> {
  try {
    const out = await new Deno.Command(cmd, {
      args,
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      return { code: 127, stdout: "", stderr: `${cmd}: command not found` };
    }
    throw err;
  }
}

/** The job id in `sbatch --parsable`'s output (`id` or `id;cluster`). */
export function parseSbatch(stdout: string): string | null {
  const m = /^(\d+)(;\S+)?\s*$/m.exec(stdout.trim());
  return m ? m[1] : null;
}

/** Key=Value pairs of one `scontrol show job -o` line. */
export function parseScontrol(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  // values may contain spaces only in a few fields (e.g. Command); split on " Key=" boundaries
  const re = /(?:^|\s)([A-Za-z:/]+)=(.*?)(?=\s[A-Za-z:/]+=|$)/g;
  for (const m of line.trim().matchAll(re)) out[m[1]] = m[2];
  return out;
}

const PENDING = new Set([
  "PENDING",
  "CONFIGURING",
  "REQUEUED",
  "REQUEUE_HOLD",
  "REQUEUE_FED",
  "RESV_DEL_HOLD",
  "SUSPENDED",
]);
const RUNNING = new Set(["RUNNING", "COMPLETING", "STAGE_OUT", "SIGNALING", "RESIZING"]);

/** Our job state from Slurm's state, reason and exit code. */
export function mapState(state: string, reason: string, exitCode = ""): JobState {
  const s = state.replace(/\+$/, "").split(" ")[0].toUpperCase();
  const why = reason && reason !== "None" && reason !== "(null)" ? reason : "";
  if (PENDING.has(s)) return { state: "pending", reason: why || s };
  if (RUNNING.has(s)) return { state: "running" };
  if (s === "COMPLETED") return { state: "succeeded" };
  if (s === "CANCELLED") return { state: "cancelled", reason: why || "Cancelled" };
  const detail = [s, why, exitCode && exitCode !== "0:0" ? `exit code ${exitCode}` : ""].filter(
    Boolean,
  ).join(", ");
  return { state: "failed", reason: detail };
}

/** Host names of a Slurm node list (`node[1-3]` → node1, node2, node3), through scontrol. */
export async function hostnames(nodelist: string): Promise<string[]> {
  if (!nodelist || nodelist === "(null)") return [];
  const out = await slurm("scontrol", ["show", "hostnames", nodelist]);
  return out.code === 0 ? out.stdout.split("\n").map((s) => s.trim()).filter(Boolean) : [nodelist];
}

/** The state of job `id`: squeue while it is known there, then scontrol. */
export async function jobState(id: string): Promise<JobState & { nodelist?: string }> {
  const q = await slurm("squeue", ["-h", "-j", id, "-o", "%T|%r|%N"]);
  const line = q.code === 0 ? q.stdout.trim().split("\n")[0] : "";
  if (line) {
    const [state, reason, nodelist] = line.split("|");
    return { ...mapState(state, reason), nodelist };
  }
  const c = await slurm("scontrol", ["show", "job", "-o", id]);
  if (c.code === 0 && c.stdout.trim()) {
    const f = parseScontrol(c.stdout.split("\n")[0]);
    return {
      ...mapState(f.JobState ?? "UNKNOWN", f.Reason ?? "", f.ExitCode),
      nodelist: f.NodeList,
    };
  }
  return { state: "failed", reason: `Job ${id} is unknown to squeue and scontrol` };
}

/** Ids of live jobs whose name starts with `prefix`. */
export async function jobsNamed(prefix: string): Promise<string[]> {
  const q = await slurm("squeue", ["-h", "-o", "%i|%j"]);
  if (q.code !== 0) return [];
  return q.stdout.split("\n").map((l) => l.trim().split("|")).filter(([, n]) =>
    n?.startsWith(prefix)
  ).map(([id]) => id);
}

/** Whether Slurm answers here: null if it does, else why not. */
export async function slurmUnreachable(): Promise<string | null> {
  const out = await slurm("sinfo", ["-h", "-o", "%D"]);
  if (out.code === 127) return "no Slurm commands on PATH (sinfo not found)";
  if (out.code !== 0) return `sinfo failed: ${out.stderr.trim().split("\n")[0]}`;
  return null;
}
