// The rank image's entry, as `scalebench image` writes it (tini + deno + the bundle), run by the
// fake kubelet for a sweep and a Ctrl-C: `scalebench rank` works from the bundle, SIGTERM stops
// ranks through tini, and the driver (here the bundle too) loads the Kubernetes client at run time.
import { assert, assertEquals } from "../core/_assert.ts";
import { wrapperScript } from "../cli/image.ts";
import { readRun } from "../core/results.ts";
import { denoWithPodShim, startFakeCluster } from "./k8s/cluster.ts";
import { needCommand, needs } from "./_needs.ts";

const ROOT = new URL("../", import.meta.url);

Deno.test(needs([await needCommand("tini")], {
  name:
    "the image's scalebench entry runs a sweep and stops on Ctrl-C (bundle, tini, fake cluster)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "scalebench-image-" });
    const bundle = `${dir}/scalebench.js`;
    const built = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "-o", bundle, new URL("cli/main.ts", ROOT).pathname],
      cwd: ROOT.pathname,
    }).output();
    assert(built.success, "deno bundle");
    const entry = `${dir}/scalebench`;
    await Deno.writeTextFile(entry, wrapperScript(Deno.execPath(), bundle), { mode: 0o755 });
    assertEquals((await Deno.readTextFile(bundle)).includes("client-node/dist"), false);
    // the pods' entry is the same, its deno in the fake pod network (own IP, the cluster's DNS)
    const inPod = `${dir}/scalebench-in-pod`;
    await Deno.writeTextFile(inPod, wrapperScript(await denoWithPodShim(dir), bundle), {
      mode: 0o755,
    });
    const c = await startFakeCluster({ localCommand: [inPod, "rank"] });
    const run = (args: string[]) => {
      const child = new Deno.Command(entry, {
        args: [
          "run",
          "-p",
          "kubernetes",
          "--kubeconfig",
          c.kubeconfig,
          "--k8s-port",
          String(c.port),
          "-o",
          `${dir}/out`,
          "--poll-interval",
          "0.2",
          "--json",
          ...args,
        ],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      return child;
    };
    const ok = await run([
      "amdahl",
      "-c",
      "1,2",
      "--layout",
      "ranks",
      "-r",
      "2",
      "--set",
      "work=20",
    ])
      .output();
    const result = JSON.parse(new TextDecoder().decode(ok.stdout));
    assertEquals([ok.code, result.status, result.observations, result.failed], [
      0,
      "complete",
      4,
      0,
    ]);
    const obs = (await readRun(result.run_dir)).observations;
    assertEquals(obs.map((o) => [o.cores, o.ranks, o.ok]), [[1, 1, true], [1, 1, true], [
      2,
      2,
      true,
    ], [
      2,
      2,
      true,
    ]]);
    c.assertNothingLeft();
    // Ctrl-C while a rank hangs: SIGINT to the driver, SIGTERM to the ranks through tini
    const faulty = new URL("tests/testdata/workloads/faulty.ts", ROOT).pathname;
    const hang = run([faulty, "-c", "2", "--layout", "ranks", "-r", "1", "--set", "fault=hang"]);
    while (
      !c.kubelet.running().length ||
      !c.store.list("pods", "bench").every((p) => p.status?.phase === "Running")
    ) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500));
    hang.kill("SIGINT");
    const stopped = await hang.output();
    assertEquals(stopped.code, 130, new TextDecoder().decode(stopped.stderr));
    c.assertNothingLeft();
    await c.close();
    await Deno.remove(dir, { recursive: true });
  },
}));
