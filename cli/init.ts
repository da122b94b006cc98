/**
 * `scalebench init <name>`: scaffold a workload module and its test, both passing as generated.
 * The module imports nothing from scalebench at run time (its API arrives as a parameter), so it
 * runs the same from a checkout, a bundle or the compiled binary. The test imports it and calls
 * `measure()` of `scalebench/testing`, which the directory's deno.json maps to this checkout's
 * testing.ts or to the bundle; from a compiled binary (nothing to import) it runs the binary.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { quote, ValidationError } from "../core/errors.ts";

/** The workload module's text. `typesUrl`: where `WorkloadApi` comes from (source checkouts). */
export function workloadTemplate(name: string, typesUrl: string | null): string {
  const head = typesUrl
    ? `// deno-lint-ignore-file no-explicit-any\nimport type { WorkloadApi } from "${typesUrl}";\n\nexport default (sb: WorkloadApi) =>`
    : `// deno-lint-ignore-file no-explicit-any\nexport default (sb: any) =>`;
  return `/**
 * ${name}: a scalebench workload. Run it with
 *   scalebench run ./${fileBase(name)}.ts -c 1,2 -r 3
 * Each rank sums (i mod 1000)² over its share of n elements, split again over its threads.
 */
${head}
  sb.defineWorkload({
    name: ${JSON.stringify(name)},
    summary: "Sum of squares over n elements, split over ranks and threads",
    params: {
      n: sb.int({ default: 20_000_000, min: 1, unit: "elements", help: "Elements in total" }),
    },
    mode: "strong",
    // weak scaling: the same number of elements per core
    weak: (p: { n: number }, point: { cores: number }) => ({ ...p, n: p.n * point.cores }),
    size: (p: { n: number }) => p.n,
    sizeUnit: "elements",
    kernels: {
      // runs on every thread of a rank (Web Workers); args are copied, SharedArrayBuffers shared
      sumSquares(args: { start: number; end: number }, info: { thread: number; threads: number }) {
        const [a, b] = sb.partition(args.end - args.start, info.threads, info.thread);
        let acc = 0;
        for (let i = args.start + a; i < args.start + b; i++) acc += (i % 1000) * (i % 1000);
        return acc;
      },
    },
    operations: {
      "sum of squares": {
        async run(ctx: any) {
          const [start, end] = sb.partition(ctx.params.n, ctx.ranks, ctx.rank);
          const parts: number[] = await ctx.parallel("sumSquares", { start, end });
          return parts.reduce((x, y) => x + y, 0);
        },
        // untimed; the observation is ok only if every rank's check passes
        async check(ctx: any, _state: unknown, local: number) {
          const all: number[] = await ctx.allgather(local);
          const total = all.reduce((x, y) => x + y, 0);
          const expected = sumOfSquares(ctx.params.n);
          return total === expected || { ok: false, message: \`Sum \${total} differs from \${expected}\` };
        },
        metric: { unit: "Melem", amount: (p: { n: number }) => p.n / 1e6 },
      },
    },
  });

/** Σ (i mod 1000)² for i < n, in closed form. */
function sumOfSquares(n: number): number {
  const s = (k: number) => ((k - 1) * k * (2 * k - 1)) / 6;
  return Math.floor(n / 1000) * s(1000) + s(n % 1000);
}
`;
}

/**
 * How scalebench was started, so that the generated test reaches it the same way wherever it
 * runs: a checkout (its `testing.ts`, and `mod.ts` for the workload API's types), a bundle (which
 * exports `measure()`, cli/main.ts), or a compiled binary (nothing to import: the test runs it).
 */
export type Launch =
  | { kind: "checkout"; launcher: string; types: string | null; testing: string }
  | { kind: "bundle"; bundle: string }
  | { kind: "binary"; binary: string };

/** The launch of this process: `Deno.execPath()` and `Deno.mainModule` tell the three apart. */
export function currentLaunch(): Launch {
  const exe = Deno.execPath();
  if (!/^deno(\.exe)?$/.test(exe.split(/[\\/]/).pop() ?? "")) {
    return { kind: "binary", binary: exe };
  }
  const main = new URL(Deno.mainModule);
  if (main.protocol === "file:" && main.pathname.endsWith("/cli/main.ts")) {
    const types = new URL("../mod.ts", main);
    let exists = false;
    try {
      exists = Deno.statSync(types).isFile;
    } catch { /* not a checkout's mod.ts */ }
    return {
      kind: "checkout",
      launcher: new URL("../scalebench", main).pathname,
      types: exists ? types.href : null,
      testing: new URL("../testing.ts", main).href,
    };
  }
  return { kind: "bundle", bundle: main.pathname };
}

