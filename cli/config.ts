/**
 * Reads what configuration comes from outside the program — flags, the environment and a `.env`
 * file — and hands it to core/config.ts to resolve. The only place besides cli/rank.ts that reads
 * the environment.
 *
 * @module
 */
import { parseEnv } from "node:util";
import { checkDotenvQuotes } from "./_input_checks.ts";
import { Option } from "@commander-js/extra-typings";
import { RUN_SETTINGS } from "../core/config.ts";
import { errorMessage, quote, ValidationError } from "../core/errors.ts";
import type { Provider } from "../core/provider.ts";
import type { ConfigSources, SettingDecl, SettingDecls } from "../core/settings.ts";
import { PROVIDERS } from "../providers/mod.ts";

/** The providers a run may name: the built-ins, and a plugin loaded for this command line. */
export function knownProviders(plugin?: { ref: string; arg: string; provider: Provider }) {
  const out: Record<string, Provider> = { ...PROVIDERS };
  if (plugin) out[plugin.arg] = out[plugin.ref] = plugin.provider;
  return out;
}

/** Every setting a flag can set: run settings, then each provider's (one flag may serve several). */
export function allSettings(providers: Record<string, Provider>): [string, SettingDecl][] {
  const out: [string, SettingDecl][] = Object.entries(RUN_SETTINGS);
  for (const p of new Set(Object.values(providers))) {
    out.push(...Object.entries(p.settings as SettingDecls));
  }
  return out;
}

/** The settings of each provider, by the name the user may give. */
export function providerSettings(
  providers: Record<string, Provider>,
): Record<string, SettingDecls> {
  return Object.fromEntries(Object.entries(providers).map(([name, p]) => [name, p.settings]));
}

/** Commander options for the settings, deduplicated by flag; with a map from attribute to keys. */
export function settingOptions(
  providers: Record<string, Provider>,
): { options: Option[]; keysByAttribute: Map<string, string[]> } {
  const options: Option[] = [];
  const keysByAttribute = new Map<string, string[]>();
  const byFlag = new Map<string, Option>();
  for (const [key, s] of allSettings(providers)) {
    let opt = byFlag.get(s.flag);
    if (!opt) {
      const env = s.env?.length ? ` [env: ${s.env.join(", ")}]` : "";
      opt = new Option(s.flag, `${s.help}${env}`);
      if (s.type === "list") {
        opt.argParser((v: string, prev: unknown) => [...((prev as string[]) ?? []), v]);
      }
      byFlag.set(s.flag, opt);
      options.push(opt);
    }
    const attr = opt.attributeName();
    const keys = keysByAttribute.get(attr) ?? [];
    if (!keys.includes(key)) keys.push(key);
    keysByAttribute.set(attr, keys);
  }
  return { options, keysByAttribute };
}

/** Flag values the user typed (not commander defaults), by setting key. */
export function flagValues(
  opts: Record<string, unknown>,
  sourceOf: (attr: string) => string | undefined,
  keysByAttribute: Map<string, string[]>,
): ConfigSources["flags"] {
  const flags: ConfigSources["flags"] = {};
  for (const [attr, keys] of keysByAttribute) {
    if (sourceOf(attr) !== "cli") continue;
    const v = opts[attr];
    if (v === undefined) continue;
    for (const k of keys) flags[k] = v as string | string[] | boolean;
  }
  return flags;
}

/**
 * Read a `.env` file: `--env-file FILE` (must exist), else `./.env` when present. Quoted values are
 * unquoted. Returns an empty record when there is no file.
 */
export async function readDotenv(
  envFile: string | undefined,
): Promise<{ values: Record<string, string>; path: string | null }> {
  const path = envFile ?? ".env";
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (!envFile && err instanceof Deno.errors.NotFound) return { values: {}, path: null };
    throw new ValidationError(
      `Cannot read env file ${quote(path, 200)} (--env-file): ${errorMessage(err)}`,
    );
  }
  let values: Record<string, string>;
  try {
    values = parseEnv(text) as Record<string, string>;
  } catch (err) {
    throw new ValidationError(
      `Env file ${quote(path, 200)} is not a valid .env file: ${errorMessage(err)}`,
    );
  }
  checkDotenvQuotes(text, values, path);
  return { values, path };
}

/** The process environment. */
export function processEnv(): Record<string, string> {
  return Deno.env.toObject();
}

/**
 * argv that starts a rank: deno running this checkout (with its config), deno running this bundle,
 * or this compiled binary.
 */
export function cliRankCommand(sourceCommand: () => string[]): string[] {
  const exe = Deno.execPath();
  const base = exe.split(/[\\/]/).pop() ?? "";
  if (!/^deno(\.exe)?$/.test(base)) return [exe, "rank"];
  if (Deno.mainModule.endsWith("/cli/main.ts")) return sourceCommand();
  return [exe, "run", "-A", "--quiet", new URL(Deno.mainModule).pathname, "rank"];
}
