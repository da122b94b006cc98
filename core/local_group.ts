/**
 * Ranks in one process, exchanging in memory with the rendezvous' semantics (each rank gets its
 * own copy of every block, as over TCP). For tests and `runInProcess`.
 *
 * @module
 */
import { type CollectiveResult, type Contribution, Exchange } from "./_exchange.ts";
import { type Collectives, Member } from "./_member.ts";
import type { MonitorSample } from "./types.ts";

class LocalMember extends Member {
  #group: LocalGroup;
  constructor(rank: number, group: LocalGroup) {
    super(rank, group.size);
    this.#group = group;
  }
  protected send(seq: number, part: Contribution): void {
    try {
      this.#group.exchange.contribute(this.rank, seq, part);
    } catch (err) {
      this.#group.failAll((err as Error).message);
    }
  }
  deliver(seq: number, r: CollectiveResult): void {
    // copy blocks so that ranks never share buffers, as over TCP
    this.receive(seq, {
      values: structuredClone(r.values),
      blocks: r.blocks.map((b) => b.slice()),
    });
  }
  kill(err: Error): void {
    this.abort(err);
  }
  monitor(sample: MonitorSample): void {
    this.#group.onMonitor?.(sample);
  }
  fail(message: string): void {
    this.#group.failAll(message);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

class LocalGroup {
  readonly size: number;
  readonly exchange: Exchange;
  readonly members: LocalMember[];
  onMonitor?: (s: MonitorSample) => void;
  constructor(size: number) {
    this.size = size;
    this.members = [];
    this.exchange = new Exchange(
      size,
      (dest, seq, r) => queueMicrotask(() => this.members[dest].deliver(seq, r)),
    );
    for (let r = 0; r < size; r++) this.members.push(new LocalMember(r, this));
  }
  failAll(message: string): void {
    const err = new Error(message);
    this.exchange.fail(err);
    for (const m of this.members) m.kill(err);
  }
}

/** `size` members that exchange in memory, with the hub's semantics (for tests and `runInProcess`). */
export function createLocalGroup(
  size: number,
  options: { onMonitor?(s: MonitorSample): void } = {},
): Collectives[] {
  const g = new LocalGroup(size);
  g.onMonitor = options.onMonitor;
  return g.members;
}
