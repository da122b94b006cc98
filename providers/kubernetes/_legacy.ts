/**
 * TEMPORARY adapter from the old provider interface (providers/types.ts) to the session contract
 * (core/provider.ts), so that the Kubernetes provider runs unchanged until it is converted
 * natively (#17); delete this file and providers/types.ts then.
 *
 * @module
 */
import type { Provider, ProviderSession } from "../../core/provider.ts";
import type { SettingDecls } from "../../core/settings.ts";
import type { JobHandle, Provider as LegacyProvider, SettingSpec } from "../types.ts";

/** Old settings list → declarations by key (declarations already by key pass through). */
export function settingsFromList(list: readonly SettingSpec[] | SettingDecls): SettingDecls {
  if (!Array.isArray(list)) return list as SettingDecls;
  return Object.fromEntries(list.map(({ key, ...decl }) => [key, decl]));
}

/** A session-style provider that calls the old one with the run's context. */
export function sessionFromLegacy<H extends JobHandle>(legacy: LegacyProvider<H>): Provider {
  return {
    name: legacy.name,
    summary: legacy.summary,
    settings: settingsFromList(legacy.settings),
    async open(ctx): Promise<ProviderSession<H>> {
      if (!ctx.dryRun) await legacy.validate?.(ctx);
      let closed = false;
      return {
        emit: (batch) => legacy.emit(batch, ctx),
        submit: (batch, emitted) => legacy.submit(batch, emitted, ctx),
        poll: (handle) => legacy.poll(handle),
        lines: (handle) => legacy.lines(handle),
        collect: (handle) => legacy.collect(handle),
        cancel: (handle, reason) => legacy.cancel(handle, reason),
        async close() {
          if (closed || ctx.dryRun) return;
          closed = true;
          await legacy.cleanup?.(ctx);
        },
      };
    },
  };
}
