/**
 * Keeps an up-to-date view of the objects matching a selector (pods of a Job, Events of a Job):
 * list, then watch from the list's resourceVersion. Every watch asks the server to end it after
 * about a minute (`timeoutSeconds`) and resumes from the last resourceVersion seen (bookmarks
 * included), as client-go's reflector does; a connection that brings nothing for longer than that
 * is given up and resumed too, and an expired resourceVersion (410 Gone) lists again. No polling:
 * every change arrives as a watch event, however long the objects stay quiet.
 *
 * @module
 */
import { errorMessage } from "../../core/errors.ts";
import type { KubeApiError, KubeClient, KubeJson, Listable, Selector } from "./client.ts";

/** What a {@linkcode Tracker} watches. */
export interface TrackerOptions {
  client: KubeClient;
  resource: Listable;
  namespace: string;
  selector: Selector;
  /** Called after every change of the view (and after each re-list) */
  onChange(): void;
  /** A line for the user (verbose) */
  log?(message: string): void;
  /** `timeoutSeconds` of each watch (default: 50 to 70 s, drawn for each watch) */
  timeoutSeconds?: number;
  /** Seconds without any byte after which a watch is given up (default: timeoutSeconds + 30) */
  idleSeconds?: number;
}

function sleep(ms: number, until: Promise<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([new Promise<void>((r) => (timer = setTimeout(r, ms))), until]).finally(
    () => clearTimeout(timer),
  );
}

function metaOf(o: KubeJson): { name?: string; resourceVersion?: string } {
  return (o.metadata ?? {}) as { name?: string; resourceVersion?: string };
}

/** How one watch ended. */
type Ending = { kind: "closed" } | { kind: "gone" } | { kind: "failed"; err: unknown };

/** A live view of some objects. */
export class Tracker {
  /** Objects by name */
  readonly objects: Map<string, KubeJson> = new Map();
  /** How many times the view was (re)listed, the watch (re)started, and a watch gave up idle */
  lists: number = 0;
  watches: number = 0;
  idle: number = 0;
  #o: TrackerOptions;
  #stopped = false;
  #stopSignal: PromiseWithResolvers<void> = Promise.withResolvers();
  #stopWatch: (() => void) | null = null;
  #waiters: (() => void)[] = [];
  #loop: Promise<void> | null = null;

  constructor(options: TrackerOptions) {
    this.#o = options;
  }

  /** Start listing and watching; resolves once the first list is in. */
  async start(): Promise<void> {
    const rv = await this.#relist();
    this.#loop = this.#run(rv);
  }

  /** Stop watching (idempotent); resolves when the watch loop has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopSignal.resolve();
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
      await sleep(left, this.changed());
    }
    return test();
  }

  #notify(): void {
    for (const w of this.#waiters.splice(0)) w();
    if (!this.#stopped) this.#o.onChange();
  }

  async #relist(): Promise<string> {
    const { items, resourceVersion } = await this.#o.client.list(
      this.#o.resource,
      this.#o.namespace,
      this.#o.selector,
    );
    this.lists++;
    this.objects.clear();
    for (const p of items) this.objects.set(metaOf(p).name ?? "", p);
    this.#notify();
    return resourceVersion;
  }

  /** One watch from `rv`; resolves when it ends, with the last resourceVersion seen. */
  async #watchOnce(rv: string): Promise<{ rv: string; ending: Ending }> {
    const done = Promise.withResolvers<Ending>();
    let live = true;
    try {
      this.watches++;
      const w = await this.#o.client.watch(this.#o.resource, this.#o.namespace, {
        selector: this.#o.selector,
        resourceVersion: rv,
        timeoutSeconds: this.#o.timeoutSeconds ?? 50 + Math.floor(Math.random() * 20),
        idleSeconds: this.#o.idleSeconds,
        onEvent: (type, obj) => {
          if (!live) return; // late events of a watch that ended
          if (type === "ERROR") {
            live = false;
            // the server says our resourceVersion is too old (410 Gone): list again
            if ((obj as { code?: number }).code === 410) done.resolve({ kind: "gone" });
            else {
              const why = String(obj.message ?? "");
              done.resolve({ kind: "failed", err: new Error(`error event: ${why}`) });
            }
            return;
          }
          rv = metaOf(obj).resourceVersion || rv;
          if (type === "BOOKMARK") return;
          const name = metaOf(obj).name ?? "";
          if (type === "DELETED") this.objects.delete(name);
          else this.objects.set(name, obj);
          this.#notify();
        },
        onDone: (err) => done.resolve(err ? { kind: "failed", err } : { kind: "closed" }),
      });
      this.#stopWatch = w.stop;
      if (this.#stopped) w.stop();
      // an ERROR event ends the watch here; the client would not for a watch we abort
      done.promise.then(() => w.stop());
    } catch (err) {
      done.resolve({ kind: "failed", err });
    }
    const ending = await Promise.race([
      done.promise,
      this.#stopSignal.promise.then((): Ending => ({ kind: "closed" })),
    ]);
    live = false;
    this.#stopWatch = null;
    return { rv, ending };
  }

  async #run(startRv: string): Promise<void> {
    const what = `${this.#o.resource === "events" ? "Event" : "Pod"} watch`;
    let rv = startRv, failures = 0;
    while (!this.#stopped) {
      const started = Date.now();
      const { rv: last, ending } = await this.#watchOnce(rv);
      rv = last;
      if (this.#stopped) break;
      try {
        if (ending.kind === "gone") {
          this.#o.log?.(`${what} expired (410 Gone): listing again`);
          rv = await this.#relist();
          failures = 0;
        } else if (ending.kind === "failed") {
          const err = ending.err;
          if ((err as KubeApiError).reason === "Timeout") this.idle++;
          failures++;
          this.#o.log?.(`${what} ended (${errorMessage(err)}): watching again`);
          await sleep(Math.min(2000, 50 * 2 ** failures), this.#stopSignal.promise);
          if (failures % 5 === 0 && !this.#stopped) rv = await this.#relist();
        } else if (Date.now() - started < 1000) {
          // ended at once again and again (a proxy?): do not spin
          failures++;
          await sleep(Math.min(2000, 50 * 2 ** failures), this.#stopSignal.promise);
        } else failures = 0; // the server ended the watch (timeoutSeconds): resume from rv
      } catch (e) {
        failures++;
        this.#o.log?.(`Listing ${this.#o.resource} failed (${errorMessage(e)}): retrying`);
        await sleep(Math.min(2000, 100 * 2 ** failures), this.#stopSignal.promise);
      }
    }
  }
}
