import assert from "node:assert/strict";
import { partition } from "../../core/workload.ts";
import {
  addReceived,
  addTransposeDiag,
  DIAG_TILE,
  diagPairs,
  packRows,
  type Piece,
  type Region,
  rowBytes,
} from "./transpose.ts";
import { roundPlan, transposeBuffers } from "./sum_transpose.ts";

/** An N × N array of values in [0, 2¹⁷) (every bit of the wire format used), row-major. */
function array(n: number): Int32Array {
  const x = new Int32Array(n * n);
  let s = 12345;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = s >>> 15; // 17 bits
  }
  return x;
}

/** Every element of `out` (rows [r0, r1) of x + xᵀ) equal to the reference, bit for bit. */
function assertSumTranspose(x: Int32Array, o: { n: number; r0: number; out: Int32Array }): void {
  const { n, r0, out } = o;
  for (let i = 0; i < out.length / n; i++) {
    for (let j = 0; j < n; j++) {
      const want = x[(r0 + i) * n + j] + x[j * n + r0 + i];
      if (out[i * n + j] !== want) {
        assert.fail(`x + xᵀ at [${r0 + i}, ${j}] is ${out[i * n + j]}, expected ${want}`);
      }
    }
  }
}

const info = (thread: number, threads: number) => ({ thread, threads, rank: 0, ranks: 1 });

Deno.test("rowBytes() holds 16 bits a value, 1 bit in 8 and pads to 4 bytes", () => {
  assert.deepEqual([1, 7, 8, 9, 16, 1000].map(rowBytes), [4, 16, 20, 20, 36, 2128]);
});

Deno.test("addTransposeDiag() computes x + xᵀ exactly, by slices and threads", () => {
  // 2 tiles and a ragged edge that is not a multiple of the 4 × 4 register block
  for (const n of [1, 3, 6, DIAG_TILE + 7]) {
    const x = array(n);
    for (const threads of [1, 3]) {
      const out = new Int32Array(n * n).fill(-1);
      const pairs = diagPairs(n), cuts = [0, Math.floor(pairs / 2), pairs];
      for (let s = 0; s + 1 < cuts.length; s++) {
        for (let t = 0; t < threads; t++) {
          addTransposeDiag(
            { x, out, rows: n, cols: n, rowStart: 0, from: cuts[s], to: cuts[s + 1] },
            info(t, threads),
          );
        }
      }
      assertSumTranspose(x, { n, r0: 0, out });
    }
  }
});

Deno.test("packRows() and addReceived() give every rank its rows of x + xᵀ exactly", () => {
  // 3 uneven ranks; rows sent in rounds of 5 rows, as sumTranspose() does in rounds of 1 MiB
  const n = 43, ranks = 3, per = 5;
  const x = array(n);
  const ranges = Array.from({ length: ranks }, (_, r) => partition(n, ranks, r));
  const sent = ranges.map(([a, b], s) => {
    const rows = b - a;
    const regions: (Region | null)[] = [];
    let at = 0;
    for (const [c0, c1] of ranges) {
      regions.push(c0 === a ? null : { at, c0, c1 });
      if (c0 !== a) at += rows * rowBytes(c1 - c0);
    }
    assert.equal(at, transposeBuffers(ranges, s).send);
    const send = new Uint8Array(at);
    const block = x.subarray(a * n, b * n);
    for (let k0 = 0; k0 < rows; k0 += per) {
      for (let t = 0; t < 2; t++) {
        packRows(
          { x: block, cols: n, send, regions, k0, k1: Math.min(rows, k0 + per) },
          info(t, 2),
        );
      }
    }
    return { send, regions };
  });
  for (const [d, [a, b]] of ranges.entries()) {
    const w = b - a, rb = rowBytes(w);
    const block = x.subarray(a * n, b * n);
    for (const threads of [1, 2]) {
      const out = new Int32Array(w * n).fill(-1);
      for (const t of Array.from({ length: threads }, (_, t) => t)) {
        addTransposeDiag({ x: block, out, rows: w, cols: n, rowStart: a }, info(t, threads));
      }
      for (const [s, [c0, c1]] of ranges.entries()) {
        if (s === d) continue;
        const reg = sent[s].regions[d]!;
        for (let k0 = 0; k0 < c1 - c0; k0 += per) {
          const rows = Math.min(per, c1 - c0 - k0);
          const bytes = sent[s].send.slice(reg.at + k0 * rb, reg.at + (k0 + rows) * rb);
          const pieces: Piece[] = [{ bytes, k0, rows, c0, w }];
          for (let t = 0; t < threads; t++) {
            addReceived({ x: block, out, cols: n, pieces }, info(t, threads));
          }
        }
      }
      assertSumTranspose(x, { n, r0: a, out });
    }
  }
});

Deno.test("roundPlan() sends at most 1 MiB a block and covers every row", () => {
  const ranges: [number, number][] = [[0, 3536], [3536, 7071]];
  const { perRound, rounds } = roundPlan(ranges);
  assert.ok(perRound * rowBytes(3536) <= 1 << 20);
  assert.ok((perRound + 1) * rowBytes(3536) > 1 << 20);
  assert.equal(rounds, Math.ceil(3536 / perRound));
  assert.deepEqual(roundPlan([[0, 10]]), { perRound: Math.floor((1 << 20) / 24), rounds: 1 });
});
