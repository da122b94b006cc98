// An operation that does (almost) nothing: what is left is the harness's own cost.
// deno-lint-ignore-file no-explicit-any
export default (sb: any) =>
  sb.defineWorkload({
    name: "noop",
    summary: "Does nothing; measures the harness",
    params: { spin_us: sb.float({ default: 0, min: 0, help: "Busy time per operation, µs" }) },
    operations: {
      noop: {
        run(ctx: any) {
          const end = performance.now() + ctx.params.spin_us / 1000;
          while (performance.now() < end) { /* spin */ }
          return 1;
        },
        check: (_ctx: any, _s: unknown, r: number) => r === 1,
      },
    },
  });
