// A workload that stays quiet, for the Kubernetes tests of quiet watches and log streams: every
// repetition waits `seconds` without a word (until `until_file` exists, when given), then the
// rank `late_crash` (if ≥ 0) says one last line on stderr and dies.
// deno-lint-ignore-file no-explicit-any
export default (sb: any) =>
  sb.defineWorkload({
    name: "sleepy",
    summary: "Waits quietly, optionally until a file exists; can die late with a last word",
    params: {
      seconds: sb.float({ default: 1, min: 0 }),
      /** stop waiting as soon as this file exists ("" : wait the full time) */
      until_file: sb.string({ default: "" }),
      /** this rank prints a line after waiting and exits 3 (-1: none) */
      late_crash: sb.int({ default: -1, min: -1 }),
    },
    operations: {
      wait: {
        async run(ctx: any) {
          const p = ctx.params;
          const end = Date.now() + p.seconds * 1000;
          while (Date.now() < end) {
            if (p.until_file && (await Deno.stat(p.until_file).then(() => true, () => false))) {
              break;
            }
            await new Promise((r) => setTimeout(r, Math.min(200, Math.max(1, end - Date.now()))));
          }
          if (ctx.rank === p.late_crash) {
            console.error(`rank ${ctx.rank} dies after ${p.seconds} s of silence`);
            Deno.exit(3);
          }
          await ctx.barrier();
          return ctx.rank;
        },
        check(ctx: any, _state: unknown, rank: number) {
          return rank === ctx.rank;
        },
      },
    },
  });
