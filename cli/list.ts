/**
 * `scalebench list [workloads|providers]`: the built-in workloads with their parameters and
 * operations, and the providers with their settings (flags and environment keys).
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { describeParam } from "../core/params.ts";
import { BUILTIN_WORKLOADS, builtinWorkloads, loadWorkload } from "../workloads/mod.ts";
import { PROVIDERS } from "../providers/mod.ts";
import type { SettingDecls } from "../core/settings.ts";
import { workloadHelp } from "./workload_help.ts";
import { hanging, outputWidth, wrapLines } from "./_table.ts";

async function workloads(json: boolean): Promise<string> {
  const items = [];
  for (const name of Object.keys(BUILTIN_WORKLOADS)) {
    const def = (await loadWorkload(name)).definition;
    items.push({
      name,
      summary: def.summary,
      mode: def.mode ?? "strong",
      weak: Boolean(def.weak),
      operations: Object.keys(def.operations),
      params: Object.entries(def.params).map(([n, s]) => ({
        name: n,
        ...s,
        line: describeParam(n, s),
      })),
    });
  }
  if (json) {
    return JSON.stringify(
      items.map(({ params, ...w }) => ({ ...w, params: params.map(({ line: _l, ...p }) => p) })),
    );
  }
  const lines = ["Workloads:"];
  for (const w of items) {
    lines.push(`  ${w.name.padEnd(12)} ${w.summary}`);
    lines.push(
      `  ${"".padEnd(12)} default mode ${w.mode}${
        w.weak ? " (weak rule defined)" : ""
      }; operations: ${w.operations.join(", ")}`,
    );
    for (const p of w.params) lines.push(`  ${"".padEnd(12)}   --set ${p.line}`);
  }
  return lines.join("\n");
}

function providers(o: { json: boolean; width: number }): string {
  const items = Object.values(PROVIDERS).map((p) => ({
    name: p.name,
    summary: p.summary,
    settings: Object.entries(p.settings as SettingDecls).map(([key, s]) => ({
      key,
      flag: s.flag,
      env: [...(s.env ?? [])],
      default: s.default,
      help: s.help,
    })),
  }));
  if (o.json) return JSON.stringify(items);
  const lines = ["Providers:"];
  const width = o.width;
  for (const p of items) {
    lines.push(...hanging(`  ${p.name}`, p.summary, { col: 14, width }));
    for (const s of p.settings) {
      const env = s.env.length ? ` [env: ${s.env.join(", ")}]` : "";
      lines.push(...hanging(`      ${s.flag}`, `${s.help}${env}`, { col: 38, width }));
    }
  }
  lines.push(
    ...hanging(
      "  plugins",
      "-p ./my_provider.ts, a URL or npm:package (README: Provider plugins)",
      {
        col: 14,
        width,
      },
    ),
  );
  return lines.join("\n");
}

/** The `list` command. */
export function listCommand() {
  return new Command("list")
    .description("List built-in workloads and providers")
    .argument("[what]", "workloads or providers (default: both)")
    .option("--json", "Print JSON")
    .action(async (what, opts) => {
      if (what !== undefined && what !== "workloads" && what !== "providers") {
        // a workload's own help: scalebench list amdahl (or ./my_bench.ts)
        const width = outputWidth();
        return console.log(await workloadHelp(what, { workloads: builtinWorkloads, width }));
      }
      const json = Boolean(opts.json), width = outputWidth();
      if (json) {
        const w = what !== "providers" ? await workloads(true) : null;
        const p = what !== "workloads" ? providers({ json, width }) : null;
        // one JSON document, never wrapped
        return console.log(w && p ? `{"workloads":${w},"providers":${p}}` : (w ?? p));
      }
      const parts = [];
      if (what !== "providers") parts.push(wrapLines(await workloads(false), width));
      if (what !== "workloads") parts.push(providers({ json, width }));
      console.log(parts.join("\n\n"));
    });
}
