// A workload that misbehaves on purpose, for the provider conformance suite.
// deno-lint-ignore-file no-explicit-any
export default (sb: any) =>
  sb.defineWorkload({
    name: "faulty",
    summary: "Misbehaves on purpose: crashes a rank, fails a check, or hangs",
    params: {
      fault: sb.enumOf(["none", "crash", "check", "hang"], { default: "none" }),
      /** the fault happens at this core count only (0: everywhere) */
      at_cores: sb.int({ default: 0, min: 0 }),
      /** and on this rank */
      rank: sb.int({ default: 0, min: 0 }),
      /** and at this repetition (-1: every) */
      at_rep: sb.int({ default: -1, min: -1 }),
      /** any text: travels in the rank spec, never through a shell */
      label: sb.string({ default: "" }),
    },
    operations: {
      work: {
        async run(ctx: any) {
          const p = ctx.params;
          const here = (p.at_cores === 0 || p.at_cores === ctx.cores) && ctx.rank === p.rank;
          if (here && p.fault === "crash") {
            console.error("crash on purpose");
            Deno.exit(3);
          }
          if (here && p.fault === "hang") await new Promise((r) => setTimeout(r, 600_000));
          let x = 0;
          for (let i = 0; i < 1e6; i++) x += i;
          await ctx.barrier();
          return x;
        },
        check(ctx: any, _state: unknown, x: number) {
          const p = ctx.params;
          const rep = ctx.task.rep;
          if (p.fault === "check" && ctx.rank === p.rank && (p.at_rep === -1 || p.at_rep === rep)) {
            return { ok: false, message: "wrong on purpose" };
          }
          return x === 499999500000;
        },
      },
    },
  });
