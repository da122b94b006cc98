/**
 * Collectives over a tree of the ranks, for large groups (the hub chooses it from
 * {@linkcode TREE_MIN_RANKS} ranks, unless a host has more ranks than CPUs). Rank r's parent is
 * ⌊(r − 1) / k⌋ and its children are k·r + 1 … k·r + k, for a fan-out k: a collective goes up the tree, every node sending its parent
 * one frame with its whole subtree's contributions; the root completes it (values and blocks in
 * rank order, an allreduce folded in rank order, as the star's Exchange does) and the result comes
 * down, every node forwarding its parent's frame as it is to its children. Rank 0 so reads and
 * writes 2k frames per collective instead of 2(n − 1), and the work is spread over the ranks; the
 * results are the star's, bit for bit. Joining, monitor samples, failures, `alltoall` and leaving
 * stay on the star (rendezvous.ts).
 *
 * @module
 */
import {
  type CollectiveKind,
  type CollectiveResult,
  type Contribution,
  reduceInRankOrder,
  unpackBlocks,
} from "./_exchange.ts";
import { encodeHead, type Frame, type Link } from "./_link.ts";
import type { Json } from "./types.ts";

/** The collectives that go over the tree; `alltoall` stays on the star. */
export const TREE_KINDS: ReadonlySet<CollectiveKind> = new Set([
  "barrier",
  "allgather",
  "allgatherBytes",
  "allreduce",
]);

/**
 * From this many ranks on, the hub builds the tree: the modelled crossover with a core per rank,
 * from rank 0's CPU time per frame and the hop latency measured by bench/rendezvous_bench.ts
 * (docs/rendezvous.md).
 */
export const TREE_MIN_RANKS = 16;

/** Children per node: 2k frames at a node per collective, ⌈log_k n⌉ levels (docs/rendezvous.md). */
export const TREE_FANOUT = 4;

/** When the collectives go over a tree: from `min` ranks on (0: never), `fanout` children each. */
export interface TreeOptions {
  min: number;
  fanout: number;
}

/** Whether `size` ranks may use the tree (never with TLS: only rank 0 has a certificate). */
export function usesTree(size: number, options: { tree?: TreeOptions; tls: boolean }): boolean {
  const t = options.tree ?? { min: TREE_MIN_RANKS, fanout: TREE_FANOUT };
  return !options.tls && t.min > 0 && size >= Math.max(3, t.min) && t.fanout >= 2;
}

/** Rank `rank`'s parent (−1 for the root). */
export function treeParent(rank: number, fanout: number): number {
  return rank === 0 ? -1 : Math.floor((rank - 1) / fanout);
}

/** Rank `rank`'s children in a group of `size`. */
export function treeChildren(
  rank: number,
  { size, fanout }: { size: number; fanout: number },
): number[] {
  const first = fanout * rank + 1;
  return Array.from({ length: Math.max(0, Math.min(fanout, size - first)) }, (_, i) => first + i);
}

/** One subtree's part of a collective, gathered at a node. */
interface Pending {
  kind: CollectiveKind;
  ranks: number[];
  values: Json[];
  blocks: Uint8Array[];
  /** Children whose subtree has arrived */
  heard: Set<number>;
  own: boolean;
}

/** Kinds whose contributions carry a block (one per rank). */
const WITH_BLOCKS = new Set<CollectiveKind>(["allgatherBytes", "allreduce"]);
/** Kinds whose contributions carry a value (allgather's values, allreduce's operation). */
const WITH_VALUES = new Set<CollectiveKind>(["allgather", "allreduce"]);

/** What a tree node needs from the rank it belongs to. */
export interface TreeNodeOptions {
  rank: number;
  size: number;
  fanout: number;
  /** This rank's result of collective `seq` */
  deliver(seq: number, result: CollectiveResult): void;
  /** The group failed here (a mismatch): fail every rank with `message` */
  fail(message: string): void;
}

/** One rank's node of the tree: its subtree's contributions going up, results going down. */
export class TreeNode {
  readonly rank: number;
  readonly size: number;
  readonly fanout: number;
  readonly children: number[];
  #parent: Link | null = null;
  #links = new Map<number, Link>();
  #pending = new Map<number, Pending>();
  #options: TreeNodeOptions;
  #failed = false;

  constructor(options: TreeNodeOptions) {
    this.rank = options.rank;
    this.size = options.size;
    this.fanout = options.fanout;
    this.children = treeChildren(options.rank, options);
    this.#options = options;
  }

