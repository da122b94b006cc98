/**
 * The `scalebench` command. Rank processes take a fast path that loads only the rank runtime.
 *
 * @module
 */
if (Deno.args[0] === "rank") {
  await (await import("./rank.ts")).main(Deno.args.slice(1));
} else {
  await (await import("./app.ts")).main(Deno.args);
}
