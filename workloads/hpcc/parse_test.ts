import assert from "node:assert/strict";
import { HPCC_OPS, hpccSummary, parseHpcc } from "./parse.ts";

// two runs of Debian's hpcc 1.5.0 appended in one file (N = 1000, then N = 300), as hpcc does
const OUTPUT = Deno.readTextFileSync(
  new URL("../../tests/testdata/hpcc/hpccoutf.txt", import.meta.url),
);
const rate = (r: { seconds: number; amount?: number | null }) => r.amount! / r.seconds;
/** `text` with the last `search` replaced (the last run's lines). */
function replaceLast(text: string, search: string, replacement: string): string {
  const at = text.lastIndexOf(search);
  assert.ok(at >= 0, `no ${search}`);
  return text.slice(0, at) + replacement + text.slice(at + search.length);
}
const close = (a: number, b: number, rel = 1e-9) =>
  assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${a} ≠ ${b}`);

Deno.test("hpccSummary() reads the last run's Summary section", () => {
  const s = hpccSummary(OUTPUT);
  assert.equal(s.get("HPL_N"), "300");
  assert.equal(s.get("CommWorldProcs"), "2");
  assert.equal(hpccSummary("no summary here").size, 0);
});

Deno.test("parseHpcc() gives one record per metric whose rate is the one hpcc reports", () => {
  const records = parseHpcc(OUTPUT);
  const units = ["Gflop", "GB", "GUP", "Gflop", "Gflop", "GB", "GB", null];
  assert.deepEqual(
    records.map((r) => [r.op, r.unit, r.ok, r.error]),
    HPCC_OPS.map((op, i) => [op, units[i], true, null]),
  );
  const by = Object.fromEntries(records.map((r) => [r.op, r]));
  assert.equal(by.HPL.seconds, 0.00095184);
  // HPL_Tflops in Gflop/s, printed with 6 significant digits; the rate is N's flops over HPL_time
  close(rate(by.HPL), 0.0190526e3, 5e-6);
  close(rate(by.PTRANS), 0.014902);
  close(rate(by.MPIRandomAccess), 0.000580157, 5e-6); // ExeUpdates over the time, both printed
  close(rate(by.MPIFFT), 0.01996);
  close(rate(by.StarDGEMM), 19.1022);
  close(rate(by.StarSTREAM_Triad), 35.4855);
  close(rate(by.RandomRing_bandwidth), 2.782);
  close(by.PingPong_latency.seconds, 4.51269e-6);
  assert.equal(by.PingPong_latency.amount, null);
});

Deno.test("parseHpcc() fails the metrics hpcc's own checks fail", () => {
  const failedHpl = replaceLast(
    replaceLast(
      OUTPUT,
      "0 tests completed and failed residual checks,",
      "1 tests completed and failed residual checks,",
    ),
    "MPIRandomAccess_ErrorsFraction=0\n",
    "MPIRandomAccess_ErrorsFraction=0.5\n",
  );
  const by = Object.fromEntries(parseHpcc(failedHpl).map((r) => [r.op, r]));
  assert.deepEqual([by.HPL.ok, by.HPL.error], [false, "1 HPL tests failed their residual checks"]);
  assert.deepEqual([by.MPIRandomAccess.ok, by.MPIRandomAccess.error], [
    false,
    "MPIRandomAccess: 0.5 of updates wrong (> 0.01)",
  ]);
  assert.equal(by.PTRANS.ok, true);
  const unsuccessful = parseHpcc(replaceLast(OUTPUT, "Success=1\n", "Success=0\n"));
  assert.ok(unsuccessful.every((r) => !r.ok && r.error === "hpcc reports Success=0"));
  const noHpl = parseHpcc(replaceLast(OUTPUT, "HPL_time=0.00095184\n", ""));
  assert.deepEqual(noHpl[0], {
    op: "HPL",
    seconds: 0,
    ok: false,
    error: "hpcc reported no HPL result",
  });
});
