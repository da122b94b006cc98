import assert from "node:assert/strict";
import { RecordError, toObservation, toTaskRecord } from "./observation.ts";
import { decodeRecord, encodeRecord, toRankSpec } from "./protocol.ts";

const TASK = {
  op: "burn",
  rep: 0,
  warmup: false,
  seconds: 1.5,
  rank_seconds: [1.5, 1.2],
  ok: true,
  error: null,
  unit: "Miter/s",
  rate: 10,
  peak_rss_bytes: 100,
  rank_peak_rss_bytes: [60, 40],
  t_start: 1,
  t_end: 2.5,
};

Deno.test("decodeRecord() returns the checked record, null for a log line", () => {
  assert.deepEqual(decodeRecord(encodeRecord({ type: "obs", obs: TASK }).trim()), {
    type: "obs",
    obs: TASK,
  });
  assert.equal(decodeRecord("a plain log line"), null);
  assert.deepEqual(decodeRecord(encodeRecord({ type: "done", t: 5 })), { type: "done", t: 5 });
});

Deno.test("decodeRecord() rejects a malformed record saying what is wrong", () => {
  assert.throws(() => decodeRecord("@@scalebench {oops"), RecordError);
  assert.throws(
    () =>
      decodeRecord(`@@scalebench ${JSON.stringify({ type: "obs", obs: { ...TASK, rep: -1 } })}`),
    new RecordError("field 'rep' has a bad value -1"),
  );
  assert.throws(
    () => decodeRecord('@@scalebench {"type":"phase","t":1}'),
    new RecordError('unknown record type "phase"'),
  );
  assert.throws(() => toTaskRecord({ ...TASK, ok: "yes" }), /field 'ok'/);
});

Deno.test("toObservation() accepts a schema v1 line and rejects a missing field", () => {
  const obs = {
    workload: "amdahl",
    mode: "strong",
    cores: 2,
    nodes: 1,
    ranks: 2,
    threads: 1,
    size: 10,
    ...TASK,
  };
  assert.deepEqual(toObservation(obs), obs);
  const { size: _, ...noSize } = obs;
  assert.throws(() => toObservation(noSize), new RecordError("field 'size' is missing"));
  assert.throws(() => toObservation([]), new RecordError("not a JSON object"));
});

Deno.test("toRankSpec() checks what a provider handed a rank", () => {
  const spec = {
    run_id: "r",
    batch: "p00-c002-b00",
    workload: "amdahl",
    mode: "strong",
    point: { index: 0, cores: 2, nodes: 1, ranks: 2, threads: 1, params: {}, size: 1 },
    tasks: [{ op: "burn", rep: 0, warmup: false, record: true }],
    seed: 1,
    monitor_interval: 0,
    rendezvous: { host: "", port: 0, timeout: 30 },
  };
  assert.deepEqual(toRankSpec(spec), spec);
  assert.throws(
    () => toRankSpec({ ...spec, tasks: [{ op: "burn" }] }),
    new RecordError("a task of the spec needs op, rep and warmup"),
  );
  assert.throws(
    () => toRankSpec({ ...spec, point: { ...spec.point, ranks: 0 } }),
    new RecordError("the spec's 'point' needs whole cores, nodes, ranks and threads"),
  );
});
