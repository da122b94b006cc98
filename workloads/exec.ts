/**
 * `exec`: any program as the workload — `scalebench run --exec "python3 bench.py --size 100"`.
 * The command line is split into argv (quotes honoured, no shell); `--set key=value` reaches the
 * program as `SCALEBENCH_PARAM_KEY`; it records its operations as JSON lines in
 * `$SCALEBENCH_RECORDS`, or is timed as a whole (op `exec`). The run is named after the program.
 *
 * @module
 */
import { defineWorkload } from "../core/workload.ts";

export default defineWorkload({
  name: "exec",
  summary:
    'Any program: run --exec "CMD" (argv, no shell); --set key=value reaches it as SCALEBENCH_PARAM_KEY',
  params: {},
  // given with --exec (core/exec_workload.ts runDefinition)
  command: "",
});
