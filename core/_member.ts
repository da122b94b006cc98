/**
 * A rank's end of the collectives, whatever carries them (rank 0's hub, a client of it, the
 * in-process group): sequence numbers and the promises waiting for their results. Every rank must
 * call the collectives in the same order.
 *
 * @module
 */
import type { CollectiveResult, Contribution, ReduceOp } from "./_exchange.ts";
import type { Json, MonitorSample } from "./types.ts";

/** Collective operations of one rank. Every rank must call them in the same order. */
export interface Collectives {
  readonly rank: number;
  readonly size: number;
  /** The error that aborted the group, once one has */
  readonly error: Error | null;
  barrier(): Promise<void>;
  allgather<T extends Json>(value: T): Promise<T[]>;
  allgatherBytes(data: Uint8Array): Promise<Uint8Array[]>;
  alltoall(blocks: Uint8Array[]): Promise<Uint8Array[]>;
  /**
   * Every rank's numbers combined element-wise with `op`, folded in rank order (the same result
   * bit for bit on every rank); every rank must give as many.
   */
  allreduce(values: ArrayLike<number>, op?: ReduceOp): Promise<Float64Array>;
  /** Send a monitor sample to rank 0. */
  monitor(sample: MonitorSample): void;
  /** This rank failed: every rank's collectives fail with `message`. */
  fail(message: string): void;
  /** Leave after a final barrier; resolves once the connection is closed. */
  close(): Promise<void>;
}

/** A rank's end of the collectives: sequence numbers and waiting promises. */
export abstract class Member implements Collectives {
  readonly rank: number;
  readonly size: number;
  #seq = 0;
  #waiting = new Map<number, { resolve(r: CollectiveResult): void; reject(e: Error): void }>();
  #error: Error | null = null;

  constructor(rank: number, size: number) {
    this.rank = rank;
    this.size = size;
  }

  protected abstract send(seq: number, part: Contribution): void;
  abstract monitor(sample: MonitorSample): void;
  abstract fail(message: string): void;
  abstract close(): Promise<void>;

  /** The error that aborted the group, if any. */
  get error(): Error | null {
    return this.#error;
  }

  protected receive(seq: number, result: CollectiveResult): void {
    const w = this.#waiting.get(seq);
    this.#waiting.delete(seq);
    w?.resolve(result);
  }

  protected abort(err: Error): void {
    this.#error ??= err;
    for (const w of this.#waiting.values()) w.reject(this.#error);
    this.#waiting.clear();
  }

  #call(part: Contribution): Promise<CollectiveResult> {
    if (this.#error) return Promise.reject(this.#error);
    const seq = this.#seq++;
    const p = new Promise<CollectiveResult>((resolve, reject) =>
      this.#waiting.set(seq, { resolve, reject })
    );
    try {
      this.send(seq, part);
    } catch (err) {
      this.abort(err as Error);
    }
    return p;
  }

  async barrier(): Promise<void> {
    await this.#call({ kind: "barrier", value: null, blocks: [], broadcast: false });
  }
  async allgather<T extends Json>(value: T): Promise<T[]> {
    return (await this.#call({ kind: "allgather", value, blocks: [], broadcast: false }))
      .values as T[];
  }
  async allgatherBytes(data: Uint8Array): Promise<Uint8Array[]> {
    return (await this.#call({
      kind: "allgatherBytes",
      value: null,
      blocks: [data],
      broadcast: true,
    })).blocks;
  }
  async allreduce(values: ArrayLike<number>, op: ReduceOp = "sum"): Promise<Float64Array> {
    const mine = Float64Array.from(values);
    const { blocks } = await this.#call({
      kind: "allreduce",
      value: op,
      blocks: [new Uint8Array(mine.buffer)],
      broadcast: true,
    });
    return new Float64Array(blocks[0].slice().buffer);
  }
  async alltoall(blocks: Uint8Array[]): Promise<Uint8Array[]> {
    if (blocks.length !== this.size) {
      throw new Error(`alltoall needs one block per rank (${this.size}), got ${blocks.length}`);
    }
    return (await this.#call({ kind: "alltoall", value: null, blocks, broadcast: false })).blocks;
  }
}

/** The frame of one rank's contribution (header and payload parts). */
export function contributionFrame(
  seq: number,
  part: Contribution,
): { header: Record<string, unknown>; parts: Uint8Array[] } {
  const lengths = part.blocks.map((b) => b.byteLength);
  return {
    header: {
      t: "coll",
      seq,
      kind: part.kind,
      value: part.value,
      lengths,
      broadcast: part.broadcast,
    },
    parts: part.blocks,
  };
}
