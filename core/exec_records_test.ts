import assert from "node:assert/strict";
import type { ProgramRun } from "./engine.ts";
import { combineRepetition, parseRecords, type RankOutcome } from "./exec_records.ts";

const ran = (seconds: number, extra: Partial<ProgramRun> = {}): ProgramRun => ({
  ran: true,
  code: 0,
  signal: null,
  seconds,
  stderrTail: "",
  peakRssBytes: 1000,
  ...extra,
});
const idle: ProgramRun = { ...ran(0), ran: false, code: null, peakRssBytes: null };
const lines = (...records: unknown[]) => records.map((r) => JSON.stringify(r)).join("\n") + "\n";
const outcome = (rank: number, run: ProgramRun, text?: string): RankOutcome => ({
  rank,
  run,
  files: text === undefined ? [] : [{ writer: rank, text }],
});
const base = { rep: 2, warmup: false, ranks: 2, records: "every-rank" as const, ops: null };

Deno.test("parseRecords() reads JSON lines, fills the optional fields and skips blank lines", () => {
  assert.deepEqual(
    parseRecords('{"op":"a","seconds":1.5,"amount":3,"unit":"MB"}\n\n{"op":" b ","seconds":0}\n'),
    {
      records: [
        { op: "a", seconds: 1.5, amount: 3, unit: "MB", ok: true, error: null },
        { op: "b", seconds: 0, amount: null, unit: null, ok: true, error: null },
      ],
      error: null,
    },
  );
});

Deno.test("parseRecords() stops at the first malformed line and says which and why", () => {
  const cases: [string, string][] = [
    ["not json", "records line 1 is not JSON: not json"],
    ['{"seconds":1}', 'records line 1 needs "op": a name of 1 to 200 characters: {"seconds":1}'],
    ['{"op":"a"}', 'records line 1 needs "seconds": a number ≥ 0: {"op":"a"}'],
    [
      '{"op":"a","seconds":-1}',
      'records line 1 needs "seconds": a number ≥ 0: {"op":"a","seconds":-1}',
    ],
    [
      '{"op":"a","seconds":1,"amount":"x"}',
      'records line 1 has an "amount" that is not a number ≥ 0: {"op":"a","seconds":1,"amount":"x"}',
    ],
    [
      '{"op":"a","seconds":1,"ok":"yes"}',
      'records line 1 has an "ok" that is not true/false: {"op":"a","seconds":1,"ok":"yes"}',
    ],
    ["[1]", "records line 1 is not a JSON object: [1]"],
  ];
  for (const [text, error] of cases) assert.deepEqual(parseRecords(text), { records: [], error });
  const partial = parseRecords('{"op":"a","seconds":1}\ngarbage');
  assert.equal(partial.records.length, 1);
  assert.equal(partial.error, "records line 2 is not JSON: garbage");
});

Deno.test("combineRepetition() takes each op's slowest rank, keeps every rank's, and sums amounts into the rate", () => {
  const r = combineRepetition([
    outcome(
      0,
      ran(0.5),
      lines({ op: "a", seconds: 0.25, amount: 10, unit: "MB" }, { op: "b", seconds: 0.1 }),
    ),
    outcome(
      1,
      ran(0.6),
      lines({ op: "a", seconds: 0.375, amount: 10, unit: "MB" }, { op: "b", seconds: 0.05 }),
    ),
  ], base);
  assert.deepEqual(r.ops, ["a", "b"]);
  assert.deepEqual(
    r.observations.map((o) => [o.op, o.rep, o.seconds, o.rank_seconds, o.ok, o.unit, o.rate]),
    [
      ["a", 2, 0.375, [0.25, 0.375], true, "MB/s", 20 / 0.375],
      ["b", 2, 0.1, [0.1, 0.05], true, null, null],
    ],
  );
  assert.deepEqual([r.observations[0].peak_rss_bytes, r.observations[0].rank_peak_rss_bytes], [
    2000,
    [1000, 1000],
  ]);
});

Deno.test("combineRepetition() adds up one rank's records of the same op", () => {
  const r = combineRepetition([
    outcome(
      0,
      ran(1),
      lines({ op: "a", seconds: 0.5, amount: 1 }, { op: "a", seconds: 0.25, amount: 2 }),
    ),
  ], { ...base, ranks: 1 });
  assert.deepEqual(r.observations.map((o) => [o.seconds, o.rate, o.unit]), [[0.75, 4, "items/s"]]);
});

Deno.test("combineRepetition() times the program as a whole when it writes no records", () => {
  const r = combineRepetition([outcome(0, ran(0.31)), outcome(1, ran(0.33))], base);
  assert.deepEqual(r.ops, ["exec"]);
  assert.deepEqual(
    r.observations.map((o) => [o.op, o.seconds, o.rank_seconds, o.ok, o.error]),
    [["exec", 0.33, [0.31, 0.33], true, null]],
  );
});

