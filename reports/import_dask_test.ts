import { assertEquals, assertThrows } from "../core/_assert.ts";
import { ValidationError } from "../core/errors.ts";
import { importDaskCsv, parseCsv } from "./import_dask.ts";

Deno.test("parseCsv() handles quotes, escaped quotes, CRLF and a missing final newline", () => {
  assertEquals(parseCsv('a,b\r\n"x, y","say ""hi"""\n1,\n2,3'), [
    ["a", "b"],
    ["x, y", 'say "hi"'],
    ["1", ""],
    ["2", "3"],
  ]);
});

Deno.test("importDaskCsv() reads aggregated files into one weak run per collection", () => {
  const csv = [
    "collection,name,n,unit,duration_median,duration_mean,duration_min,duration_max,duration_std,rate_median",
    'arrays,"reduction operation (std)",2,MB/s,1.5,1.6,1.4,1.9,0.2,800',
    "dataframes,sort,1,MB/s,3,3,3,3,0,",
  ].join("\n");
  const [arrays, frames] = importDaskCsv(csv, { path: "/r/x_aggregated.csv" });
  assertEquals([arrays.workload, arrays.mode, arrays.kind], ["arrays", "weak", "dask-bench"]);
  assertEquals(arrays.label, "x_aggregated.csv (arrays)");
  assertEquals(arrays.aggregates, [{
    op: "reduction operation (std)",
    cores: 2,
    unit: "MB/s",
    median: 1.5,
    mean: 1.6,
    min: 1.4,
    max: 1.9,
    std: 0.2,
    rate: 800,
  }]);
  assertEquals(frames.operations, ["sort"]);
  assertEquals(frames.aggregates[0].rate, null);
});

Deno.test("importDaskCsv() reads raw per-observation files as repetitions", () => {
  const csv =
    "name,duration,unit,rate,n,collection\nstd,1.0,MB/s,10,1,arrays\nstd,1.2,MB/s,8,1,arrays\n" +
    "name,duration,unit,rate,n,collection\nstd,0.7,MB/s,14,2,arrays\n";
  const [run] = importDaskCsv(csv, { path: "a_arrays_raw.csv" });
  assertEquals(run.label, "a_arrays_raw.csv");
  assertEquals(run.observations.map((o) => [o.op, o.cores, o.rep, o.seconds, o.rate]), [
    ["std", 1, 0, 1.0, 10],
    ["std", 1, 1, 1.2, 8],
    ["std", 2, 0, 0.7, 14],
  ]);
});

Deno.test("importDaskCsv() names the file and line of a bad value", () => {
  assertThrows(
    () => importDaskCsv("name,n,duration\nx,abc,1\n", { path: "bad.csv" }),
    ValidationError,
    "'bad.csv' line 2: n 'abc' is not a number",
  );
  assertThrows(
    () => importDaskCsv("a,b\n1,2\n", { path: "other.csv" }),
    ValidationError,
    "is not a dask-bench CSV",
  );
});
