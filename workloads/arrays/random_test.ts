import { assert, assertEquals } from "../../core/_assert.ts";
import { rng } from "../../core/random.ts";
import { fillRow, genRow, sampleIndices, VALUE_RANGE } from "./random.ts";

Deno.test("fillRow() draws exactly rng(seed, stream).int(0, 1e5)", () => {
  for (const [seed, stream] of [[1, 0], [7, 42], [123456789, 99999], [0, 0]]) {
    const r = rng(seed, stream);
    const expected = Array.from({ length: 300 }, () => r.int(0, VALUE_RANGE));
    assertEquals(Array.from(genRow(seed, stream, 300)), expected);
  }
});

Deno.test("fillRow() skips draws and writes with a stride", () => {
  const full = genRow(5, 3, 20);
  const out = new Int32Array(40).fill(-1);
  fillRow(out, { at: 1, count: 10, seed: 5, stream: 3, skip: 10, stride: 4 });
  for (let k = 0; k < 10; k++) assertEquals(out[1 + 4 * k], full[10 + k]);
  assertEquals(out.filter((v) => v === -1).length, 30);
});

Deno.test("genRow() gives different rows for different streams and values in range", () => {
  const a = genRow(1, 0, 1000), b = genRow(1, 1, 1000);
  assert(a.some((v, i) => v !== b[i]));
  assert(a.every((v) => v >= 0 && v < VALUE_RANGE));
  const mean = a.reduce((s, v) => s + v, 0) / a.length;
  assert(Math.abs(mean - 50_000) < 5_000, `mean ${mean}`);
});

Deno.test("sampleIndices() is reproducible, sorted, in range and includes both ends", () => {
  const s = sampleIndices(10, { lo: 5, hi: 1000, seed: 3 });
  assertEquals(s, sampleIndices(10, { lo: 5, hi: 1000, seed: 3 }));
  assertEquals(s.length, 10);
  assertEquals(s[0], 5);
  assertEquals(s[9], 999);
  assert(s.every((v, i) => i === 0 || v > s[i - 1]));
  assertEquals(sampleIndices(10, { lo: 0, hi: 3, seed: 1 }), [0, 1, 2]);
  assertEquals(sampleIndices(4, { lo: 2, hi: 2, seed: 1 }), []);
});
