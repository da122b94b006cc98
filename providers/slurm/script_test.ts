import assert from "node:assert/strict";
import type { Batch, PlannedPoint } from "../../core/types.ts";
import { completeSettings } from "../../core/settings.ts";
import { allocationScript, allocationSize, stepArgv } from "./script.ts";
import { SLURM_SETTINGS } from "./settings.ts";

function point(cores: number, nodes: number, ranks: number, threads: number): PlannedPoint {
  return { index: 0, cores, nodes, ranks, threads, size: 0, params: {} };
}

Deno.test("allocationSize() takes the most nodes and the most CPUs per node of any point", () => {
  assert.deepEqual(allocationSize([point(1, 1, 1, 1), point(8, 2, 8, 1), point(12, 3, 12, 1)]), {
    nodes: 3,
    cpusPerNode: 4,
  });
  // 1 rank × 6 threads on one node needs 6 CPUs there; 5 ranks on 2 nodes put 3 on the first
  assert.deepEqual(allocationSize([point(6, 1, 1, 6), point(5, 2, 5, 1)]), {
    nodes: 2,
    cpusPerNode: 6,
  });
});

Deno.test("allocationScript() sizes the job, carries the site's directives and ends without its driver", () => {
  const settings = completeSettings(SLURM_SETTINGS, {
    account: "proj",
    timeLimit: "01:00:00",
    sbatchArgs: ["--gres=gpu:1"],
  });
  const script = allocationScript([point(4, 1, 4, 1), point(8, 2, 8, 1)], settings, {
    runId: "r1",
    outDir: "/shared/r1/logs",
    aliveFile: "/shared/r1/logs/allocation.alive",
  });
  const directives = script.split("\n").filter((l) => l.startsWith("#SBATCH"));
  assert.deepEqual(directives, [
    "#SBATCH --job-name=sb-r1-allocation",
    "#SBATCH --comment=scalebench:r1",
    "#SBATCH --nodes=2",
    "#SBATCH --ntasks-per-node=1",
    "#SBATCH --cpus-per-task=4",
    "#SBATCH --output=/shared/r1/logs/allocation.job%j.out",
    "#SBATCH --error=/shared/r1/logs/allocation.job%j.err",
    "#SBATCH --account=proj",
    "#SBATCH --time=01:00:00",
    "#SBATCH --exclusive",
    "#SBATCH --gres=gpu:1",
  ]);
  assert.match(script, /^alive=\/shared\/r1\/logs\/allocation.alive$/m);
  assert.match(script, /-lt 120 \]; do sleep 5; done$/m);
});

Deno.test("allocationScript()'s job holds while its driver touches the alive file, and ends after", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scalebench-alloc-" });
  const alive = `${dir}/allocation.alive`;
  await Deno.writeTextFile(alive, "");
  const script = allocationScript([point(1, 1, 1, 1)], completeSettings(SLURM_SETTINGS, {}), {
    runId: "r",
    outDir: dir,
    aliveFile: alive,
    orphanSeconds: 2,
  });
  await Deno.writeTextFile(`${dir}/job.sh`, script);
  const job = new Deno.Command("bash", {
    args: [`${dir}/job.sh`],
    env: { SLURM_JOB_ID: "1", SLURM_JOB_NODELIST: "node1" },
    stdout: "piped",
  }).spawn();
  let ended = false;
  job.status.then(() => (ended = true));
  for (let i = 0; i < 8; i++) {
    await Deno.utime(alive, new Date(), new Date());
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.equal(ended, false, "the job ended while its driver was alive");
  // the driver stops touching the file: the job ends by itself
  const { code } = await job.status;
  const out = new TextDecoder().decode((await job.output()).stdout);
  assert.equal(code, 0);
  assert.match(out, /^scalebench: allocation on .* job 1, nodes node1\n/);
  assert.match(
    out,
    /scalebench: the driver is gone \(.*allocation\.alive untouched\): ending the allocation\n$/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("stepArgv() keeps rank 0's stdout on srun's and passes paths as arguments", () => {
  const batch: Batch = { id: "p02-c0008", point: point(8, 2, 8, 1), tasks: [] };
  const argv = stepArgv(batch, {
    allocation: "77",
    runId: "r1",
    outDir: "/shared/a b/logs",
    rankCommand: ["deno", "run", "cli/main.ts", "rank"],
  });
  assert.deepEqual(argv.slice(0, 11), [
    "srun",
    "--jobid=77",
    "--job-name=sb-r1-p02-c0008",
    "--exact",
    "--kill-on-bad-exit=1",
    "--verbose",
    "--nodes=2",
    "--ntasks=8",
    "--ntasks-per-node=4",
    "--cpus-per-task=1",
    "--error=/shared/a b/logs/p02-c0008.rank%t.err",
  ]);
  assert.deepEqual(argv.slice(11), [
    "/bin/sh",
    "-c",
    '[ "${SLURM_PROCID:-0}" = 0 ] || exec >"$0.rank$SLURM_PROCID.out"; exec "$@"',
    "/shared/a b/logs/p02-c0008",
    "deno",
    "run",
    "cli/main.ts",
    "rank",
  ]);
  const sourced = stepArgv(batch, {
    allocation: "77",
    runId: "r1",
    outDir: "/o",
    rankCommand: ["rank"],
    envToSource: "/etc/env $x.sh",
  });
  assert.deepEqual(sourced.slice(11), [
    "/bin/bash",
    "-c",
    'source "$1" || exit 1; shift; [ "${SLURM_PROCID:-0}" = 0 ] || exec >"$0.rank$SLURM_PROCID.out"; exec "$@"',
    "/o/p02-c0008",
    "/etc/env $x.sh",
    "rank",
  ]);
});

Deno.test("stepArgv()'s wrapper really sends rank 0 to stdout and the others to their files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scalebench-step-" });
  const batch: Batch = { id: "b", point: point(2, 1, 2, 1), tasks: [] };
  const argv = stepArgv(batch, {
    allocation: "1",
    runId: "r",
    outDir: dir,
    rankCommand: ["sh", "-c", 'echo "rank $SLURM_PROCID"'],
  });
  const wrapper = argv.slice(argv.indexOf("/bin/sh"));
  const outputs = [];
  for (const rank of ["0", "1"]) {
    const r = await new Deno.Command(wrapper[0], {
      args: wrapper.slice(1),
      env: { SLURM_PROCID: rank },
      stdout: "piped",
    }).output();
    outputs.push(new TextDecoder().decode(r.stdout));
  }
  assert.deepEqual(outputs, ["rank 0\n", ""]);
  assert.equal(await Deno.readTextFile(`${dir}/b.rank1.out`), "rank 1\n");
  await Deno.remove(dir, { recursive: true });
});
