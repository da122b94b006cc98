/**
 * What the report benches share to write a synthetic run directory: an observation of a passing
 * rank-layout repetition from the few fields that vary, and the three files of a run.
 *
 * @module
 */
import type { Manifest, MonitorSample, Observation } from "../core/types.ts";

/** The fields of a synthetic observation that vary; the rest are a passing strong-mode rep. */
export type SyntheticObservation =
  & Pick<Observation, "workload" | "op" | "cores" | "nodes" | "rep" | "unit" | "rate" | "size">
  & { seconds: number; peak_rss_bytes: number; t_start: number };

/** A passing, non-warm-up strong-mode observation of one rank per core, batch `p-c<cores>`. */
export function observation(o: SyntheticObservation): Observation {
  return {
    workload: o.workload,
    op: o.op,
    mode: "strong",
    cores: o.cores,
    nodes: o.nodes,
    ranks: o.cores,
    threads: 1,
    rep: o.rep,
    warmup: false,
    seconds: o.seconds,
    rank_seconds: [o.seconds],
    ok: true,
    error: null,
    unit: o.unit,
    rate: o.rate,
    peak_rss_bytes: o.peak_rss_bytes,
    size: o.size,
    batch: `p-c${o.cores}`,
    t_start: o.t_start,
    t_end: o.t_start + o.seconds,
  };
}

/** Write `dir`'s manifest.json, observations.jsonl and monitor.jsonl. */
export async function writeRun(
  dir: string,
  run: { manifest: Manifest; observations: Observation[]; monitor: MonitorSample[] },
): Promise<void> {
  const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
  await Deno.writeTextFile(`${dir}/manifest.json`, JSON.stringify(run.manifest));
  await Deno.writeTextFile(`${dir}/observations.jsonl`, jsonl(run.observations));
  await Deno.writeTextFile(`${dir}/monitor.jsonl`, jsonl(run.monitor));
}