/** What `scalebench/testing` maps to for a generated test: null from a binary (not importable). */
export function testingModule(launch: Launch): string | null {
  switch (launch.kind) {
    case "checkout":
      return launch.testing;
    case "bundle":
      return new URL(`file://${launch.bundle}`).href;
    case "binary":
      return null;
  }
}

/** The argv expression (TypeScript source) that starts scalebench in the binary's test. */
export function launchExpression(launch: Launch): string {
  switch (launch.kind) {
    case "checkout":
      return JSON.stringify([launch.launcher]);
    case "bundle":
      return `[Deno.execPath(), "run", "-A", "--quiet", ${JSON.stringify(launch.bundle)}]`;
    case "binary":
      return JSON.stringify([launch.binary]);
  }
}

/** The expectation a generated test asserts: holds on a busy machine; raise it to your goal. */
const EXPECT = "speedup>=0.5@2";

const RESERVED = new Set(
  ("await break case catch class const continue debugger default delete do else enum export " +
    "extends false finally for function if implements import in instanceof interface let new " +
    "null package private protected public return static super switch this throw true try " +
    "typeof var void while with yield measure Deno r").split(" "),
);

/** The identifier the test imports the workload as: `my-bench` → `myBench`. */
export function importName(name: string): string {
  const id = name.replace(/[-_]+([A-Za-z0-9])/g, (_, c: string) => c.toUpperCase())
    .replace(/[-_]/g, "");
  return RESERVED.has(id) ? `${id}Workload` : id;
}

/**
 * The test's text: `measure()` of `scalebench/testing` (mapped in the directory's deno.json) runs
 * the imported workload in process at 1 and 2 cores — every check must pass — and asserts a
 * scaling expectation, judged with the run's confidence interval.
 */
export function testTemplate(name: string): string {
  const id = importName(name);
  return `// Measures ${name} in this process at 1 and 2 cores (5 repetitions and a warm-up each; threads are
// Web Workers): every check must pass, and 2 cores must scale as the expectation says, judged with
// the run's 95 % confidence interval (an AssertionError with the numbers when it fails).
// ${EXPECT} (2 cores at most twice as slow as 1) holds even on a busy machine: raise it to your
// goal, e.g. efficiency>=0.8@2. "scalebench/testing" is mapped in deno.json beside this file: run
// deno test in this directory (or with --config pointing at that deno.json).
import { measure } from "scalebench/testing";
import ${id} from "./${fileBase(name)}.ts";

Deno.test(${JSON.stringify(`${name} passes its checks and scales at 1 and 2 cores`)}, async () => {
  const r = await measure(${id}, { cores: [1, 2] });
  r.expect(${JSON.stringify(EXPECT)});
});
`;
}

/**
 * The test written by a compiled binary, which cannot be imported: it runs the workload through
 * the binary at 1 and 2 cores, every check must pass and the expectation hold (`--expect`).
 */
export function cliTestTemplate(name: string, launch: Launch): string {
  return `// Runs ${name} through scalebench end to end: every check must pass at 1 and 2 cores, and 2 cores
// must scale as EXPECT says (--expect, judged with the run's 95 % confidence interval; scalebench
// exits 1 when it fails). ${EXPECT} (2 cores at most twice as slow as 1) holds even on a busy
// machine: raise it to your goal, e.g. efficiency>=0.8@2 (see scalebench run --help, --expect).
// SCALEBENCH_CMD overrides how scalebench is started (space-separated).
const SCALEBENCH = Deno.env.get("SCALEBENCH_CMD")?.split(" ") ??
  ${launchExpression(launch)};
const EXPECT = ${JSON.stringify(EXPECT)};

Deno.test(${JSON.stringify(`${name} passes its checks and scales at 1 and 2 cores`)}, async () => {
  const out = await Deno.makeTempDir();
  const file = new URL("./${fileBase(name)}.ts", import.meta.url).pathname;
  const args = [...SCALEBENCH.slice(1), "run", file, "-c", "1,2", "-r", "5", "--warmup", "1"];
  const run = await new Deno.Command(SCALEBENCH[0], {
    args: [...args, "--expect", EXPECT, "--json", "-o", out, "--monitor-interval", "0"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(run.stdout).trim();
  const result = text ? JSON.parse(text.split("\\n").pop()!) : {};
  const failed = (result.checks?.expectations ?? []).filter((e: { failed: boolean }) => e.failed);
  if (run.code !== 0) {
    const why = failed.map((e: { message: string }) => e.message).join("\\n") ||
      new TextDecoder().decode(run.stderr);
    throw new Error(\`scalebench exited \${run.code}: \${why}\`);
  }
  if (result.observations !== 12 || result.failed !== 0) throw new Error(\`Unexpected: \${text}\`);
  await Deno.remove(out, { recursive: true });
});
`;
}

