/**
 * The settings engine: a setting is declared once — flag, environment keys, type, default,
 * validation, secrecy, help — with {@linkcode defineSettings}, and the record it resolves to is
 * typed from that declaration ({@linkcode SettingsOf}). Values resolve with precedence
 * flags > environment > `.env` file > defaults; a bad value is a ValidationError naming where it
 * came from (the flag, the environment variable, the `.env` key). Run settings (core/config.ts)
 * and every provider's settings use this engine. See docs/architecture.md.
 *
 * @example A provider's settings, read typed
 * ```ts
 * import { defineSettings, resolveSettings } from "./settings.ts";
 *
 * const settings = defineSettings({
 *   account: { flag: "--account <name>", env: ["ACCOUNT"], type: "string", default: null, help: "Account" },
 *   nodes: { flag: "--max-nodes <n>", type: "int", default: 4, help: "Nodes at most" },
 * });
 * const { values } = resolveSettings(settings, { flags: {}, env: { ACCOUNT: "astro" }, dotenv: {}, dotenvPath: null });
 * const account: string | null = values.account; // typed, no casts
 * const nodes: number = values.nodes;
 * ```
 *
 * @module
 */
import { quote, ValidationError } from "./errors.ts";
import type { Json } from "./types.ts";

interface DeclBase<V> {
  /** Commander flag, e.g. `--account <name>`, `-r, --reps <n>` or `--exclusive` */
  flag: string;
  /** Environment / `.env` keys, most specific first, e.g. `["SCALEBENCH_SLURM_ACCOUNT", "ACCOUNT"]` */
  env?: readonly string[];
  help: string;
  /** Never recorded in the manifest nor printed */
  secret?: boolean;
  /** Return a message to reject a value; it is prefixed with the flag/key that set it. */
  validate?(value: V): string | undefined;
}

/** A string setting; `choices` restricts it to a list. */
export interface StringDecl extends DeclBase<string> {
  type: "string";
  default: string | null;
  choices?: readonly string[];
}
/** A whole-number setting. */
export interface IntDecl extends DeclBase<number> {
  type: "int";
  default: number | null;
}
/** A number setting. */
export interface FloatDecl extends DeclBase<number> {
  type: "float";
  default: number | null;
}
/** A true/false setting (`true|1|yes|on`, `false|0|no|off` in the environment). */
export interface BoolDecl extends DeclBase<boolean> {
  type: "bool";
  default: boolean;
}
/** A list setting: a repeatable flag, or a comma-separated value. */
export interface ListDecl extends DeclBase<string[]> {
  type: "list";
  default: readonly string[] | null;
}

/** One setting's declaration. */
export type SettingDecl = StringDecl | IntDecl | FloatDecl | BoolDecl | ListDecl;
/** Declarations by key (camelCase). */
export type SettingDecls = Record<string, SettingDecl>;

type Base<D> = D extends { type: "string" } ? string
  : D extends { type: "int" | "float" } ? number
  : D extends { type: "bool" } ? boolean
  : string[];
type Choice<D> = D extends { choices: readonly (infer C)[] } ? C : Base<D>;
/** The value of a declared setting: its type (one of its choices), or null when its default is null. */
export type SettingValue<D> = D extends { default: null } ? Choice<D> | null : Choice<D>;
/** The resolved record of some declarations: every key present, typed. */
export type SettingsOf<S> = string extends keyof S ? Settings
  : { -readonly [K in keyof S]: SettingValue<S[K]> };
/** A resolved record of unknown declarations. */
export type Settings = Record<string, string | number | boolean | string[] | null>;

/**
 * Declare settings (identity at run time); the resolved record's type is inferred:
 * `SettingsOf<typeof MY_SETTINGS>`.
 */
export function defineSettings<const S extends SettingDecls>(decls: S): S {
  for (const [key, d] of Object.entries(decls)) {
    if (!/^[a-z][A-Za-z0-9]*$/.test(key)) throw new Error(`Setting key '${key}' is not camelCase`);
    if (typeof d.flag !== "string" || !/--[a-z]/.test(d.flag)) {
      throw new Error(`Setting '${key}' has no --flag`);
    }
  }
  return decls;
}

/** Where values come from. */
export interface ConfigSources {
  /** Flag values by setting key (only flags the user gave) */
  flags: Record<string, string | string[] | boolean | undefined>;
  /** The process environment */
  env: Record<string, string>;
  /** The `.env` file's keys, and its path for messages */
  dotenv: Record<string, string>;
  dotenvPath: string | null;
}

/** A raw value and where it came from (`Flag --x`, `Environment variable X`, `Key X in '.env'`). */
export interface Found {
  raw: string | string[] | boolean;
  origin: string;
}

