import assert from "node:assert/strict";
import { DASK_MODULES, pythonMissing } from "./_python.ts";
import { needCommand, needs } from "../tests/_needs.ts";

Deno.test("pythonMissing() names the interpreter and every package when it does not run", async () => {
  assert.equal(
    await pythonMissing("/nonexistent/python3", DASK_MODULES),
    "/nonexistent/python3 is not installed: " +
      "apt-get install python3 python3-numpy python3-pandas python3-dask python3-distributed",
  );
});

Deno.test(needs([await needCommand("/usr/bin/python3")], {
  name: "pythonMissing() names the Debian package of each module it cannot import",
  fn: async () => {
    const why = await pythonMissing("/usr/bin/python3", [
      ["json", "python3-minimal"],
      ["no_such_module_a", "python3-a"],
      ["no_such_module_b.sub", "python3-b"],
    ]);
    assert.equal(
      why,
      "/usr/bin/python3 cannot import no_such_module_a, no_such_module_b.sub: " +
        "apt-get install python3-a python3-b",
    );
    assert.equal(await pythonMissing("/usr/bin/python3", [["json", "python3-minimal"]]), null);
  },
}));
