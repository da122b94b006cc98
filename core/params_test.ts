import { assertEquals, assertThrows } from "./_assert.ts";
import { ValidationError } from "./errors.ts";
import {
  bool,
  enumOf,
  float,
  int,
  parseParam,
  parseSetFlags,
  resolveParams,
  string,
} from "./params.ts";

const specs = {
  n: int({ default: 4, min: 1, max: 10 }),
  s: float({ default: 0.5, min: 0, max: 1 }),
  name: string({ default: "x", pattern: "[a-z]+" }),
  on: bool({ default: false }),
  kind: enumOf(["a", "b"], { default: "a" }),
};

Deno.test("resolveParams() fills defaults and parses --set strings into typed values", () => {
  assertEquals(resolveParams(specs, {}), { n: 4, s: 0.5, name: "x", on: false, kind: "a" });
  assertEquals(
    resolveParams(specs, { n: "7", s: "0.25", name: "abc", on: "yes", kind: "b" }),
    { n: 7, s: 0.25, name: "abc", on: true, kind: "b" },
  );
});

Deno.test("resolveParams() names an unknown parameter and the known ones", () => {
  assertThrows(
    () => resolveParams(specs, { nosuch: "1" }, { workload: "w" }),
    ValidationError,
    "Unknown parameter 'nosuch' for workload 'w' (known: n, s, name, on, kind)",
  );
});

Deno.test("parseParam() rejects out-of-range, non-integer, malformed and unlisted values", () => {
  const cases: [string, string, string][] = [
    ["n", "0", "Parameter 'n' must be ≥ 1 (got '0')"],
    ["n", "11", "Parameter 'n' must be ≤ 10 (got '11')"],
    ["n", "2.5", "Parameter 'n' must be an integer (got '2.5')"],
    ["s", "abc", "Parameter 's' must be a number (got 'abc')"],
    ["s", "", "Parameter 's' must be a number (got '')"],
    ["on", "maybe", "Parameter 'on' must be true or false (got 'maybe')"],
    ["kind", "c", "Parameter 'kind' must be one of 'a', 'b' (got 'c')"],
    ["name", "A1", "Parameter 'name' must match /[a-z]+/ (got 'A1')"],
  ];
  for (const [name, raw, message] of cases) {
    const err = assertThrows(
      () => parseParam(name, specs[name as keyof typeof specs], raw),
      ValidationError,
    );
    assertEquals(err.message, message);
  }
});

Deno.test("parseSetFlags() splits at the first '=' and rejects an entry without one", () => {
  assertEquals(parseSetFlags(["a=1", "b=x=y", "c="]), { a: "1", b: "x=y", c: "" });
  assertThrows(
    () => parseSetFlags(["novalue"]),
    ValidationError,
    "Flag --set expects key=value (got 'novalue')",
  );
});
