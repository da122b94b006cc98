/**
 * The `scalebench` command. Rank processes take a fast path that loads only the rank runtime; in
 * a bundle, this module is also the entry of the rank's Web Workers (told apart by their names).
 * Imported rather than run — the bundle as `scalebench/testing` in the deno.json that
 * `scalebench init` writes — it runs nothing and exports {@linkcode measure}.
 *
 * @module
 */
import type { measure as Measure } from "../testing.ts";

/** `measure()` of `scalebench/testing` (testing.ts), loaded on first use. */
export async function measure(...args: Parameters<typeof Measure>): ReturnType<typeof Measure> {
  return await (await import("../testing.ts")).measure(...args);
}

const role = (globalThis as { name?: string }).name;
if (role === "scalebench-thread") {
  await import("../workloads/_thread_entry.ts");
} else if (role === "scalebench-monitor") {
  await import("../core/_monitor_worker.ts");
} else if (!import.meta.main) {
  // imported: nothing to run
} else if (Deno.args[0] === "rank") {
  await (await import("./rank.ts")).main(Deno.args.slice(1));
} else {
  await (await import("./app.ts")).main(Deno.args);
}
