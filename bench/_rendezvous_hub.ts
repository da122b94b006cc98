/**
 * Rank 0 alone, for bench/rendezvous_bench.ts's memory measurement: a hub of `size` ranks that
 * prints its port, then, for each line it reads on stdin, its resident memory and open files once
 * the garbage is collected (`--v8-flags=--expose-gc`). Arguments: size, token.
 *
 * @module
 */
import { RendezvousHub } from "../core/rendezvous.ts";

const [size, token] = [Number(Deno.args[0]), Deno.args[1]];
// the star only: its memory is what is measured
const hub = RendezvousHub.start({
  size,
  token,
  bind: "127.0.0.1",
  port: 0,
  tree: { min: 0, fanout: 2 },
});
const out = (o: unknown) => console.log(JSON.stringify(o));
out({ port: hub.port });
const decoder = new TextDecoder();
for await (const chunk of Deno.stdin.readable) {
  for (const _ of decoder.decode(chunk).split("\n").slice(1)) {
    (globalThis as { gc?: () => void }).gc?.();
    const rss = Number(/VmRSS:\s+(\d+)/.exec(Deno.readTextFileSync("/proc/self/status"))![1]) *
      1024;
    out({ rss, files: [...Deno.readDirSync("/proc/self/fd")].length, peers: hub.peers.size });
  }
}
hub.fail("Bench over");
await hub.close();
