import assert from "node:assert/strict";
import { sourceRankCommand } from "../../core/run.ts";
import { prepareRankCommand } from "./prepare.ts";

Deno.test("prepareRankCommand() installs a checkout's rank graph and starts ranks without resolving npm", async () => {
  const argv = sourceRankCommand();
  const prepared = await prepareRankCommand(argv, { workload: "amdahl" });
  assert.equal(prepared.reason, null);
  assert.deepEqual(prepared.argv, [argv[0], "run", "--node-modules-dir=manual", ...argv.slice(2)]);
  // the prepared command really starts a rank (here: one that finds no spec, exit 2)
  const r = await new Deno.Command(prepared.argv[0], {
    args: prepared.argv.slice(1),
    env: { SCALEBENCH_SPEC: "", SCALEBENCH_SPEC_FILE: "" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(r.code, 2);
  assert.match(new TextDecoder().decode(r.stderr), /^scalebench rank: No readable rank spec/);
});

Deno.test("prepareRankCommand() leaves a bundle, a binary and a chosen node_modules mode alone", async () => {
  for (
    const argv of [
      ["deno", "run", "-A", "/x/scalebench.js", "rank"],
      ["/opt/scalebench", "rank"],
      [
        "deno",
        "run",
        "--node-modules-dir=none",
        "--config",
        "/x/deno.json",
        "/x/cli/main.ts",
        "rank",
      ],
    ]
  ) {
    const prepared = await prepareRankCommand(argv, { workload: "amdahl" });
    assert.deepEqual(prepared.argv, argv);
    assert.equal(prepared.reason, "not a deno run of a checkout's cli/main.ts");
  }
});

Deno.test("prepareRankCommand() falls back to the command as given when the install fails", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scalebench-prepare-" });
  await Deno.writeTextFile(`${dir}/deno.json`, "{ not json");
  const argv = [
    Deno.execPath(),
    "run",
    "-A",
    "--config",
    `${dir}/deno.json`,
    `${dir}/cli/main.ts`,
    "rank",
  ];
  const prepared = await prepareRankCommand(argv, { workload: "amdahl" });
  assert.deepEqual(prepared.argv, argv);
  assert.match(prepared.reason ?? "", /^deno install failed: /);
  await Deno.remove(dir, { recursive: true });
});
