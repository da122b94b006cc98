/**
 * One rank (≥ 1) of bench/rendezvous_bench.ts: joins the bench's hub (rank 0, in the bench's own
 * process), calls the same collectives as rank 0 and checks every result exactly; exits 1 on a
 * wrong result. Arguments: one JSON object (port, token, rank, size, tree, plan).
 *
 * @module
 */
import { RendezvousClient } from "../core/rendezvous.ts";
import { checkResult, type Plan, runPlan } from "./_rendezvous_plan.ts";

const args = JSON.parse(Deno.args[0]) as {
  port: number;
  token: string;
  rank: number;
  size: number;
  tree: { min: number; fanout: number };
  plan: Plan;
};
const member = await RendezvousClient.join({
  rank: args.rank,
  size: args.size,
  token: args.token,
  host: "127.0.0.1",
  port: args.port,
  timeout: 120,
  self: { host: "bench", pid: Deno.pid },
  tree: args.tree,
});
const wrong = await runPlan(member, args.plan, { check: checkResult });
await member.close();
if (wrong) {
  console.error(`rank ${args.rank}: ${wrong}`);
  Deno.exit(1);
}
