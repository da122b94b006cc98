import { assertEquals } from "../core/_assert.ts";
import {
  fmtBytes,
  fmtCount,
  fmtDuration,
  fmtEstimate,
  fmtNum,
  fmtPct,
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

Deno.test("fmtBytes(), fmtCount(), fmtPct() and fmtEstimate() format units", () => {
  assertEquals(fmtBytes(62328832), "59.4 MiB");
  assertEquals(fmtBytes(512), "512 B");
  assertEquals(fmtBytes(0), NA);
  assertEquals(fmtCount(500000000), "500 M");
  assertEquals(fmtCount(1500), "1.50 k");
  assertEquals(fmtCount(12), "12");
  assertEquals(fmtPct(0.1234), "12.3 %");
  assertEquals(fmtEstimate(0.20031, 0.0051), "0.2003 ± 0.0051");
  assertEquals(fmtEstimate(0.2, null), "0.2000");
});

Deno.test("fmtTime() and fmtDuration() are locale-independent", () => {
  assertEquals(fmtTime("2026-11-22T10:41:58.102Z"), "2026-11-22 10:41:58 UTC");
  assertEquals(fmtTime(null), NA);
  assertEquals(fmtDuration(2.033), "2.03 s");
  assertEquals(fmtDuration(185), "3 min 05 s");
  assertEquals(fmtDuration(3720), "1 h 02 min");
});