  /** The link to this node's parent (none at the root). */
  setParent(link: Link): void {
    this.#parent = link;
  }

  /** A child's link, once it has joined. */
  addChild(rank: number, link: Link): void {
    this.#links.set(rank, link);
  }

  /** Stop: later frames are ignored (the group failed). */
  abort(): void {
    this.#failed = true;
    this.#pending.clear();
  }

  #entry(seq: number, kind: CollectiveKind, from: number): Pending | null {
    let p = this.#pending.get(seq);
    if (!p) {
      p = { kind, ranks: [], values: [], blocks: [], heard: new Set(), own: false };
      this.#pending.set(seq, p);
    }
    if (p.kind !== kind) {
      this.#fail(
        `Collective mismatch at call ${seq}: rank ${from} called ${kind}, another rank ${p.kind}`,
      );
      return null;
    }
    return p;
  }

  /** This rank's own contribution (its blocks are copied: the caller may reuse them at once). */
  contribute(seq: number, part: Contribution): void {
    if (this.#failed) return;
    const p = this.#entry(seq, part.kind, this.rank);
    if (!p) return;
    p.own = true;
    p.ranks.push(this.rank);
    if (WITH_VALUES.has(part.kind)) p.values.push(part.value);
    if (WITH_BLOCKS.has(part.kind)) p.blocks.push(part.blocks[0].slice());
    this.#advance(seq, p);
  }

  /** A child's `up` frame: its subtree's contributions to collective `seq`. */
  receiveUp(child: number, frame: Frame): void {
    if (this.#failed) return;
    const h = frame.header;
    const seq = h.seq as number, kind = h.kind as CollectiveKind;
    const ranks = h.ranks as number[];
    const p = this.#entry(seq, kind, ranks[0] ?? child);
    if (!p) return;
    if (p.heard.has(child)) {
      return this.#fail(`Rank ${child} contributed twice to collective ${seq}`);
    }
    p.heard.add(child);
    p.ranks.push(...ranks);
    if (WITH_VALUES.has(kind)) p.values.push(...(h.values as Json[]));
    if (WITH_BLOCKS.has(kind)) p.blocks.push(...unpackBlocks(frame.payload, h.lengths as number[]));
    this.#advance(seq, p);
  }

  /** The parent's `down` frame: the result of collective `seq`, forwarded as it is. */
  receiveDown(frame: Frame): void {
    if (this.#failed) return;
    for (const c of this.children) this.#links.get(c)?.sendEncoded(frame.head, [frame.payload]);
    const h = frame.header;
    this.#options.deliver(h.seq as number, {
      values: (h.values as Json[] | undefined) ?? [],
      blocks: unpackBlocks(frame.payload, (h.lengths as number[] | undefined) ?? []),
    });
  }

  #advance(seq: number, p: Pending): void {
    if (!p.own || p.heard.size < this.children.length) return;
    this.#pending.delete(seq);
    if (this.rank !== 0) {
      const lengths = WITH_BLOCKS.has(p.kind) ? p.blocks.map((b) => b.byteLength) : undefined;
      const values = WITH_VALUES.has(p.kind) ? p.values : undefined;
      this.#parent?.send({ t: "up", seq, kind: p.kind, ranks: p.ranks, values, lengths }, p.blocks);
      return;
    }
    let result: CollectiveResult;
    try {
      result = complete(p);
    } catch (err) {
      return this.#fail(`${(err as Error).message} (collective ${seq})`);
    }
    const lengths = result.blocks.map((b) => b.byteLength);
    const head = encodeHead({
      t: "down",
      seq,
      values: p.kind === "allgather" ? result.values : undefined,
      lengths: lengths.length ? lengths : undefined,
    });
    for (const c of this.children) this.#links.get(c)?.sendEncoded(head, result.blocks);
    this.#options.deliver(seq, result);
  }

  #fail(message: string): void {
    if (this.#failed) return;
    this.abort();
    this.#options.fail(message);
  }
}

/** The root's result from every rank's contribution, ordered by rank. */
function complete(p: Pending): CollectiveResult {
  const order = p.ranks.map((r, i) => [r, i]).sort((a, b) => a[0] - b[0]).map(([, i]) => i);
  const values = WITH_VALUES.has(p.kind) ? order.map((i) => p.values[i]) : [];
  const blocks = WITH_BLOCKS.has(p.kind) ? order.map((i) => p.blocks[i]) : [];
  if (p.kind === "allreduce") return { values: [], blocks: [reduceInRankOrder(blocks, values)] };
  return { values: p.kind === "allgather" ? values : [], blocks };
}
