import assert from "node:assert/strict";
import { ValidationError } from "./errors.ts";
import {
  checkExpectation,
  type ExpectationScope,
  parseExpectation,
  planExpectations,
} from "./expect.ts";

Deno.test("parseExpectation() reads every form of the grammar", () => {
  const p = (t: string) => {
    const { text: _, source: __, ...rest } = parseExpectation(t);
    return rest;
  };
  assert.deepEqual(p("efficiency>=0.8@16"), {
    op: null,
    figure: "efficiency",
    cmp: ">=",
    bound: 0.8,
    cores: { from: 16, to: 16 },
  });
  assert.deepEqual(p("speedup>=3.5@4").bound, 3.5);
  assert.deepEqual(p("seconds<=2.0@1").cmp, "<=");
  assert.deepEqual(p("rate>=500@1..8").cores, { from: 1, to: 8 });
  assert.deepEqual(p("amdahl.s<=0.1"), {
    op: null,
    figure: "amdahl.s",
    cmp: "<=",
    bound: 0.1,
    cores: null,
  });
  assert.deepEqual(p("op:transpose efficiency>=0.7@4").op, "transpose");
  assert.deepEqual(p("op:sum of squares speedup > 1.5 @ 2"), {
    op: "sum of squares",
    figure: "speedup",
    cmp: ">",
    bound: 1.5,
    cores: { from: 2, to: 2 },
  });
  assert.equal(p("op:'x + xᵀ' karp-flatt<0.2@2..4").op, "x + xᵀ");
  assert.equal(p("efficiency ≥ 1e-1 @ 2").cmp, ">=");
  assert.equal(p("usl.kappa≤0").cmp, "<=");
  assert.equal(parseExpectation("  efficiency>=0.8@2  ", "workload 'w'").text, "efficiency>=0.8@2");
  assert.equal(parseExpectation("efficiency>=0.8@2", "workload 'w'").source, "workload 'w'");
});

Deno.test("parseExpectation() names what is wrong, where it came from, in one line", () => {
  const cases: [string, string][] = [
    [
      "",
      "Expectation '' (--expect) is empty (e.g. efficiency>=0.8@16, amdahl.s<=0.1, op:transpose speedup>=3@4)",
    ],
    [
      "effciency>=0.8@2",
      "Expectation 'effciency>=0.8@2' (--expect) bounds an unknown figure 'effciency' (known: efficiency, speedup, seconds, rate, karp-flatt, amdahl.s, gustafson.s, usl.sigma, usl.kappa)",
    ],
    [
      "efficiency=0.8@2",
      "Expectation 'efficiency=0.8@2' (--expect) compares with '=': use >=, >, <= or <",
    ],
    [
      "efficiency>=high@2",
      "Expectation 'efficiency>=high@2' (--expect) has a bound that is not a number (got 'high')",
    ],
    [
      "efficiency>=0.8",
      "Expectation 'efficiency>=0.8' (--expect) needs a scale point: @CORES or @FROM..TO (e.g. efficiency>=0.8@2)",
    ],
    [
      "amdahl.s<=0.1@4",
      "Expectation 'amdahl.s<=0.1@4' (--expect) bounds a fit over every point: remove '@4'",
    ],
    [
      "speedup>=2@8..4",
      "Expectation 'speedup>=2@8..4' (--expect) has a range whose end is below its start (got '8..4')",
    ],
    ["speedup>=2@0", "Expectation 'speedup>=2@0' (--expect) has a scale point below 1 core"],
    [
      "speedup>=2@two",
      "Expectation 'speedup>=2@two' (--expect) has a scale point that is not a core count (got 'two')",
    ],
    [
      "op:'' speedup>=2@2",
      "Expectation 'op:'' speedup>=2@2' (--expect) names no operation after op:",
    ],
    [
      "efficiency 0.8@2",
      "Expectation 'efficiency 0.8@2' (--expect) is not FIGURE OP NUMBER[@CORES] (e.g. efficiency>=0.8@16, amdahl.s<=0.1, op:transpose speedup>=3@4)",
    ],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseExpectation(text), (err) => {
      assert.ok(err instanceof ValidationError);
      assert.equal(err.message, message);
      return true;
    });
  }
});

const SCOPE: ExpectationScope = {
  operations: ["create", "transpose"],
  allOperations: ["create", "transpose", "sort"],
  cores: [1, 2, 4],
  mode: "strong",
  rates: ["create"],
};

