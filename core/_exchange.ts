/**
 * The collective engine behind the rendezvous: every collective is an exchange in which each rank
 * contributes a JSON value and one byte block per destination (or one for all); when all ranks have
 * contributed to a sequence number, each rank receives every value and the blocks addressed to it.
 * Transport-agnostic: rank 0's TCP hub and the in-process test group both drive it.
 *
 * @module
 */
import type { Json } from "./types.ts";

/** Kinds of collectives; every rank must call the same kind at the same sequence number. */
export type CollectiveKind = "barrier" | "allgather" | "allgatherBytes" | "alltoall" | "check";

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
