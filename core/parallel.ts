/**
 * Threads of a rank: `threads − 1` Web Workers, each with the rank's workload module loaded, plus
 * the rank's main thread as thread 0. `run(kernel, args)` runs the kernel on every thread;
 * SharedArrayBuffers in `args` are shared, not copied.
 *
 * @module
 */
import type { Kernel } from "./workload.ts";

interface Waiting {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

/** A rank's thread pool. */
export class ThreadPool {
  readonly threads: number;
  #workers: Worker[];
  #kernels: Record<string, Kernel>;
  #rank: number;
  #ranks: number;
  #next = 0;
  #waiting = new Map<number, Waiting>();

  private constructor(
    workers: Worker[],
    options: { kernels: Record<string, Kernel>; rank: number; ranks: number },
  ) {
    this.#workers = workers;
    this.threads = workers.length + 1;
    this.#kernels = options.kernels;
    this.#rank = options.rank;
    this.#ranks = options.ranks;
    for (const w of workers) {
      w.onmessage = (e) => {
        const m = e.data;
        const waiting = this.#waiting.get(m.id);
        if (!waiting) return;
        this.#waiting.delete(m.id);
        if (m.error) {
          const err = new Error(m.error);
          if (m.stack) err.stack = m.stack;
          waiting.reject(err);
        } else waiting.resolve(m.result);
      };
    }
  }

  /**
   * Start `threads − 1` workers that load workload `ref` (a built-in name or file:// URL); each
   * worker is `entry` (the workload loader's `threadEntry()`).
   */
  static async create(
    ref: string,
    options: {
      threads: number;
      rank: number;
      ranks: number;
      kernels: Record<string, Kernel>;
      entry: { url: URL; options: WorkerOptions };
    },
  ): Promise<ThreadPool> {
    const workers: Worker[] = [];
    const ready: Promise<void>[] = [];
    for (let t = 1; t < options.threads; t++) {
      const w = new Worker(options.entry.url, options.entry.options);
      workers.push(w);
      ready.push(
        new Promise((resolve, reject) => {
          w.onmessage = (
            e,
          ) => (e.data.error
            ? reject(new Error(`Thread ${t} failed to start: ${e.data.error}`))
            : resolve());
          w.onerror = (e) => {
            e.preventDefault();
            reject(new Error(`Thread ${t} failed to start: ${e.message}`));
          };
        }),
      );
      w.postMessage({
        t: "init",
        ref,
        info: { thread: t, threads: options.threads, rank: options.rank, ranks: options.ranks },
      });
    }
    try {
      await Promise.all(ready);
    } catch (err) {
      for (const w of workers) w.terminate();
      throw err;
    }
    return new ThreadPool(workers, options);
  }

  /** Run `kernel` on every thread; resolves to each thread's result, in thread order. */
  async run<R = unknown>(kernel: string, args?: unknown): Promise<R[]> {
    const fn = this.#kernels[kernel];
    if (!fn) {
      throw new Error(
        `No kernel '${kernel}' (known: ${Object.keys(this.#kernels).join(", ") || "none"})`,
      );
    }
    const pending = this.#workers.map((w) => {
      const id = this.#next++;
      const p = new Promise<unknown>((resolve, reject) =>
        this.#waiting.set(id, { resolve, reject })
      );
      w.postMessage({ t: "run", id, kernel, args });
      return p;
    });
    const own = await fn(args, {
      thread: 0,
      threads: this.threads,
      rank: this.#rank,
      ranks: this.#ranks,
    });
    return [own, ...(await Promise.all(pending))] as R[];
  }

  close(): void {
    for (const w of this.#workers) w.terminate();
    for (const w of this.#waiting.values()) w.reject(new Error("Thread pool closed"));
    this.#waiting.clear();
  }
}
