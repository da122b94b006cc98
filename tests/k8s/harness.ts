/**
 * What the Kubernetes test files share: a fake cluster per test (ignored with its reason where
 * `openssl` is missing), a sweep through it with short knobs, the scalebench CLI as a separate
 * process (to kill it like a user's `kill -9`), and a bounded wait.
 *
 * @module
 */
import { readRun } from "../../core/results.ts";
import { type RunOptions, type RunResult, runSweep } from "../../core/run.ts";
import { makeKubernetesProvider } from "../../providers/kubernetes/mod.ts";
import type { KubeTuning } from "../../providers/kubernetes/batch.ts";
import { builtinWorkloads } from "../../workloads/mod.ts";
import { needCommand, needs } from "../_needs.ts";
import { type FakeCluster, type FakeClusterOptions, startFakeCluster } from "./cluster.ts";

const ROOT = new URL("../../", import.meta.url);

/** A test workload file, as the URL a sweep takes. */
export function testWorkload(name: string): string {
  return new URL(`tests/testdata/workloads/${name}.ts`, ROOT).href;
}

const openssl = await needCommand("openssl", ["version"]);

/** A Deno.test on a fresh fake cluster (closed after), ignored with its reason without openssl. */
export function clusterTest(
  name: string,
  options: FakeClusterOptions,
  fn: (c: FakeCluster) => Promise<void>,
): void {
  Deno.test(needs([openssl], {
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const c = await startFakeCluster(options);
      try {
        await fn(c);
      } finally {
        await c.close();
      }
    },
  }));
}

/** What {@linkcode sweep} takes: run options, the provider's settings and knobs. */
export type SweepOptions = Partial<Omit<RunOptions, "provider">> & {
  settings?: Record<string, string | number | boolean | string[] | null>;
  tuning?: KubeTuning;
  /** Abort the sweep after this many seconds (a hang fails the test instead of blocking it) */
  limitSeconds?: number;
};

/** A sweep through the fake cluster; nothing may be left in it afterwards. */
export async function sweep(
  c: FakeCluster,
  options: SweepOptions = {},
): Promise<
  RunResult & { run: Awaited<ReturnType<typeof readRun>>; logs: Record<string, string> }
> {
  const { settings, tuning, limitSeconds = 120, ...rest } = options;
  const out = await Deno.makeTempDir({ prefix: "scalebench-k8s-" });
  const limit = new AbortController();
  const timer = setTimeout(() => limit.abort(), limitSeconds * 1000);
  try {
    const r = await runSweep({
      workload: "amdahl",
      params: { s: 0.2, work: 20 },
      cores: [1, 2],
      layout: "ranks",
      reps: 1,
      provider: makeKubernetesProvider(tuning),
      workloads: builtinWorkloads,
      providerSettings: c.settings(settings),
      output: out,
      pollInterval: 0.2,
      monitorInterval: 0.2,
      rendezvousTimeout: 20,
      signal: limit.signal,
      log: () => {},
      ...rest,
    });
    const run = await readRun(r.runDir);
    const logs: Record<string, string> = {};
    for (const e of Deno.readDirSync(`${r.runDir}/logs`)) {
      logs[e.name] = Deno.readTextFileSync(`${r.runDir}/logs/${e.name}`);
    }
    c.assertNothingLeft();
    return { ...r, run, logs };
  } finally {
    clearTimeout(timer);
    await Deno.remove(out, { recursive: true });
  }
}

/** Wait until `test()` holds, checking every 100 ms; throws `what` after `seconds`. */
export async function waitFor(test: () => boolean, seconds: number, what: string) {
  for (let i = 0; i < seconds * 10; i++) {
    if (test()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Not within ${seconds} s: ${what}`);
}

/**
 * `scalebench run …` against the fake cluster, as a separate process (stdout, stderr piped); a
 * resume (`--resume DIR`) takes its provider and settings from the run.
 */
export function cliRun(c: FakeCluster, args: string[]): Deno.ChildProcess {
  const cluster = [
    "-p",
    "kubernetes",
    "--kubeconfig",
    c.kubeconfig,
    "--k8s-port",
    String(c.port),
    "--poll-interval",
    "0.2",
  ];
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      new URL("cli/main.ts", ROOT).pathname,
      "run",
      ...(args.includes("--resume") ? [] : cluster),
      ...args,
    ],
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}
