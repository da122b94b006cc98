import { localProvider } from "../providers/local.ts";
import { providerConformance } from "./provider_conformance.ts";

/** Processes whose environment names a spec file inside `runDir`: the run's ranks. */
async function ranksOf(runDir: string): Promise<number[]> {
  const pids: number[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const env = await Deno.readTextFile(`/proc/${e.name}/environ`);
      if (env.includes(`SCALEBENCH_SPEC_FILE=${runDir}/logs/`)) pids.push(Number(e.name));
    } catch { /* gone or not ours */ }
  }
  return pids;
}

providerConformance({
  provider: localProvider,
  async assertNothingLeft({ runDir }) {
    const abs = new URL(runDir, `file://${Deno.cwd()}/`).pathname;
    const left = await ranksOf(abs);
    if (left.length) throw new Error(`Rank processes left running: ${left.join(", ")}`);
  },
});
