/**
 * `scalebench init <name>`: scaffold a workload module and its test, both passing as generated.
 * The module imports nothing from scalebench at run time (its API arrives as a parameter), so it
 * runs the same from a checkout, a bundle or the compiled binary.
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
 * How scalebench was started, so that the generated test starts it the same way wherever it runs:
 * a checkout (its `./scalebench` launcher), a bundle (run by the test's own Deno), or a compiled
 * binary. Only a checkout has `mod.ts` to take the workload API's types from.
 */
export type Launch =
  | { kind: "checkout"; launcher: string; types: string | null }
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
    };
  }
  return { kind: "bundle", bundle: main.pathname };
}

/** The argv expression (TypeScript source) that starts scalebench in the generated test. */
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

/**
 * The test's text: runs the workload through scalebench at 1 and 2 cores, every check must pass
 * and a scaling expectation hold (`--expect`, judged with the run's confidence interval).
 */
export function testTemplate(name: string, launch: Launch): string {
  return `// Runs ${name} through scalebench end to end: every check must pass at 1 and 2 cores, and 2 cores
// must scale as EXPECT says (--expect, judged with the run's 95 % confidence interval; scalebench
// exits 1 when it fails). speedup>=0.5@2 (2 cores at most twice as slow as 1) holds even on a busy
// machine: raise it to your goal, e.g. efficiency>=0.8@2 (see scalebench run --help, --expect).
// SCALEBENCH_CMD overrides how scalebench is started (space-separated).
const SCALEBENCH = Deno.env.get("SCALEBENCH_CMD")?.split(" ") ??
  ${launchExpression(launch)};
const EXPECT = "speedup>=0.5@2";

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

/** Write the two files into `dir`; refuses to overwrite. Returns their paths. */
export async function scaffold(
  name: string,
  options: { dir: string; launch: Launch },
): Promise<string[]> {
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(name)) {
    throw new ValidationError(
      `Workload name ${quote(name)} must start with a letter and use letters, digits, '_' or '-'`,
    );
  }
  const files = [`${options.dir}/${fileBase(name)}.ts`, `${options.dir}/${fileBase(name)}_test.ts`];
  for (const f of files) {
    try {
      await Deno.lstat(f);
      throw new ValidationError(
        `File ${quote(f, 200)} already exists: choose another name or --dir`,
      );
    } catch (err) {
      if (err instanceof ValidationError) throw err;
    }
  }
  try {
    await Deno.mkdir(options.dir, { recursive: true });
    const types = options.launch.kind === "checkout" ? options.launch.types : null;
    await Deno.writeTextFile(files[0], workloadTemplate(name, types));
    await Deno.writeTextFile(files[1], testTemplate(name, options.launch));
  } catch (err) {
    throw new ValidationError(
      `Cannot write to ${quote(options.dir, 200)} (--dir): ${(err as Error).message}`,
    );
  }
  return files;
}

/** The `init` command. */
export function initCommand() {
  return new Command("init")
    .description("Create a workload module and its test, ready to run and edit")
    .argument("<name>", "workload name")
    .option("--dir <dir>", "Directory to write to", ".")
    .action(async (name, opts) => {
      const files = await scaffold(name, { dir: opts.dir, launch: currentLaunch() });
      console.log(`Created ${files.join(" and ")}`);
      console.log(`Run it:  scalebench run ${files[0]} -c 1,2 -r 3`);
      console.log(`Test it: deno test -A ${files[1]}`);
    });
}
