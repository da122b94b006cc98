import { assertAlmostEquals, assertEquals } from "../../core/_assert.ts";
import { genRow } from "./random.ts";
import {
  fromShiftedSums,
  mergeAll,
  mergeMoments,
  type Moments,
  rangeMoments,
  stdOf,
  twoPass,
} from "./moments.ts";

Deno.test("mergeMoments() combines halves into the moments of the whole (Chan)", () => {
  const x = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5];
  const whole = twoPass(x);
  const merged = mergeMoments(twoPass(x, { start: 0, end: 4 }), twoPass(x, { start: 4, end: 11 }));
  assertEquals(merged[0], 11);
  assertAlmostEquals(merged[1], whole[1], 1e-12);
  assertAlmostEquals(merged[2], whole[2], 1e-12);
  assertEquals(mergeMoments([0, 0, 0], [2, 3, 1]), [2, 3, 1]);
  assertEquals(mergeAll([]), [0, 0, 0]);
});

Deno.test("rangeMoments() matches a two-pass reference over several blocks", () => {
  const x = new Int32Array(200_000);
  for (let r = 0; r < 40; r++) x.set(genRow(9, r, 5000), r * 5000);
  const got = rangeMoments(x, { start: 17, end: 190_017 });
  const ref = twoPass(x, { start: 17, end: 190_017 });
  assertEquals(got[0], 190_000);
  assertAlmostEquals(got[1], ref[1], 1e-9);
  assertAlmostEquals(got[2] / ref[2], 1, 1e-12);
});

Deno.test("fromShiftedSums() and stdOf() give population and sample std", () => {
  const s2 = [2, 4, 4, 6].reduce((s, v) => s + (v - 50_000) ** 2, 0);
  const m: Moments = fromShiftedSums({ n: 4, s1: (2 + 4 + 4 + 6) - 4 * 50_000, s2 });
  assertEquals(m, [4, 4, 8]);
  assertEquals(stdOf(m), Math.sqrt(2));
  assertEquals(stdOf(m, 1), Math.sqrt(8 / 3));
  assertEquals(Number.isNaN(stdOf([1, 5, 0], 1)), true);
});
