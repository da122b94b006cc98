/**
 * Typed workload parameters: builders (`int`, `float`, `string`, `bool`, `enumOf`) and the
 * validation that turns `--set key=value` strings into typed values before anything runs.
 *
 * @module
 */
import { quote, ValidationError } from "./errors.ts";
import type { ParamValues } from "./types.ts";

interface BaseSpec {
  help?: string;
  unit?: string;
}
/** An integer parameter. */
export interface IntSpec extends BaseSpec {
  type: "int";
  default: number;
  min?: number;
  max?: number;
}
/** A floating-point parameter. */
export interface FloatSpec extends BaseSpec {
  type: "float";
  default: number;
  min?: number;
  max?: number;
}
/** A string parameter; `pattern` (a regular expression source) must match the whole value. */
export interface StringSpec extends BaseSpec {
  type: "string";
  default: string;
  pattern?: string;
}
/** A boolean parameter (`true/false/1/0/yes/no`). */
export interface BoolSpec extends BaseSpec {
  type: "bool";
  default: boolean;
}
/** One of a fixed list of strings. */
export interface EnumSpec<V extends string = string> extends BaseSpec {
  type: "enum";
  values: readonly V[];
  default: V;
}
/** Any parameter spec. */
export type ParamSpec = IntSpec | FloatSpec | StringSpec | BoolSpec | EnumSpec;
/** The parameters of a workload, by name. */
export type ParamSpecs = Record<string, ParamSpec>;

/** The value type of one parameter spec. */
export type ValueOf<S> = S extends IntSpec | FloatSpec ? number
  : S extends BoolSpec ? boolean
  : S extends EnumSpec<infer V> ? V
  : string;

/** The typed values of a set of parameter specs. */
export type ParamsOf<P extends ParamSpecs> = { [K in keyof P]: ValueOf<P[K]> };

type Opts<S> = Omit<S, "type">;

/** An integer parameter. */
export function int(opts: Opts<IntSpec>): IntSpec {
  return { type: "int", ...opts };
}
/** A floating-point parameter. */
export function float(opts: Opts<FloatSpec>): FloatSpec {
  return { type: "float", ...opts };
}
/** A string parameter. */
export function string(opts: Opts<StringSpec>): StringSpec {
  return { type: "string", ...opts };
}
/** A boolean parameter. */
export function bool(opts: Opts<BoolSpec>): BoolSpec {
  return { type: "bool", ...opts };
}
/** One of `values`. */
export function enumOf<const V extends string>(
  values: readonly V[],
  opts: Omit<EnumSpec<V>, "type" | "values">,
): EnumSpec<V> {
  return { type: "enum", values, ...opts };
}

/** Parse one raw value (a `--set` string, or an already typed value) against its spec. */
export function parseParam(
  name: string,
  spec: ParamSpec,
  raw: string | number | boolean,
  options: { workload?: string } = {},
): number | string | boolean {
  const where = `Parameter '${name}'${
    options.workload ? ` of workload '${options.workload}'` : ""
  }`;
  const text = String(raw).trim();
  switch (spec.type) {
    case "int":
    case "float": {
      const v = typeof raw === "number" ? raw : text === "" ? NaN : Number(text);
      if (!Number.isFinite(v)) {
        throw new ValidationError(`${where} must be a number (got ${quote(raw)})`);
      }
      if (spec.type === "int" && !Number.isInteger(v)) {
        throw new ValidationError(`${where} must be an integer (got ${quote(raw)})`);
      }
      if (spec.min !== undefined && v < spec.min) {
        throw new ValidationError(`${where} must be ≥ ${spec.min} (got ${quote(raw)})`);
      }
      if (spec.max !== undefined && v > spec.max) {
        throw new ValidationError(`${where} must be ≤ ${spec.max} (got ${quote(raw)})`);
      }
      return v;
    }
    case "bool": {
      if (typeof raw === "boolean") return raw;
      const t = text.toLowerCase();
      if (["true", "1", "yes", "on"].includes(t)) return true;
      if (["false", "0", "no", "off"].includes(t)) return false;
      throw new ValidationError(`${where} must be true or false (got ${quote(raw)})`);
    }
    case "enum": {
      if (!spec.values.includes(text)) {
        throw new ValidationError(
          `${where} must be one of ${spec.values.map((v) => `'${v}'`).join(", ")} (got ${
            quote(raw)
          })`,
        );
      }
      return text;
    }
    case "string": {
      const v = String(raw);
      if (spec.pattern !== undefined && !new RegExp(`^(?:${spec.pattern})$`).test(v)) {
        throw new ValidationError(`${where} must match /${spec.pattern}/ (got ${quote(raw)})`);
      }
      return v;
    }
  }
}

/**
 * Fill and validate a workload's parameters: defaults, then `raw` (from `--set`, environment
 * keys or code). Unknown names are rejected with the list of known ones.
 */
export function resolveParams(
  specs: ParamSpecs,
  raw: Record<string, string | number | boolean>,
  options: { workload?: string } = {},
): ParamValues {
  const out: ParamValues = {};
  for (const [name, spec] of Object.entries(specs)) out[name] = spec.default;
  for (const [name, value] of Object.entries(raw)) {
    const spec = specs[name];
    if (!spec) {
      const known = Object.keys(specs);
      throw new ValidationError(
        `Unknown parameter ${quote(name)}${
          options.workload ? ` for workload '${options.workload}'` : ""
        } (known: ${known.length ? known.join(", ") : "none"})`,
      );
    }
    out[name] = parseParam(name, spec, value, options);
  }
  return out;
}

/** Parse `--set key=value` strings into a record; a malformed entry is a ValidationError. */
export function parseSetFlags(entries: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf("=");
    if (eq <= 0) throw new ValidationError(`Flag --set expects key=value (got ${quote(entry)})`);
    out[entry.slice(0, eq).trim()] = entry.slice(eq + 1);
  }
  return out;
}

/** One line describing a parameter, for `list` and `--help`. */
export function describeParam(name: string, spec: ParamSpec): string {
  const range = "min" in spec || "max" in spec
    ? ` [${"min" in spec && spec.min !== undefined ? spec.min : ""}..${
      "max" in spec && spec.max !== undefined ? spec.max : ""
    }]`
    : "";
  const values = spec.type === "enum" ? ` {${spec.values.join("|")}}` : "";
  const unit = spec.unit ? ` ${spec.unit}` : "";
  return `${name} (${spec.type}${values}${range}, default ${JSON.stringify(spec.default)}${unit})${
    spec.help ? `: ${spec.help}` : ""
  }`;
}
