// A workload file whose definition comes from a helper module (_make_sum.ts).
import { makeSum } from "./_make_sum.ts";

export default makeSum("helper-sum");

/** Not the default export: measure() cannot give it to thread workers. */
export const named = makeSum("named-sum");
