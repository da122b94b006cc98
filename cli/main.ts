/**
 * The `scalebench` command. Rank processes take a fast path that loads only the rank runtime; in
 * a bundle, this module is also the entry of the rank's Web Workers (told apart by their names).
 *
 * @module
 */
const role = (globalThis as { name?: string }).name;
if (role === "scalebench-thread") {
  await import("../workloads/_thread_entry.ts");
} else if (role === "scalebench-monitor") {
  await import("../core/_monitor_worker.ts");
} else if (Deno.args[0] === "rank") {
  await (await import("./rank.ts")).main(Deno.args.slice(1));
} else {
  await (await import("./app.ts")).main(Deno.args);
}
