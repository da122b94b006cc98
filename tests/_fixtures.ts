/**
 * Records for tests of statistics and reports: an observation of one repetition that went well,
 * and a run of observations with nothing else recorded. Give only the fields a test is about.
 */
import type { Observation } from "../core/types.ts";
import type { RunSource } from "../reports/model.ts";

/** One measured repetition of operation "op" of workload "w" (strong, 1 node, threads = cores). */
export function observation(
  o: Partial<Observation> & { cores: number; seconds: number | null },
): Observation {
  return {
    workload: "w",
    op: "op",
    mode: "strong",
    nodes: 1,
    ranks: 1,
    threads: o.cores,
    rep: 0,
    warmup: false,
    rank_seconds: o.seconds === null ? [] : [o.seconds],
    ok: o.seconds !== null,
    error: null,
    unit: null,
    rate: null,
    peak_rss_bytes: null,
    size: 1,
    ...o,
  };
}

/** Repetitions 0, 1, … at `cores` taking `seconds` each. */
export function repetitions(cores: number, seconds: number[]): Observation[] {
  return seconds.map((s, rep) => observation({ cores, rep, seconds: s }));
}

/** A scalebench run "r" of workload "w" made of `observations` (operation "op" unless given). */
export function runSource(observations: Observation[], o: Partial<RunSource> = {}): RunSource {
  return {
    kind: "scalebench",
    path: `/${o.id ?? "r"}`,
    id: "r",
    label: o.id ?? "r",
    workload: "w",
    summary: null,
    mode: "strong",
    params: {},
    provider: null,
    environment: null,
    plan: null,
    startedAt: null,
    endedAt: null,
    status: null,
    operations: ["op"],
    observations,
    monitor: [],
    aggregates: [],
    warnings: [],
    ...o,
  };
}
