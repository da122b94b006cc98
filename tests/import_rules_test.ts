/**
 * The layering rules of docs/architecture.md, checked on the real module graph (`deno info
 * --json` of every source module): core imports nothing from providers/, workloads/, reports/ or
 * cli/ (type-only imports included), and no module of the repository takes part in an import
 * cycle at run time.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const LAYERS_ABOVE_CORE = ["providers/", "workloads/", "reports/", "cli/"];

/** Every source module of the repository (tests, benches and fixtures aside). */
async function sourceModules(dir = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(new URL(dir || ".", ROOT))) {
    const path = `${dir}${e.name}`;
    if (e.isDirectory) {
      if (!/^(\.|node_modules$|tests$|bench$|dist$|results$|docs$)/.test(e.name)) {
        out.push(...await sourceModules(`${path}/`));
      }
    } else if (/\.ts$/.test(e.name) && !/_test\.ts$/.test(e.name)) out.push(path);
  }
  return out;
}

interface Graph {
  /** repository-relative path → the repository modules it imports (code and type imports) */
  edges: Map<string, string[]>;
  /** the same with code imports only (what runs) */
  code: Map<string, string[]>;
}

async function moduleGraph(): Promise<Graph> {
  const modules = await sourceModules();
  const entry = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(
    entry,
    modules.map((m) => `import "${new URL(m, ROOT).href}";`).join("\n") + "\n",
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "--config", new URL("deno.json", ROOT).pathname, entry],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(entry);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  const local = (spec: string | undefined) =>
    spec?.startsWith(ROOT.href) ? spec.slice(ROOT.href.length) : null;
  const edges = new Map<string, string[]>(), code = new Map<string, string[]>();
  for (const m of info.modules) {
    const from = local(m.specifier);
    if (!from) continue;
    const all = new Set<string>(), run = new Set<string>();
    for (const d of m.dependencies ?? []) {
      const c = local(d.code?.specifier), t = local(d.type?.specifier);
      if (c) {
        all.add(c);
        run.add(c);
      }
      if (t) all.add(t);
    }
    edges.set(from, [...all]);
    code.set(from, [...run]);
  }
  return { edges, code };
}

const graph = await moduleGraph();

Deno.test("core imports nothing from providers/, workloads/, reports/ or cli/", () => {
  const up: string[] = [];
  for (const [from, to] of graph.edges) {
    if (!from.startsWith("core/")) continue;
    for (const t of to) {
      if (LAYERS_ABOVE_CORE.some((l) => t.startsWith(l))) up.push(`${from} → ${t}`);
    }
  }
  assert.deepEqual(up, []);
  assert.ok(graph.edges.size > 50, `the graph has ${graph.edges.size} modules`);
});

Deno.test("no import cycles among the repository's modules", () => {
  const edges = graph.code;
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (m: string) => {
    state.set(m, "open");
    stack.push(m);
    for (const t of edges.get(m) ?? []) {
      if (state.get(t) === "open") cycles.push([...stack.slice(stack.indexOf(t)), t].join(" → "));
      else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(m, "done");
  };
  for (const m of [...edges.keys()].sort()) if (!state.has(m)) visit(m);
  assert.deepEqual(cycles, []);
});
