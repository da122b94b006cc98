/**
 * What each thread of a rank runs (`ctx.parallel` kernels): its share of the rank's channels is
 * read block by block from the store (the next block is fetched while this one is imaged),
 * imaged channel by channel, and written to the cube (double-buffered, one write in flight).
 * Readers and imagers are cached per thread, so repetitions reuse buffers and open stores.
 *
 * Output channel c images store channel c mod C (weak mode may ask for more channels than the
 * store has).
 *
 * @module
 */
import { partition, type ThreadInfo } from "../../core/workload.ts";
import { checkChannel, type CheckReport, pickChannels } from "./check.ts";
import type { GridStats } from "./gridding.ts";
import { Imager, type ImagingOptions } from "./imager.ts";
import { type VisBlock, type VisMeta, VisReader } from "./vis_store.ts";
import { DirectoryStore } from "./zarr_store.ts";

/** Arguments of the `image` kernel (structured-cloned to every thread). */
export interface ImageArgs {
  store: string;
  meta: VisMeta;
  /** the rank's output channels [c0, c1) */
  range: [number, number];
  chanChunk: number;
  imaging: ImagingOptions;
  /** directory of the output cube */
  out: string;
}

/** One thread's figures. Per-channel arrays are [channel − c0][pol]. */
export interface ThreadImageResult {
  c0: number;
  c1: number;
  sumWeight: number[];
  /** value of the centre pixel */
  centre: number[];
  /** flat index of the brightest pixel of each plane */
  peakAt: number[];
  gridded: number;
  dropped: number;
  seconds: { read: number; grid: number; fft: number; write: number };
}

const readers = new Map<string, Promise<VisReader>>();

async function readerFor(args: { store: string; meta: VisMeta }): Promise<VisReader> {
  let r = readers.get(args.store);
  if (!r) {
    r = VisReader.open(args.store, args.meta);
    readers.set(args.store, r);
    r.catch(() => readers.delete(args.store));
  }
  return await r;
}

/** Two image buffers (one imaged while the other is written), kept per thread across calls. */
let buffers: Float32Array[] = [];
function imageBuffers(length: number): Float32Array[] {
  if (buffers[0]?.length !== length) buffers = [new Float32Array(length), new Float32Array(length)];
  return buffers;
}

const cubes = new Map<string, DirectoryStore>();

/** The output cube's store, kept per thread (it remembers which chunk directories exist). */
function cubeStore(out: string): DirectoryStore {
  let store = cubes.get(out);
  if (!store) cubes.set(out, store = new DirectoryStore(out));
  return store;
}

/** Imagers not in use, by options: a kernel takes one for its whole run (ranks may share a module). */
const idle = new Map<string, Imager[]>();

function acquireImager(opts: ImagingOptions): Imager {
  const key = JSON.stringify(opts);
  const im = idle.get(key)?.pop();
  if (im) return im;
  if (!idle.has(key) && idle.size >= 2) idle.clear(); // other sizes: let them go
  return new Imager(opts);
}

function releaseImager(im: Imager): void {
  const key = JSON.stringify(im.opts);
  const list = idle.get(key) ?? [];
  list.push(im);
  idle.set(key, list);
}

/** This thread's output channels. */
export function threadRange(range: [number, number], info: ThreadInfo): [number, number] {
  const [a, b] = partition(range[1] - range[0], info.threads, info.thread);
  return [range[0] + a, range[0] + b];
}

/** Blocks [c, c + k) of output channels: within one store chunk along chan and without wrapping. */
export function channelBlocks(
  range: [number, number],
  opts: { storeChans: number; chanChunk: number },
): [number, number][] {
  const out: [number, number][] = [];
  const { storeChans: C, chanChunk: K } = opts;
  for (let c = range[0]; c < range[1];) {
    const s = c % C;
    const end = Math.min(range[1], c + (K - (s % K)), c + (C - s));
    out.push([c, end]);
    c = end;
  }
  return out;
}

