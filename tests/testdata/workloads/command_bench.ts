// A command workload module: a program (tests/testdata/programs/bench.py under Debian's Python)
// instead of operations, with typed parameters that reach it as SCALEBENCH_PARAM_<KEY>.
// deno-lint-ignore-file no-explicit-any
export default (sb: any) =>
  sb.defineWorkload({
    name: "py-bench",
    summary: "bench.py as a typed command workload",
    params: {
      size: sb.int({ default: 4, min: 1, help: "MB per rank" }),
      ranks: sb.int({ default: 1, min: 1, help: "the ranks the program should see" }),
      extra: sb.int({ default: 0, min: 0, max: 1, help: "also record an op the module does not declare" }),
    },
    command: ["/usr/bin/python3", new URL("../programs/bench.py", import.meta.url).pathname],
    ops: ["compute", "io"],
  });