function problem(text: string, scope = SCOPE, optional = false): string | null {
  try {
    return checkExpectation(parseExpectation(text), scope, { optional });
  } catch (err) {
    assert.ok(err instanceof ValidationError);
    return `error: ${err.message}`;
  }
}

Deno.test("checkExpectation() refuses a point or operation the run does not have, before it runs", () => {
  assert.equal(problem("efficiency>=0.8@4"), null);
  assert.equal(problem("op:transpose speedup>=1.5@2..4"), null);
  assert.equal(problem("amdahl.s<=0.1"), null);
  assert.equal(problem("usl.sigma<=0.1"), null);
  assert.equal(
    problem("efficiency>=0.8@16"),
    "error: Expectation 'efficiency>=0.8@16' (--expect) is about 16 cores, which this run does not measure (planned: 1, 2, 4)",
  );
  assert.equal(
    problem("rate>=1@8..16"),
    "error: Expectation 'rate>=1@8..16' (--expect) is about 8..16 cores, which this run does not measure (planned: 1, 2, 4)",
  );
  assert.equal(
    problem("op:nosuch efficiency>=0.8@2"),
    "error: Expectation 'op:nosuch efficiency>=0.8@2' (--expect) is about an unknown operation 'nosuch' (known: create, transpose, sort)",
  );
  assert.equal(
    problem("op:sort efficiency>=0.8@2"),
    "error: Expectation 'op:sort efficiency>=0.8@2' (--expect) is about operation 'sort', which this run does not measure",
  );
  assert.equal(
    problem("op:transpose rate>=5@2"),
    "error: Expectation 'op:transpose rate>=5@2' (--expect) bounds a rate, but operation 'transpose' reports none (a workload operation's metric gives one)",
  );
  assert.equal(problem("rate>=5@2"), null); // create has one
  assert.equal(
    problem("gustafson.s<=0.1"),
    "error: Expectation 'gustafson.s<=0.1' (--expect) bounds a Gustafson fit, which applies to weak scaling; this run is strong",
  );
  assert.equal(
    problem("karp-flatt<=0.1@1"),
    "error: Expectation 'karp-flatt<=0.1@1' (--expect) bounds Karp–Flatt at the reference point (1 core), where it is undefined (choose a larger core count)",
  );
  assert.equal(problem("karp-flatt<=0.1@1..2"), null);
  assert.equal(
    problem("usl.kappa<=0.1", { ...SCOPE, cores: [1, 2] }),
    "error: Expectation 'usl.kappa<=0.1' (--expect) needs at least 3 core counts for a USL fit (planned: 1, 2)",
  );
});

Deno.test("checkExpectation() skips a workload's own expectation outside the run, with the reason", () => {
  assert.equal(
    problem("efficiency>=0.8@16", SCOPE, true),
    "is about 16 cores, which this run does not measure (planned: 1, 2, 4)",
  );
  assert.equal(
    problem("op:sort efficiency>=0.8@2", SCOPE, true),
    "is about operation 'sort', which this run does not measure",
  );
  // an operation the workload does not have is a mistake in the workload, even there
  assert.match(problem("op:nosuch efficiency>=0.8@2", SCOPE, true)!, /^error: .*unknown operation/);
  // a program that defines its operations when it runs: any name may come
  const any = { ...SCOPE, operations: null, allOperations: null, rates: null };
  assert.equal(problem("op:whatever rate>=5@2", any), null);
});

Deno.test("planExpectations() parses every source in order and keeps why some are skipped", () => {
  const planned = planExpectations([
    { texts: ["efficiency>=0.5@2", "speedup>=8@16"], source: "workload 'w'", optional: true },
    { texts: ["amdahl.s<=0.2"], source: "--expect" },
  ], SCOPE);
  assert.deepEqual(planned.map((e) => [e.text, e.source, e.skipped]), [
    ["efficiency>=0.5@2", "workload 'w'", null],
    [
      "speedup>=8@16",
      "workload 'w'",
      "is about 16 cores, which this run does not measure (planned: 1, 2, 4)",
    ],
    ["amdahl.s<=0.2", "--expect", null],
  ]);
  assert.throws(
    () => planExpectations([{ texts: ["speedup>=8@16"], source: "--expect" }], SCOPE),
    /^ValidationError: Expectation 'speedup>=8@16' \(--expect\) is about 16 cores/,
  );
});