/** Key of a cube chunk: IMAGE is chunked (1, pols, imsize, imsize), SUM_WEIGHT (1, pols). */
export function cubeKey(name: "IMAGE" | "SUM_WEIGHT", chan: number): string {
  return name === "IMAGE" ? `/IMAGE/c/${chan}/0/0/0` : `/SUM_WEIGHT/c/${chan}/0`;
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Open the store and build the imager on this thread (untimed warm-up). */
export async function openKernel(args: ImageArgs): Promise<number> {
  const reader = await readerFor(args);
  releaseImager(acquireImager(args.imaging));
  return reader.freqs.length;
}

/** Image this thread's channels and write them to the cube. */
export async function imageKernel(args: ImageArgs, info: ThreadInfo): Promise<ThreadImageResult> {
  const [c0, c1] = threadRange(args.range, info);
  const res: ThreadImageResult = {
    c0,
    c1,
    sumWeight: [],
    centre: [],
    peakAt: [],
    gridded: 0,
    dropped: 0,
    seconds: { read: 0, grid: 0, fft: 0, write: 0 },
  };
  if (c1 <= c0) return res;
  const reader = await readerFor(args);
  const imager = acquireImager(args.imaging);
  try {
    await imageChannels(args, { reader, imager, res, c0, c1 });
  } finally {
    releaseImager(imager);
  }
  return res;
}

/** Seconds on this thread's clock. */
const now = () => performance.now() / 1000;

/** Start reading output channels `block` (store channel c mod C, see {@linkcode channelBlocks}). */
function readBlock(reader: VisReader, block: [number, number]): Promise<VisBlock> {
  const C = reader.meta.dims.chans, s = block[0] % C;
  return reader.readBlock(s, s + (block[1] - block[0]));
}

/** Offset in `a` of the first largest value of a[from, to), from `from`. */
export function argmax(a: Float32Array, from: number, to: number): number {
  let best = -Infinity, at = 0;
  for (let j = from; j < to; j++) {
    if (a[j] > best) {
      best = a[j];
      at = j - from;
    }
  }
  return at;
}

/** Record one imaged channel's figures: sum of weights, centre pixel and peak of every plane. */
function summarise(
  res: ThreadImageResult,
  o: { image: Float32Array; stats: GridStats; pols: number; imsize: number },
): void {
  const { image, stats, imsize } = o;
  const plane = imsize * imsize;
  const centreAt = Math.floor(imsize / 2) * imsize + Math.floor(imsize / 2);
  for (let p = 0; p < o.pols; p++) {
    res.sumWeight.push(stats.sumWeight[p]);
    res.centre.push(image[p * plane + centreAt]);
    res.peakAt.push(argmax(image, p * plane, (p + 1) * plane));
  }
  res.gridded += stats.gridded;
  res.dropped += stats.dropped;
}

/**
 * The channel loop. It only orchestrates: the loops over pixels and visibilities are functions of
 * their own, and it makes no closure per call. With the peak search inline, V8 compiled this async
 * function on stack replacement with everything inlined (50–100 ms of compiler time each), and
 * every repetition's new closures deoptimised it again; a thread that starts cold (each new Worker)
 * spent its first repetitions recompiling it on the core the other thread images on.
 */
async function imageChannels(
  args: ImageArgs,
  o: { reader: VisReader; imager: Imager; res: ThreadImageResult; c0: number; c1: number },
): Promise<void> {
  const { reader, imager, res, c0, c1 } = o;
  const { pols, imsize } = args.imaging;
  let t = now();
  const rows = args.meta.dims.times * args.meta.dims.baselines;
  const blocks = channelBlocks([c0, c1], {
    storeChans: args.meta.dims.chans,
    chanChunk: args.chanChunk,
  });
  let next: Promise<VisBlock> | null = readBlock(reader, blocks[0]); // along with the row arrays
  next.catch(() => {}); // awaited below; not unhandled if the row arrays fail first
  const [uvw, flagRow, rowWeights] = await Promise.all([
    reader.readUvw(),
    reader.readFlagRow(),
    reader.readRowWeights(),
  ]);
  res.seconds.read += now() - t;
  const out = cubeStore(args.out);
  const images = imageBuffers(pols * imsize * imsize);
  let writing: Promise<unknown> | null = null;
  for (let i = 0; i < blocks.length; i++) {
    t = now();
    const block: VisBlock = await next!;
    next = i + 1 < blocks.length ? readBlock(reader, blocks[i + 1]) : null;
    res.seconds.read += now() - t;
    const nc = block.c1 - block.c0;
    for (let k = 0; k < nc; k++) {
      const chan = blocks[i][0] + k;
      t = now();
      const stats = imager.grid1({
        data: block.data,
        flag: block.flag,
        flagRow,
        weight: block.weight ?? rowWeights,
        weightPerChan: block.weight !== null,
        uvw,
        rows,
        chans: nc,
        chan: k,
      }, reader.freqs[block.c0 + k]);
      const t1 = now();
      res.seconds.grid += t1 - t;
      const image = images[chan % 2];
      if (writing) await writing; // the other buffer's write is done before this one is reused
      const t2 = now();
      imager.transform(image);
      summarise(res, { image, stats, pols, imsize });
      const t3 = now();
      res.seconds.fft += t3 - t2;
      res.seconds.write += t2 - t1;
      const sw = Float64Array.from(stats.sumWeight);
      writing = Promise.all([
        out.set(cubeKey("IMAGE", chan), bytesOf(image)),
        out.set(cubeKey("SUM_WEIGHT", chan), bytesOf(sw)),
      ]);
    }
  }
  t = now();
  if (writing) await writing;
  res.seconds.write += now() - t;
}

/** Arguments of the `check` kernel. */
export interface CheckArgs extends ImageArgs {
  seed: number;
  /** at most this many visibility × pixel products per thread (channels are sampled to fit) */
  budget: number;
}

/** Check a sample of this thread's channels against the direct Fourier transform. */
export async function checkKernel(args: CheckArgs, info: ThreadInfo): Promise<CheckReport> {
  const [c0, c1] = threadRange(args.range, info);
  const reader = await readerFor(args);
  const out = new DirectoryStore(args.out);
  const [uvw, flagRow, rowWeights] = await Promise.all([
    reader.readUvw(),
    reader.readFlagRow(),
    reader.readRowWeights(),
  ]);
  const report: CheckReport = { failures: [], channels: 0, pixels: 0, worst: 0 };
  const { dims } = args.meta;
  const rows = dims.times * dims.baselines;
  for (const chan of pickChannels([c0, c1], { rows, budget: args.budget })) {
    const s = chan % dims.chans;
    const block = await reader.readBlock(s, s + 1);
    const bytes = await out.get(cubeKey("IMAGE", chan));
    const sw = await out.get(cubeKey("SUM_WEIGHT", chan));
    if (!bytes || !sw) {
      report.failures.push(`channel ${chan}: no image in ${args.out}`);
      continue;
    }
    checkChannel(report, {
      chan,
      image: new Float32Array(bytes.slice().buffer),
      sumWeight: new Float64Array(sw.slice().buffer),
      input: {
        data: block.data,
        flag: block.flag,
        flagRow,
        weight: block.weight ?? rowWeights,
        weightPerChan: block.weight !== null,
        uvw,
        rows,
        chans: 1,
        chan: 0,
      },
      freq: reader.freqs[s],
      imaging: args.imaging,
      sources: args.meta.sources,
      polFlux: args.meta.polFlux,
      seed: args.seed,
    });
  }
  return report;
}
