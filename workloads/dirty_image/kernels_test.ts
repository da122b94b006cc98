import { assertEquals } from "../../core/_assert.ts";
import assert from "node:assert/strict";
import { argmax, channelBlocks, cubeKey, threadRange } from "./kernels.ts";

Deno.test("channelBlocks() stays within store chunks and wraps at the store's channel count", () => {
  assertEquals(channelBlocks([0, 10], { storeChans: 32, chanChunk: 4 }), [[0, 4], [4, 8], [8, 10]]);
  assertEquals(channelBlocks([6, 13], { storeChans: 32, chanChunk: 4 }), [[6, 8], [8, 12], [
    12,
    13,
  ]]);
  // weak mode: output channels 30..36 of a 32-channel store read 30, 31, then 0..3
  assertEquals(channelBlocks([30, 36], { storeChans: 32, chanChunk: 8 }), [[30, 32], [32, 36]]);
  assertEquals(channelBlocks([5, 5], { storeChans: 8, chanChunk: 8 }), []);
});

Deno.test("threadRange() splits a rank's channels over its threads", () => {
  const info = { threads: 3, rank: 0, ranks: 1 };
  assertEquals([0, 1, 2].map((thread) => threadRange([10, 20], { ...info, thread })), [[10, 14], [
    14,
    17,
  ], [17, 20]]);
  assertEquals(cubeKey("IMAGE", 7), "/IMAGE/c/7/0/0/0");
  assertEquals(cubeKey("SUM_WEIGHT", 7), "/SUM_WEIGHT/c/7/0");
});

Deno.test("argmax() gives the offset of the first largest value in the range", () => {
  const a = Float32Array.from([9, 1, 5, 5, -2, 7, 9]);
  assert.equal(argmax(a, 1, 6), 4); // a[5] = 7, counted from a[1]
  assert.equal(argmax(a, 1, 4), 1); // the first of two 5s
  assert.equal(argmax(a, 0, 7), 0); // the first of two 9s
  assert.equal(argmax(Float32Array.from([-Infinity, -3]), 0, 2), 1);
});