function fileBase(name: string): string {
  return name.replace(/-/g, "_");
}

/** What {@linkcode scaffold} did. */
export interface Scaffolded {
  /** The workload module and its test */
  files: string[];
  /** The deno.json written or updated to map `scalebench/testing`, if any */
  config: string | null;
  /** Something the user has to do (a config file this command does not edit) */
  notes: string[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** The nearest deno.json(c) from `dir` up that maps `scalebench/testing` (e.g. a checkout's). */
async function mappedAbove(dir: string): Promise<string | null> {
  let d = await Deno.realPath(dir);
  for (;;) {
    for (const f of ["deno.json", "deno.jsonc"]) {
      const path = `${d}/${f}`;
      try {
        if ((await Deno.readTextFile(path)).includes('"scalebench/testing"')) return path;
      } catch { /* none here */ }
    }
    const up = d.replace(/\/[^/]*$/, "");
    if (up === d || !up) return null;
    d = up;
  }
}

/**
 * Map `scalebench/testing` to `target` in `dir`'s deno.json: written when there is none, the
 * import added to a plain-JSON one; a deno.jsonc or a deno.json with comments is left alone (a
 * note says what to add). Nothing is done when a config from `dir` up maps it already.
 */
async function mapTesting(
  dir: string,
  target: string,
): Promise<{ config: string | null; notes: string[] }> {
  if (await mappedAbove(dir)) return { config: null, notes: [] };
  const json = `${dir}/deno.json`, jsonc = `${dir}/deno.jsonc`;
  const add = (file: string) =>
    `Add "scalebench/testing": ${JSON.stringify(target)} to "imports" in ${file}`;
  if (!(await exists(json))) {
    if (await exists(jsonc)) return { config: null, notes: [add(jsonc)] };
    const doc = { imports: { "scalebench/testing": target } };
    await Deno.writeTextFile(json, JSON.stringify(doc, null, 2) + "\n");
    return { config: json, notes: [] };
  }
  let doc: { imports?: Record<string, string> };
  try {
    doc = JSON.parse(await Deno.readTextFile(json));
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new Error("not an object");
  } catch {
    return { config: null, notes: [add(json)] };
  }
  doc.imports = { ...doc.imports, "scalebench/testing": target };
  await Deno.writeTextFile(json, JSON.stringify(doc, null, 2) + "\n");
  return { config: json, notes: [] };
}

/**
 * Write the workload and its test into `dir` (refuses to overwrite them), and map
 * `scalebench/testing` for the test in `dir`'s deno.json (not from a compiled binary, whose test
 * runs it instead).
 */
export async function scaffold(
  name: string,
  options: { dir: string; launch: Launch },
): Promise<Scaffolded> {
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(name)) {
    throw new ValidationError(
      `Workload name ${quote(name)} must start with a letter and use letters, digits, '_' or '-'`,
    );
  }
  const files = [`${options.dir}/${fileBase(name)}.ts`, `${options.dir}/${fileBase(name)}_test.ts`];
  for (const f of files) {
    if (await exists(f)) {
      throw new ValidationError(
        `File ${quote(f, 200)} already exists: choose another name or --dir`,
      );
    }
  }
  const testing = testingModule(options.launch);
  try {
    await Deno.mkdir(options.dir, { recursive: true });
    const types = options.launch.kind === "checkout" ? options.launch.types : null;
    await Deno.writeTextFile(files[0], workloadTemplate(name, types));
    await Deno.writeTextFile(
      files[1],
      testing ? testTemplate(name) : cliTestTemplate(name, options.launch),
    );
    const mapped = testing ? await mapTesting(options.dir, testing) : { config: null, notes: [] };
    return { files, ...mapped };
  } catch (err) {
    throw new ValidationError(
      `Cannot write to ${quote(options.dir, 200)} (--dir): ${(err as Error).message}`,
    );
  }
}

/** The `init` command. */
export function initCommand() {
  return new Command("init")
    .description("Create a workload module and its test, ready to run and edit")
    .argument("<name>", "workload name")
    .option("--dir <dir>", "Directory to write to", ".")
    .action(async (name, opts) => {
      const done = await scaffold(name, { dir: opts.dir, launch: currentLaunch() });
      const [workload, test] = done.files;
      console.log(`Created ${workload} and ${test}`);
      if (done.config) console.log(`Mapped scalebench/testing in ${done.config}`);
      for (const note of done.notes) console.error(`Note: ${note}`);
      console.log(`Run it:  scalebench run ${workload} -c 1,2 -r 3`);
      const here = (await Deno.realPath(opts.dir)) === Deno.cwd();
      console.log(
        `Test it: ${here ? "" : `cd ${opts.dir} && `}deno test -A ${test.split("/").pop()}`,
      );
    });
}
