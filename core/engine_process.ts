/**
 * `--engine process` (the default): every rank runs the program, once per repetition, after the
 * barrier; every rank writes its own records file and must record rank 0's operations.
 *
 * @module
 */
import { defineEngine, type Engine } from "./engine.ts";
import { quote, ValidationError } from "./errors.ts";

/** The process engine. */
export const processEngine: Engine = defineEngine({
  name: "process",
  summary: "Every rank runs the program once per repetition (one process per rank)",
  records: "every-rank",
  async configure(ctx) {
    const program = ctx.argv[0];
    // in containers the program is the image's: it cannot be checked from here
    if (program && ctx.provider !== "kubernetes" && !(await ctx.findCommand(program))) {
      throw new ValidationError(
        `Command ${quote(program, 200)} was not found (--exec; not a file, nor on PATH)`,
      );
    }
    return {};
  },
  start(ctx) {
    return Promise.resolve({
      run: (rep) => ctx.launch(rep.argv, { env: rep.env, cwd: rep.cwd }),
      close: () => Promise.resolve(),
    });
  },
});
