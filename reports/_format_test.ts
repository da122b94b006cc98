import { assertEquals } from "../core/_assert.ts";
import {
  fmtBytes,
  fmtCount,
  fmtDuration,
  fmtInterval,
  fmtNum,
  fmtPct,
  fmtSig,
  fmtTime,
  NA,
} from "./_format.ts";

Deno.test("fmtNum() keeps significant digits and groups large integers", () => {
  assertEquals(fmtNum(0.265966034), "0.2660");
  assertEquals(fmtNum(12.3456), "12.35");
  assertEquals(fmtNum(1234.5), "1235");
  assertEquals(fmtNum(123456.7), "123,457");
  assertEquals(fmtNum(-2.5, 2), "-2.5");
  assertEquals(fmtNum(0), "0");
  assertEquals(fmtNum(0.00001234), "1.234e-5");
  assertEquals(fmtNum(null), NA);
  assertEquals(fmtNum(NaN), NA);
});

Deno.test("fmtBytes(), fmtCount() and fmtPct() format units", () => {
  assertEquals(fmtBytes(62328832), "59.4 MiB");
  assertEquals(fmtBytes(512), "512 B");
  assertEquals(fmtBytes(0), NA);
  assertEquals(fmtCount(500000000), "500 M");
  assertEquals(fmtCount(1500), "1.50 k");
  assertEquals(fmtCount(12), "12");
  assertEquals(fmtPct(0.1234), "12.3 %");
});

Deno.test("fmtTime() and fmtDuration() are locale-independent", () => {
  assertEquals(fmtTime("2026-11-22T10:41:58.102Z"), "2026-11-22 10:41:58 UTC");
  assertEquals(fmtTime(null), NA);
  assertEquals(fmtDuration(2.033), "2.03 s");
  assertEquals(fmtDuration(185), "3 min 05 s");
  assertEquals(fmtDuration(3720), "1 h 02 min");
});

Deno.test("fmtInterval() takes its digits from the interval's half-width", () => {
  // the example: a ±0.1 half-width gives hundredths
  assertEquals(fmtInterval(0.1671, [0.127, 0.331]), "0.17 [0.13, 0.33]");
  assertEquals(fmtInterval(1, [0.98, 1.02]), "1.000 [0.980, 1.020]");
  assertEquals(fmtInterval(0.09764, [-0.17, 0.37]), "0.10 [-0.17, 0.37]");
  assertEquals(fmtInterval(12345, [12190, 12490]), "12,350 [12,190, 12,490]");
  assertEquals(
    fmtInterval(0.6, { lo: 0.59, hi: 0.61, level: 0.95, method: "x" }),
    "0.600 [0.590, 0.610]",
  );
  // bounds in any order; a zero-width interval keeps three significant digits
  assertEquals(fmtInterval(2.5, [2.6, 2.4]), "2.50 [2.40, 2.60]");
  assertEquals(fmtInterval(2.5, [2.5, 2.5]), "2.50 [2.50, 2.50]");
  // without an interval: three significant digits, or a unit
  assertEquals(fmtInterval(0.16713, null), "0.167");
  assertEquals(fmtInterval(0.16713, null, { unit: "s" }), "0.167 s");
  assertEquals(fmtInterval(NaN, [0, 1]), NA);
});

Deno.test("fmtSig() keeps significant digits", () => {
  assertEquals(fmtSig(0.0870123), "0.0870");
  assertEquals(fmtSig(1234.5), "1,230");
  assertEquals(fmtSig(1.76, 2), "1.8");
  assertEquals(fmtSig(-0.00001234), "-1.23e-5");
  assertEquals(fmtSig(null), NA);
});