Deno.test("combineRepetition() fails an observation for a failed process, ok: false, garbage or a missing op", () => {
  const exit = combineRepetition([
    outcome(0, ran(0.2), lines({ op: "a", seconds: 0.1 })),
    outcome(1, ran(0.2, { code: 3, stderrTail: "boom" }), lines({ op: "a", seconds: 0.2 })),
  ], base);
  assert.deepEqual(exit.observations.map((o) => [o.op, o.ok, o.seconds, o.error]), [
    ["a", false, 0.2, "rank 1: the program exited with code 3\nboom"],
  ]);
  const bad = combineRepetition([
    outcome(0, ran(0.2), lines({ op: "a", seconds: 0.1, ok: false, error: "wrong sum" })),
    outcome(1, ran(0.2), lines({ op: "a", seconds: 0.1 })),
  ], base);
  assert.deepEqual(bad.observations.map((o) => [o.ok, o.error]), [[false, "rank 0: wrong sum"]]);
  const garbage = combineRepetition([
    outcome(0, ran(0.2), lines({ op: "a", seconds: 0.1 })),
    outcome(1, ran(0.2), '{"op":"a","seconds":0.1}\n###\n'),
  ], base);
  assert.deepEqual(garbage.observations.map((o) => [o.ok, o.error]), [
    [false, "rank 1: records line 2 is not JSON: ###"],
  ]);
  const fewer = combineRepetition([
    outcome(0, ran(0.2), lines({ op: "a", seconds: 0.1 }, { op: "b", seconds: 0.1 })),
    outcome(1, ran(0.2), lines({ op: "a", seconds: 0.3 })),
  ], base);
  assert.deepEqual(fewer.observations.map((o) => [o.op, o.ok, o.seconds, o.error]), [
    ["a", true, 0.3, null],
    ["b", false, 0.1, "rank 1 recorded no 'b'"],
  ]);
  const silent = combineRepetition([
    outcome(0, ran(0.2), lines({ op: "a", seconds: 0.1 })),
    outcome(1, ran(0.2), ""),
  ], base);
  assert.deepEqual(silent.observations.map((o) => [o.ok, o.error]), [[
    false,
    "rank 1 recorded no 'a'",
  ]]);
});

Deno.test("combineRepetition() with nothing recorded and a failed program leaves the ops unknown", () => {
  const r = combineRepetition([
    outcome(0, ran(0.1, { code: null, signal: "SIGKILL", stderrTail: "" })),
  ], { ...base, ranks: 1 });
  assert.equal(r.ops, null);
  assert.deepEqual(r.observations.map((o) => [o.op, o.ok, o.error]), [
    ["exec", false, "rank 0: the program was killed by SIGKILL"],
  ]);
  const garbageOnly = combineRepetition([outcome(0, ran(0.1), "nope")], { ...base, ranks: 1 });
  assert.equal(garbageOnly.ops, null);
  assert.deepEqual(garbageOnly.observations.map((o) => [o.op, o.ok, o.error]), [
    ["exec", false, "rank 0: records line 1 is not JSON: nope"],
  ]);
});

Deno.test("combineRepetition() holds a repetition to known ops: drops others, fails what is missing", () => {
  const r = combineRepetition([
    outcome(0, ran(0.2), lines({ op: "a", seconds: 0.1 }, { op: "c", seconds: 0.1 })),
  ], { ...base, ranks: 1, ops: ["a", "b"] });
  assert.deepEqual(r.dropped, ["c"]);
  assert.deepEqual(r.ops, ["a", "b"]);
  assert.deepEqual(r.observations.map((o) => [o.op, o.ok, o.error]), [
    ["a", true, null],
    ["b", false, "No record of operation 'b'"],
  ]);
  // `exec` known: timed around the program, whatever it records besides
  const exec = combineRepetition([outcome(0, ran(0.5), lines({ op: "x", seconds: 0.1 }))], {
    ...base,
    ranks: 1,
    ops: ["exec"],
  });
  assert.deepEqual(exec.observations.map((o) => [o.op, o.seconds, o.ok]), [["exec", 0.5, true]]);
  assert.deepEqual(exec.dropped, ["x"]);
});

Deno.test("combineRepetition() with writers: only who wrote counts (MPI rank 0 alone, or all)", () => {
  const writers = { ...base, ranks: 4, records: "writers" as const };
  const alone = combineRepetition([
    outcome(0, ran(2), lines({ op: "hpl", seconds: 1.5, amount: 3, unit: "Gflop" })),
    outcome(1, idle),
    outcome(2, idle),
    outcome(3, idle),
  ], writers);
  assert.deepEqual(alone.observations.map((o) => [o.op, o.seconds, o.rank_seconds, o.rate]), [
    ["hpl", 1.5, [1.5], 2],
  ]);
  // MPI ranks' files found on two nodes, the same file seen twice on a shared directory
  const all = combineRepetition([
    {
      rank: 0,
      run: ran(2),
      files: [{ writer: 0, text: lines({ op: "x", seconds: 1 }) }, {
        writer: 1,
        text: lines({ op: "x", seconds: 3 }),
      }],
    },
    { rank: 1, run: idle, files: [{ writer: 1, text: lines({ op: "x", seconds: 3 }) }] },
  ], writers);
  assert.deepEqual(all.observations.map((o) => [o.seconds, o.rank_seconds]), [[3, [1, 3]]]);
  const noWriter = combineRepetition([outcome(0, ran(0.7)), outcome(1, idle)], writers);
  assert.deepEqual(noWriter.observations.map((o) => [o.op, o.seconds, o.rank_seconds]), [[
    "exec",
    0.7,
    [0.7],
  ]]);
});
