/**
 * x + xᵀ over ranks: every rank encodes, in rounds of rows, the values each other rank needs and
 * starts their all-to-all at once; while the rounds travel it computes its diagonal block in
 * slices, giving the event loop a turn between slices so that the sockets keep moving, and it adds
 * each round as it arrives. One rank: the diagonal block is the whole array.
 *
 * @module
 */
import type { RankContext } from "../../core/workload.ts";
import type { Block } from "./kernels.ts";
import { diagPairs, type Piece, type Region, rowBytes } from "./transpose.ts";

/** Bytes of the largest block one rank sends another in one round. */
const ROUND_BYTES = 1 << 20;

/** The diagonal block is computed in this many slices (at most), between which I/O progresses. */
const DIAG_SLICES = 16;

/** What x + xᵀ uses of a rank's state. */
export interface TransposeState {
  block: Block;
  /** Row range of every rank */
  ranges: [number, number][];
  /** Result buffer */
  out32: Int32Array;
  /** Send buffer ({@linkcode transposeBuffers}' `send` bytes; ranks > 1) */
  send: Uint8Array | null;
  /** Received bytes copied to shared memory for the threads ({@linkcode transposeBuffers}' `stage`) */
  stage: Uint8Array | null;
}

/** The plan of the exchange, the same on every rank: rows a round and number of rounds. */
export function roundPlan(ranges: [number, number][]): { perRound: number; rounds: number } {
  const widths = ranges.map(([a, b]) => b - a);
  const perRound = Math.max(1, Math.floor(ROUND_BYTES / rowBytes(Math.max(...widths))));
  return { perRound, rounds: Math.ceil(Math.max(...widths) / perRound) };
}

/** Bytes of rank `rank`'s send buffer and of its staging buffer (threads > 1), for prepare. */
export function transposeBuffers(
  ranges: [number, number][],
  rank: number,
): { send: number; stage: number } {
  const rows = ranges[rank][1] - ranges[rank][0];
  const send = ranges.reduce((n, [a, b], d) => d === rank ? n : n + rows * rowBytes(b - a), 0);
  const stage = (ranges.length - 1) * roundPlan(ranges).perRound * rowBytes(rows);
  return { send, stage };
}

/** Send-buffer regions of `rank`: for each other rank d, its columns of every row of `rank`. */
function regionsOf(ranges: [number, number][], rank: number): (Region | null)[] {
  const rows = ranges[rank][1] - ranges[rank][0];
  let at = 0;
  return ranges.map(([c0, c1], d) => {
    if (d === rank) return null;
    const reg = { at, c0, c1 };
    at += rows * rowBytes(c1 - c0);
    return reg;
  });
}

const EMPTY = new Uint8Array(0);

/** x + xᵀ on this rank's rows, into `state.out32`. */
export async function sumTranspose(
  ctx: RankContext<unknown>,
  state: TransposeState,
): Promise<Int32Array> {
  const { block: { x, rows, cols, rowStart }, ranges, out32: out } = state;
  const diag = { x, out, rows, cols, rowStart };
  if (ctx.ranks === 1) {
    await ctx.parallel("addTransposeDiag", diag);
    return out;
  }
  const send = state.send!;
  const regions = regionsOf(ranges, ctx.rank);
  const { perRound, rounds } = roundPlan(ranges);
  const turn = eventLoopTurns();
  try {
    const results: Promise<Uint8Array[]>[] = [];
    const arrived: boolean[] = [];
    for (let r = 0; r < rounds; r++) {
      const k0 = Math.min(rows, r * perRound), k1 = Math.min(rows, k0 + perRound);
      if (k1 > k0) await ctx.parallel("packRows", { x, cols, send, regions, k0, k1 });
      const p = ctx.alltoall(regions.map((reg) => {
        if (!reg) return EMPTY;
        const rb = rowBytes(reg.c1 - reg.c0);
        return send.subarray(reg.at + k0 * rb, reg.at + k1 * rb);
      }));
      p.then(() => arrived[r] = true, () => {});
      results.push(p);
      await turn(); // the first bytes leave while the next round is encoded
    }
    const pairs = diagPairs(rows), slices = Math.min(pairs, DIAG_SLICES);
    let slice = 0;
    const nextSlice = async () => {
      const from = Math.floor((slice * pairs) / slices);
      const to = Math.floor((++slice * pairs) / slices);
      await ctx.parallel("addTransposeDiag", { ...diag, from, to });
      await turn();
    };
    for (let r = 0; r < rounds; r++) {
      while (!arrived[r] && slice < slices) await nextSlice();
      const got = await results[r];
      await ctx.parallel("addReceived", {
        x,
        out,
        cols,
        pieces: piecesOf(got, { ranges, rank: ctx.rank, k0: r * perRound, stage: state.stage }),
      });
    }
    while (slice < slices) await nextSlice();
  } finally {
    turn.close();
  }
  return out;
}

/** The round's blocks as pieces; copied to the shared `stage` when threads need them there. */
function piecesOf(
  got: Uint8Array[],
  o: { ranges: [number, number][]; rank: number; k0: number; stage: Uint8Array | null },
): Piece[] {
  const [a, b] = o.ranges[o.rank];
  const w = b - a, rb = rowBytes(w);
  const pieces: Piece[] = [];
  let staged = 0;
  got.forEach((bytes, s) => {
    if (s === o.rank || bytes.byteLength === 0) return;
    if (o.stage) {
      const copy = o.stage.subarray(staged, staged + bytes.byteLength);
      copy.set(bytes);
      staged += bytes.byteLength;
      bytes = copy;
    } else if (bytes.byteOffset % 2) bytes = bytes.slice(); // Uint16Array views need alignment
    pieces.push({ bytes, k0: o.k0, rows: bytes.byteLength / rb, c0: o.ranges[s][0], w });
  });
  return pieces;
}

/**
 * A function that resolves after one turn of the event loop (a message to itself: no timer
 * clamping, ~15 µs), so that pending socket reads and writes progress; `close()` when done.
 */
function eventLoopTurns(): (() => Promise<void>) & { close(): void } {
  const channel = new MessageChannel();
  const waiting: (() => void)[] = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  const turn = () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      channel.port2.postMessage(null);
    });
  return Object.assign(turn, {
    close() {
      channel.port1.close();
      channel.port2.close();
      for (const w of waiting.splice(0)) w();
    },
  });
}