/** The long flag of a declaration: `-r, --reps <n>` → `--reps`. */
export function longFlag(decl: { flag: string }): string {
  return decl.flag.split(/[ ,]+/).find((f) => f.startsWith("--")) ?? decl.flag;
}

/** The first source that sets setting `key`: its flag, an environment key, a `.env` key. */
export function findSetting(
  [key, decl]: [string, SettingDecl],
  src: ConfigSources,
): Found | null {
  const flagValue = src.flags[key];
  if (flagValue !== undefined) return { raw: flagValue, origin: `Flag ${longFlag(decl)}` };
  for (const k of decl.env ?? []) {
    if (src.env[k] !== undefined && src.env[k] !== "") {
      return { raw: src.env[k], origin: `Environment variable ${k}` };
    }
  }
  for (const k of decl.env ?? []) {
    if (src.dotenv[k] !== undefined && src.dotenv[k] !== "") {
      return { raw: src.dotenv[k], origin: `Key ${k} in ${quote(src.dotenvPath ?? ".env", 200)}` };
    }
  }
  return null;
}

/** Turn a raw value into the setting's type, or throw a ValidationError naming its origin. */
export function parseSetting(decl: SettingDecl, found: Found): Settings[string] {
  const { raw, origin } = found;
  const fail = (why: string): never => {
    throw new ValidationError(`${origin} ${why} (got ${quote(raw)})`);
  };
  let value: Settings[string];
  const text = Array.isArray(raw) ? raw.join(",") : String(raw).trim();
  switch (decl.type) {
    case "int":
      if (!/^[+-]?\d+$/.test(text)) fail("expects a whole number");
      value = Number(text);
      break;
    case "float":
      if (text === "" || !Number.isFinite(Number(text))) fail("expects a number");
      value = Number(text);
      break;
    case "bool":
      if (typeof raw === "boolean") value = raw;
      else if (/^(true|1|yes|on)$/i.test(text)) value = true;
      else if (/^(false|0|no|off)$/i.test(text)) value = false;
      else fail("expects true or false");
      break;
    case "list":
      value = (Array.isArray(raw) ? raw : text.split(",")).map((s) => String(s).trim())
        .filter(Boolean);
      break;
    default:
      value = Array.isArray(raw) ? raw[raw.length - 1] : String(raw);
      if (decl.choices && !decl.choices.includes(value)) {
        fail(`expects one of ${decl.choices.join(", ")}`);
      }
  }
  const why = (decl.validate as ((v: unknown) => string | undefined) | undefined)?.(value!);
  if (why) fail(why);
  return value!;
}

/** The declared default (a copy for lists). */
export function defaultOf(decl: SettingDecl): Settings[string] {
  return Array.isArray(decl.default) ? [...decl.default] : decl.default as Settings[string];
}

/** Resolve declarations from the sources: every key present, with where each value came from. */
export function resolveSettings<S extends SettingDecls>(
  decls: S,
  src: ConfigSources,
): { values: SettingsOf<S>; origins: Record<string, string> } {
  const values: Settings = {};
  const origins: Record<string, string> = {};
  for (const [key, decl] of Object.entries(decls)) {
    const found = findSetting([key, decl], src);
    values[key] = found ? parseSetting(decl, found) : defaultOf(decl);
    origins[key] = found?.origin ?? "default";
  }
  return { values: values as SettingsOf<S>, origins };
}

/**
 * Fill a partial record given in code (a library caller, a stored manifest): defaults for what is
 * missing, and each given value checked as if it came from `where` (e.g. `Option 'account'`).
 */
export function completeSettings<S extends SettingDecls>(
  decls: S,
  given: Record<string, unknown>,
  where = "Setting",
): SettingsOf<S> {
  const out: Settings = {};
  for (const [key, decl] of Object.entries(decls)) {
    const v = given[key];
    if (v === undefined) out[key] = defaultOf(decl);
    else if (v === null) out[key] = null;
    else {
      const raw = typeof v === "boolean" || Array.isArray(v) ? v as string[] | boolean : String(v);
      out[key] = parseSetting(decl, { raw, origin: `${where} ${quote(key)}` });
    }
  }
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(decls, key)) {
      throw new ValidationError(
        `${where} ${quote(key)} is unknown (known: ${Object.keys(decls).join(", ") || "none"})`,
      );
    }
  }
  return out as SettingsOf<S>;
}

/** The marker a redacted secret has in a stored record. */
export const REDACTED = "<redacted>";

/** The record with every secret replaced by {@linkcode REDACTED}, for the manifest and messages. */
export function redactSettings(settings: Settings, decls: SettingDecls): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(settings)) {
    out[k] = decls[k]?.secret && v !== null ? REDACTED : v as Json;
  }
  return out;
}
