import assert from "node:assert/strict";
import { ValidationError } from "./errors.ts";
import {
  completeSettings,
  type ConfigSources,
  defineSettings,
  longFlag,
  redactSettings,
  resolveSettings,
  type SettingsOf,
} from "./settings.ts";

const DECLS = defineSettings({
  account: {
    flag: "--account <name>",
    env: ["SB_ACCOUNT", "ACCOUNT"],
    type: "string",
    default: null,
    help: "",
    validate: (v) => (/^\w+$/.test(v) ? undefined : "expects a word"),
  },
  nodes: { flag: "-n, --nodes <n>", env: ["NODES"], type: "int", default: 2, help: "" },
  mode: {
    flag: "--mode <m>",
    type: "string",
    choices: ["fast", "slow"],
    default: "fast",
    help: "",
  },
  exclusive: { flag: "--no-exclusive", env: ["EXCL"], type: "bool", default: true, help: "" },
  extra: { flag: "--extra <x>", env: ["EXTRA"], type: "list", default: [], help: "" },
  key: { flag: "--key <k>", type: "string", default: null, secret: true, help: "" },
});

const src = (over: Partial<ConfigSources> = {}): ConfigSources => ({
  flags: {},
  env: {},
  dotenv: {},
  dotenvPath: null,
  ...over,
});

Deno.test("resolveSettings() types every value from its declaration, defaults filled", () => {
  const { values, origins } = resolveSettings(DECLS, src({ env: { ACCOUNT: "astro" } }));
  // the record's type is inferred: these assignments would not compile with the wrong types
  const typed: SettingsOf<typeof DECLS> = values;
  const account: string | null = typed.account;
  const nodes: number = typed.nodes;
  const mode: "fast" | "slow" = typed.mode;
  const extra: string[] = typed.extra;
  assert.deepEqual([account, nodes, mode, typed.exclusive, extra, typed.key], [
    "astro",
    2,
    "fast",
    true,
    [],
    null,
  ]);
  assert.deepEqual([origins.account, origins.nodes], ["Environment variable ACCOUNT", "default"]);
});

Deno.test("resolveSettings() takes flags over the environment over .env, first env key first", () => {
  const { values, origins } = resolveSettings(
    DECLS,
    src({
      flags: { nodes: "8", extra: ["a", "b"] },
      env: { NODES: "4", ACCOUNT: "second", SB_ACCOUNT: "first", EXCL: "no" },
      dotenv: { EXTRA: "x,y", NODES: "3" },
      dotenvPath: "my.env",
    }),
  );
  assert.deepEqual([values.nodes, values.account, values.exclusive, values.extra], [
    8,
    "first",
    false,
    ["a", "b"],
  ]);
  assert.equal(origins.nodes, "Flag --nodes");
  assert.equal(
    resolveSettings(DECLS, src({ dotenv: { EXTRA: "x, y" } })).values.extra.join(),
    "x,y",
  );
});

Deno.test("resolveSettings() names the flag, variable or .env key of a bad value", () => {
  assert.throws(
    () => resolveSettings(DECLS, src({ flags: { nodes: "two" } })),
    new ValidationError("Flag --nodes expects a whole number (got 'two')"),
  );
  assert.throws(
    () => resolveSettings(DECLS, src({ dotenv: { ACCOUNT: "a b" }, dotenvPath: "x.env" })),
    new ValidationError("Key ACCOUNT in 'x.env' expects a word (got 'a b')"),
  );
  assert.throws(
    () => resolveSettings(DECLS, src({ flags: { mode: "medium" } })),
    new ValidationError("Flag --mode expects one of fast, slow (got 'medium')"),
  );
  assert.throws(
    () => resolveSettings(DECLS, src({ env: { EXCL: "maybe" } })),
    new ValidationError("Environment variable EXCL expects true or false (got 'maybe')"),
  );
});

Deno.test("completeSettings() fills a partial record and rejects unknown keys and bad values", () => {
  assert.deepEqual(completeSettings(DECLS, { nodes: 5, key: "s3cret" }), {
    account: null,
    nodes: 5,
    mode: "fast",
    exclusive: true,
    extra: [],
    key: "s3cret",
  });
  assert.throws(
    () => completeSettings(DECLS, { node: 5 }),
    new ValidationError(
      "Setting 'node' is unknown (known: account, nodes, mode, exclusive, extra, key)",
    ),
  );
  assert.throws(
    () => completeSettings(DECLS, { nodes: 1.5 }),
    new ValidationError("Setting 'nodes' expects a whole number (got '1.5')"),
  );
});

Deno.test("redactSettings() hides secrets only; longFlag() finds the long flag", () => {
  const values = completeSettings(DECLS, { key: "s3cret", account: "a" });
  assert.deepEqual(redactSettings(values, DECLS), { ...values, key: "<redacted>" });
  assert.equal(longFlag(DECLS.nodes), "--nodes");
  assert.throws(
    () => defineSettings({ Bad: { flag: "--bad", type: "bool", default: false, help: "" } }),
    /camelCase/,
  );
});
