// A workload whose time follows Amdahl's law without using the CPU: rank 0 sleeps
// FACTOR · ms · (s + (1 − s)/n) at n cores, so its scaling is known whatever the machine's load.
// tests/expect_cli_test.ts copies this file with another FACTOR to make a slower version of it.
// deno-lint-ignore-file no-explicit-any
const FACTOR = 1;

export default (sb: any) =>
  sb.defineWorkload({
    name: "napper",
    summary: "Sleeps like Amdahl's law: FACTOR · ms · (s + (1 − s)/n) at n cores",
    params: {
      ms: sb.float({ default: 60, min: 1, help: "Time at 1 core, milliseconds" }),
      s: sb.float({ default: 0.5, min: 0, max: 1, help: "Serial fraction" }),
    },
    mode: "strong",
    operations: {
      nap: {
        async run(ctx: any) {
          const { ms, s } = ctx.params;
          if (ctx.rank === 0) {
            await new Promise((r) => setTimeout(r, FACTOR * ms * (s + (1 - s) / ctx.cores)));
          }
          await ctx.barrier();
        },
        metric: { unit: "nap", amount: () => 1 },
      },
    },
  });
