import { assertEquals, assertThrows } from "../core/_assert.ts";
import { ValidationError } from "../core/errors.ts";
import { importHyperfine } from "./import_hyperfine.ts";

Deno.test("importHyperfine() scales a parameter scan over its core parameter", () => {
  const run = importHyperfine({
    results: [
      { command: "make -j 1", times: [2, 2.2], exit_codes: [0, 0], parameters: { jobs: "1" } },
      { command: "make -j 4", times: [0.8, 0.9], exit_codes: [0, 1], parameters: { jobs: "4" } },
    ],
  }, { path: "/x/build.json" });
  assertEquals([run.kind, run.workload, run.label, run.mode], [
    "hyperfine",
    "hyperfine",
    "build.json",
    "strong",
  ]);
  assertEquals(run.operations, ["make -j {jobs}"]);
  assertEquals(run.observations.map((o) => [o.cores, o.rep, o.seconds, o.ok, o.error]), [
    [1, 0, 2, true, null],
    [1, 1, 2.2, true, null],
    [4, 0, 0.8, true, null],
    [4, 1, 0.9, false, "exit code 1"],
  ]);
});

Deno.test("importHyperfine() keeps plain commands as operations at one core", () => {
  const run = importHyperfine({
    results: [{ command: "sleep 0.1", times: [0.1] }, { command: "true", mean: 0.001 }],
  }, {
    path: "h.json",
  });
  assertEquals(run.operations, ["sleep 0.1", "true"]);
  assertEquals(run.observations.map((o) => [o.op, o.cores, o.seconds]), [["sleep 0.1", 1, 0.1], [
    "true",
    1,
    0.001,
  ]]);
  assertThrows(
    () => importHyperfine({ foo: 1 }, { path: "x.json" }),
    ValidationError,
    "is not a hyperfine --export-json file",
  );
});
