/**
 * Keeps an up-to-date view of the pods matching a label selector: list, then watch from the
 * list's resourceVersion; a dropped watch resumes from the last resourceVersion seen, and an
 * expired one (410 Gone) lists again. No polling: every change arrives as a watch event.
 *
 * @module
 */
import { errorMessage } from "../../core/errors.ts";
import type { KubeClient, KubeJson } from "./client.ts";

/** What a {@linkcode PodTracker} watches. */
export interface PodTrackerOptions {
  client: KubeClient;
  namespace: string;
  selector: string;
  /** Called after every change of the view (and after each re-list) */
  onChange(): void;
  /** A line for the user (verbose) */
  log?(message: string): void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function metaOf(o: KubeJson): { name?: string; resourceVersion?: string } {
  return (o.metadata ?? {}) as { name?: string; resourceVersion?: string };
}

/** A live view of some pods. */
export class PodTracker {
  /** Pods by name */
  readonly pods: Map<string, KubeJson> = new Map();
  /** How many times the view was (re)listed and the watch (re)started */
  lists: number = 0;
  watches: number = 0;
  #o: PodTrackerOptions;
  #stopped = false;
  #stop: () => void = () => {};
  #stopWatch: (() => void) | null = null;
  #waiters: (() => void)[] = [];
  #loop: Promise<void> | null = null;

  constructor(options: PodTrackerOptions) {
    this.#o = options;
  }

  /** Start listing and watching; resolves once the first list is in. */
  async start(): Promise<void> {
    const stopped = new Promise<void>((r) => (this.#stop = r));
    const rv = await this.#relist();
    this.#loop = this.#run(rv, stopped);
  }

  /** Stop watching (idempotent); resolves when the watch loop has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stop();
    this.#stopWatch?.();
    this.#notify();
    await this.#loop;
  }

  /** Resolves at the next change (or when stopped). */
  changed(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((r) => this.#waiters.push(r));
  }

  /** Wait until `test()` holds (checked at each change) or `ms` pass; resolves to test(). */
  async until(test: () => boolean, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!test() && !this.#stopped) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.changed(), new Promise((r) => (timer = setTimeout(r, left)))]);
      clearTimeout(timer);
    }
    return test();
  }

  #notify(): void {
    for (const w of this.#waiters.splice(0)) w();
    if (!this.#stopped) this.#o.onChange();
  }

  async #relist(): Promise<string> {
    const { items, resourceVersion } = await this.#o.client.list(
      "pods",
      this.#o.namespace,
      this.#o.selector,
    );
    this.lists++;
    this.pods.clear();
    for (const p of items) this.pods.set(metaOf(p).name ?? "", p);
    this.#notify();
    return resourceVersion;
  }

  async #run(startRv: string, stopped: Promise<void>): Promise<void> {
    let rv = startRv, failures = 0;
    while (!this.#stopped) {
      let gone = false, errored = false, live = true;
      let stopThis: (() => void) | null = null;
      let ended!: (err: unknown) => void;
      const done = new Promise<unknown>((r) => (ended = r));
      try {
        this.watches++;
        const w = await this.#o.client.watch("pods", this.#o.namespace, {
          selector: this.#o.selector,
          resourceVersion: rv,
          onEvent: (type, obj) => {
            if (!live) return; // late events of a watch that ended
            if (type === "ERROR") {
              // the server says our resourceVersion is too old (410 Gone): list again
              gone = (obj as { code?: number }).code === 410;
              errored = true;
              live = false;
              if (!gone) this.#o.log?.(`Pod watch error: ${String(obj.message ?? "")}`);
              // the client does not call onDone for a watch we abort: end it here
              ended(null);
              stopThis?.();
              return;
            }
            rv = metaOf(obj).resourceVersion || rv;
            if (type === "BOOKMARK") return;
            const name = metaOf(obj).name ?? "";
            if (type === "DELETED") this.pods.delete(name);
            else this.pods.set(name, obj);
            this.#notify();
          },
          onDone: (err) => ended(err),
        });
        stopThis = w.stop;
        this.#stopWatch = w.stop;
        if (this.#stopped || errored) w.stop();
      } catch (err) {
        ended(err);
      }
      const err = await Promise.race([done, stopped]);
      live = false;
      this.#stopWatch = null;
      if (this.#stopped) break;
      const code = (err as { code?: number } | null)?.code;
      try {
        if (gone || code === 410) {
          this.#o.log?.("Pod watch expired (410 Gone): listing again");
          rv = await this.#relist();
          failures = 0;
        } else if (err) {
          failures++;
          this.#o.log?.(`Pod watch failed (${errorMessage(err)}): retrying`);
          await Promise.race([sleep(Math.min(2000, 100 * 2 ** failures)), stopped]);
          if (failures % 5 === 0 && !this.#stopped) rv = await this.#relist();
        } else failures = 0; // the server closed the watch: resume from rv
      } catch (e) {
        failures++;
        this.#o.log?.(`Listing pods failed (${errorMessage(e)}): retrying`);
        await Promise.race([sleep(Math.min(2000, 100 * 2 ** failures)), stopped]);
      }
    }
  }
}
