// A provider plugin: every rank starts through a launcher command the user gives
// (`--launcher "nice -n 5"`, `--launcher "ssh node7"`…), with its environment passed by `env`.
// Run it with: scalebench run amdahl -p ./launcher_provider.ts --launcher "nice -n 5"
import type { JobHandle, ProviderApi, ProviderContext, ProviderSession } from "scalebench/testing";

interface Job extends JobHandle {
  children: Deno.ChildProcess[];
  codes: (number | null)[];
  exited: Promise<void>;
  lines: AsyncIterable<string>;
  cancelled: string | null;
}

export default (api: ProviderApi) => {
  const settings = api.defineSettings({
    launcher: {
      flag: "--launcher <command>",
      env: ["LAUNCHER"],
      type: "string",
      default: "",
      help: "Command that starts each rank (words, no shell), e.g. 'nice -n 5'",
    },
  });
  return api.defineProvider({
    name: "launcher",
    summary: "Ranks started through a user-given launcher command",
    settings,
    async open(ctx: ProviderContext<{ launcher: string }>) {
      const launcher = ctx.settings.launcher.split(/\s+/).filter(Boolean);
      const tokenFile = `${ctx.runDir}/.launcher-token`;
      if (!ctx.dryRun) await Deno.writeTextFile(tokenFile, ctx.token, { mode: 0o600 });
      const jobs = new Set<Job>();
      const argv = (batchId: string, rank: number) => {
        const env = { SCALEBENCH_RANK: String(rank), SCALEBENCH_TOKEN_FILE: tokenFile };
        const spec = `SCALEBENCH_SPEC_FILE=${ctx.logsDir}/${batchId}.spec.json`;
        const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`);
        return [...launcher, "env", spec, ...vars, ...ctx.rankCommand];
      };
      const kill = (child: Deno.ChildProcess) => {
        try {
          child.kill("SIGTERM");
        } catch { /* exited already */ }
      };
      const stop = async (job: Job) => {
        job.children.forEach(kill);
        await job.exited;
      };
      const session: ProviderSession<Job> = {
        emit(batch) {
          const spec = api.makeRankSpec(batch, ctx, {
            host: "127.0.0.1",
            port: 0,
            file: `${ctx.logsDir}/${batch.id}.rdv`,
          });
          return Promise.resolve({
            files: { [`${batch.id}.spec.json`]: JSON.stringify(spec) },
            dryRun: { argv: argv(batch.id, 0) },
          });
        },
        async submit(batch) {
          const queue = api.lineQueue();
          const children: Deno.ChildProcess[] = [], drains: Promise<void>[] = [];
          for (let rank = 0; rank < batch.point.ranks; rank++) {
            const [cmd, ...args] = argv(batch.id, rank);
            const child = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).spawn();
            const out = `${ctx.logsDir}/${batch.id}.rank${rank}`;
            drains.push(api.pumpToFile(child.stdout, `${out}.out`, rank ? undefined : queue.push));
            drains.push(api.pumpToFile(child.stderr, `${out}.err`));
            children.push(child);
          }
          Promise.all(drains).finally(() => queue.end());
          const job: Job = {
            batch,
            jobId: String(children[0].pid),
            children,
            codes: children.map(() => null),
            exited: Promise.resolve(),
            lines: queue,
            cancelled: null,
          };
          job.exited = Promise.all(children.map(async (c, i) => {
            job.codes[i] = (await c.status).code;
            if (job.codes[i] !== 0) children.forEach(kill); // one rank failed: stop the others
          })).then(() => {});
          jobs.add(job);
          job.exited.then(() => jobs.delete(job));
          return job;
        },
        poll(job) {
          const bad = job.codes.findIndex((c) => c !== null && c !== 0);
          if (job.cancelled) return Promise.resolve({ state: "cancelled", reason: job.cancelled });
          if (bad >= 0) {
            return Promise.resolve({
              state: "failed",
              reason: `Rank ${bad} exited ${job.codes[bad]}`,
            });
          }
          const done = job.codes.every((c) => c === 0);
          return Promise.resolve({
            state: done ? "succeeded" : "running",
            nodes: [Deno.hostname()],
          });
        },
        lines: (job) => job.lines,
        async collect(job) {
          await job.exited;
          const tails = [];
          for (const [rank, code] of job.codes.entries()) {
            if (code === 0) continue;
            tails.push(
              `rank ${rank}: ${await api.tailFile(
                `${ctx.logsDir}/${job.batch.id}.rank${rank}.err`,
              )}`,
            );
          }
          return { stderrTail: tails.join("\n") || undefined, nodes: [Deno.hostname()] };
        },
        async cancel(job, reason) {
          job.cancelled ??= reason;
          await stop(job);
        },
        async close() {
          await Promise.all([...jobs].map(stop));
          await Deno.remove(tokenFile).catch(() => {});
        },
      };
      return session;
    },
  });
};
