/**
 * `--resume`: a run is completed with the configuration stored in its manifest. What the caller
 * gives beside `--resume` must agree with it — `-c 1,2,4` for a run made with `1,2` is a
 * ValidationError naming both — except the settings that only change how the run is watched
 * ({@linkcode RESUME_MAY_CHANGE}) and secrets, which are never stored.
 *
 * @module
 */
import { RUN_SETTINGS } from "./config.ts";
import { quote, ValidationError } from "./errors.ts";
import { completeSettings, defaultOf, longFlag, REDACTED, type SettingDecls } from "./settings.ts";
import type { Manifest, RunConfig } from "./types.ts";

/** Run settings a resume may change: how the run is watched, not what it measures. */
export const RESUME_MAY_CHANGE: readonly (keyof RunConfig)[] = [
  "timeout",
  "pollInterval",
  "monitorInterval",
  "rendezvousTimeout",
  "verbose",
  "output",
  "certDir",
  "keepCerts",
  "expect",
  "strict",
  "baseline",
  "maxRegression",
  "junit",
  "summary",
];

/**
 * The configuration a manifest records; for an older manifest, rebuilt from its other fields. Run
 * settings a manifest did not record (added since; e.g. TLS: runs before it were plaintext) take
 * their defaults, as they had then.
 */
export function configFromManifest(m: Manifest): RunConfig {
  const defaults = completeSettings(RUN_SETTINGS, {});
  if (m.config) return { ...defaults, ...structuredClone(m.config) };
  return {
    ...defaults,
    workload: m.workload.ref,
    params: { ...m.workload.params },
    provider: m.provider.name,
    providerSettings: { ...m.provider.settings } as RunConfig["providerSettings"],
    mode: m.mode,
    cores: [...m.plan.cores],
    layout: m.plan.layout,
    coresPerNode: m.plan.cores_per_node,
    reps: m.plan.reps,
    warmup: m.plan.warmup,
    order: m.plan.order,
    seed: m.plan.seed,
    ops: [...m.workload.operations],
    output: "",
    name: m.name,
    timeout: m.plan.timeout,
  };
}

function show(v: unknown): string {
  if (Array.isArray(v)) return quote(v.join(","));
  return quote(v === null ? "(default)" : v);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The stored configuration with what the caller gave: a field that contradicts the stored one is
 * a ValidationError naming its flag and both values. Secrets (redacted in the manifest) come from
 * `given` again. `workload`, `params` and `provider` are compared by the caller, which can
 * resolve them.
 */
export function resumeConfig(
  stored: RunConfig,
  given: Partial<RunConfig>,
  options: { runDir: string; providerSettings: SettingDecls },
): RunConfig {
  const out = structuredClone(stored);
  const run = quote(options.runDir, 200);
  const contradiction = (flag: string, value: unknown, was: unknown) =>
    new ValidationError(
      `${flag} ${show(value)} contradicts run ${run}, which was made with ${
        show(was)
      }: resume without it, or start a new run`,
    );
  for (const [key, decl] of Object.entries(RUN_SETTINGS)) {
    const k = key as keyof RunConfig;
    const value = given[k];
    if (value === undefined || k === "provider") continue;
    if ((RESUME_MAY_CHANGE as string[]).includes(k)) {
      (out as unknown as Record<string, unknown>)[k] = value;
    } else if (!same(value, stored[k])) throw contradiction(longFlag(decl), value, stored[k]);
  }
  for (const [key, decl] of Object.entries(options.providerSettings)) {
    const value = given.providerSettings?.[key];
    const was = stored.providerSettings[key];
    if (decl.secret || was === REDACTED) {
      out.providerSettings[key] = value !== undefined ? value : decl.secret ? null : was;
    } else if (value !== undefined && !same(value, was)) {
      throw contradiction(longFlag(decl), value, was);
    } else if (was === undefined) {
      out.providerSettings[key] = defaultOf(decl);
    }
  }
  return out;
}
