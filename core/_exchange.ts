/**
 * The collective engine behind the rendezvous: every collective is an exchange in which each rank
 * contributes a JSON value and one byte block per destination (or one for all); when all ranks have
 * contributed to a sequence number, each rank receives every value and the blocks addressed to it —
 * or, for an allreduce, the one block folded from all of them in rank order. Transport-agnostic:
 * rank 0's TCP hub, the tree (rendezvous_tree.ts) and the in-process test group all use it.
 *
 * @module
 */
import type { Json } from "./types.ts";

/** Kinds of collectives; every rank must call the same kind at the same sequence number. */
export type CollectiveKind =
  | "barrier"
  | "allgather"
  | "allgatherBytes"
  | "allreduce"
  | "alltoall"
  | "check";

/** The operations of an allreduce (the contribution's `value`). */
export type ReduceOp = "sum" | "min" | "max";

const FOLD: Record<ReduceOp, (a: number, b: number) => number> = {
  sum: (a, b) => a + b,
  min: Math.min,
  max: Math.max,
};

/**
 * Fold every rank's float64 vector into one, left to right in rank order — `((v0 ∘ v1) ∘ v2) …` —
 * whatever transport gathered them, so that an allreduce's result is the same bit for bit on every
 * rank and every path. Throws on another operation or vectors of different lengths.
 */
export function reduceInRankOrder(blocks: Uint8Array[], ops: Json[]): Uint8Array {
  const op = ops[0] as ReduceOp;
  const f = FOLD[op];
  if (!f) throw new Error(`Unknown allreduce operation '${op}'`);
  const length = blocks[0].byteLength;
  const out = new Float64Array(length / 8);
  blocks.forEach((bytes, r) => {
    if (ops[r] !== op) {
      throw new Error(
        `Collective mismatch: rank ${r} reduced with '${ops[r]}', rank 0 with '${op}'`,
      );
    }
    if (bytes.byteLength !== length) {
      throw new Error(
        `Collective mismatch: rank ${r} reduced ${bytes.byteLength / 8} values, rank 0 ${
          length / 8
        }`,
      );
    }
    // a block read off a frame may start anywhere in its buffer: copy it when not aligned
    const v = bytes.byteOffset % 8
      ? new Float64Array(bytes.slice().buffer)
      : new Float64Array(bytes.buffer, bytes.byteOffset, length / 8);
    for (let i = 0; i < out.length; i++) out[i] = r === 0 ? v[i] : f(out[i], v[i]);
  });
  return new Uint8Array(out.buffer);
}

/** One rank's contribution to a collective. */
export interface Contribution {
  kind: CollectiveKind;
  value: Json;
  /** One block per destination rank, or a single block for every rank (`broadcast`). */
  blocks: Uint8Array[];
  broadcast: boolean;
}

/** What one rank receives from a collective. */
export interface CollectiveResult {
  values: Json[];
  /** Block from each source rank, in rank order. */
  blocks: Uint8Array[];
}

interface Pending {
  kind: CollectiveKind;
  parts: (Contribution | undefined)[];
  count: number;
}

/** Matches contributions by sequence number and delivers results. */
export class Exchange {
  readonly size: number;
  #pending = new Map<number, Pending>();
  #deliver: (rank: number, seq: number, result: CollectiveResult) => void;
  #failed: Error | null = null;

  constructor(
    size: number,
    deliver: (rank: number, seq: number, result: CollectiveResult) => void,
  ) {
    this.size = size;
    this.#deliver = deliver;
  }

  /** Add rank's contribution; throws on a mismatched kind or a duplicate (a bug in the workload). */
  contribute(rank: number, seq: number, part: Contribution): void {
    if (this.#failed) throw this.#failed;
    let p = this.#pending.get(seq);
    if (!p) {
      p = { kind: part.kind, parts: new Array(this.size), count: 0 };
      this.#pending.set(seq, p);
    }
    if (p.kind !== part.kind) {
      throw new Error(
        `Collective mismatch at call ${seq}: rank ${rank} called ${part.kind}, another rank ${p.kind}`,
      );
    }
    if (p.parts[rank]) throw new Error(`Rank ${rank} contributed twice to collective ${seq}`);
    if (!part.broadcast && part.blocks.length !== 0 && part.blocks.length !== this.size) {
      throw new Error(
        `Rank ${rank} sent ${part.blocks.length} blocks to alltoall; expected ${this.size}`,
      );
    }
    p.parts[rank] = part;
    if (++p.count < this.size) return;
    this.#pending.delete(seq);
    const parts = p.parts as Contribution[];
    const values = parts.map((c) => c.value);
    if (p.kind === "allreduce") {
      // one result for every rank: the same object, so that a transport may encode it once
      const result = {
        values: [],
        blocks: [reduceInRankOrder(parts.map((c) => c.blocks[0]), values)],
      };
      for (let dest = 0; dest < this.size; dest++) this.#deliver(dest, seq, result);
      return;
    }
    if (p.kind !== "alltoall") {
      const result = { values, blocks: parts.map((c) => c.blocks[0] ?? EMPTY) };
      for (let dest = 0; dest < this.size; dest++) this.#deliver(dest, seq, result);
      return;
    }
    for (let dest = 0; dest < this.size; dest++) {
      const blocks = parts.map((c) => c.broadcast ? c.blocks[0] : (c.blocks[dest] ?? EMPTY));
      this.#deliver(dest, seq, { values, blocks });
    }
  }

  /** Fail every later contribution (after a rank failed or left). */
  fail(err: Error): void {
    this.#failed ??= err;
    this.#pending.clear();
  }
}

const EMPTY = new Uint8Array(0);

/** Split a payload by lengths (views, no copy). */
export function unpackBlocks(payload: Uint8Array, lengths: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let off = 0;
  for (const n of lengths) {
    out.push(payload.subarray(off, off + n));
    off += n;
  }
  return out;
}
