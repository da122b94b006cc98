/**
 * `--engine mpi`: one MPI launch per repetition over the point's ranks. The provider's rank
 * processes stay as they are (one per rank, on the point's nodes: their hosts make the hostfile,
 * they keep monitoring); rank 0 runs Open MPI's `mpirun -n RANKS --hostfile H` with the program,
 * the other ranks run nothing. Inside a Slurm job, mpirun takes the job's nodes and starts its
 * daemons through `srun --overlap` (the job step of the ranks already holds the CPUs).
 *
 * Every MPI rank gets `SCALEBENCH_RANK` = its MPI rank and `SCALEBENCH_RECORDS` = its own file
 * (`records.<mpi rank>.jsonl`), through a `/bin/sh` wrapper that reads the rank MPI gives it
 * (`OMPI_COMM_WORLD_RANK`, `PMIX_RANK`, `PMI_RANK`, `SLURM_PROCID`) — the program's argv is
 * passed as `"$@"`, never interpreted. Whoever writes records counts (MPI rank 0 alone, or all
 * ranks with the makespan rule).
 *
 * @module
 */
import { defineEngine, type Engine } from "./engine.ts";
import { splitCommand } from "./exec_argv.ts";
import { NOT_RUN } from "./exec_process.ts";
import { quote, ValidationError } from "./errors.ts";

/** The wrapper every MPI rank runs: its own records file, then the program (`"$@"`). */
export const MPI_RANK_WRAPPER =
  'r="${OMPI_COMM_WORLD_RANK:-${PMIX_RANK:-${PMI_RANK:-${SLURM_PROCID:-0}}}}"; ' +
  'SCALEBENCH_RANK="$r"; SCALEBENCH_RECORDS="$SCALEBENCH_RECORDS_DIR/records.$r.jsonl"; ' +
  'export SCALEBENCH_RANK SCALEBENCH_RECORDS; exec "$@"';

/** An Open MPI hostfile: each host once, in rank order, with as many slots as it has ranks. */
export function mpiHostfile(hosts: string[]): string {
  const slots = new Map<string, number>();
  for (const h of hosts) slots.set(h, (slots.get(h) ?? 0) + 1);
  return [...slots].map(([h, n]) => `${h} slots=${n}\n`).join("");
}

/** What rank 0 runs for a repetition. */
export function mpirunArgv(
  program: string[],
  options: {
    mpirun: string[];
    args: string[];
    ranks: number;
    hostfile: string;
    cwd?: string;
    env: string[];
    root: boolean;
    slurm: boolean;
  },
): string[] {
  const own = options.args;
  const has = (flag: string) => own.some((a) => a === flag || a.startsWith(`${flag}=`));
  return [
    ...options.mpirun,
    ...(options.root && !has("--allow-run-as-root") ? ["--allow-run-as-root"] : []),
    // steps of one Slurm job do not share CPUs unless they say so (Slurm ≥ 20.11)
    ...(options.slurm ? ["--mca", "plm_slurm_args", "--overlap"] : []),
    // the ranks' threads (OMP_NUM_THREADS) may use every core of the node
    ...(has("--bind-to") ? [] : ["--bind-to", "none"]),
    ...own,
    "-n",
    String(options.ranks),
    "--hostfile",
    options.hostfile,
    ...(options.cwd ? ["--wdir", options.cwd] : []),
    ...options.env.flatMap((name) => ["-x", name]),
    "/bin/sh",
    "-c",
    MPI_RANK_WRAPPER,
    "sh",
    ...program,
  ];
}

/** The MPI engine. */
export const mpiEngine: Engine = defineEngine({
  name: "mpi",
  summary: "One mpirun per repetition over the point's ranks (Open MPI; srun inside Slurm)",
  records: "writers",
  async configure(ctx) {
    const mpirun = splitCommand(ctx.config.mpirun, { flag: "--mpirun" });
    const args = ctx.config.mpiArgs ? splitCommand(ctx.config.mpiArgs, { flag: "--mpi-args" }) : [];
    // in containers, mpirun and the program are the image's (scalebench image --mpi)
    if (ctx.provider !== "kubernetes") {
      if (!(await ctx.findCommand(mpirun[0]))) {
        throw new ValidationError(
          `--engine mpi needs ${
            quote(mpirun[0], 200)
          }, which was not found (install Open MPI, or give --mpirun PATH)`,
        );
      }
      const program = ctx.argv[0];
      if (program && !(await ctx.findCommand(program))) {
        throw new ValidationError(
          `Command ${quote(program, 200)} was not found (--exec; not a file, nor on PATH)`,
        );
      }
    }
    return { mpirun, args };
  },
  async start(ctx) {
    if (ctx.rank !== 0) {
      return {
        run: () => Promise.resolve(NOT_RUN),
        close: () => Promise.resolve(),
      };
    }
    const hostfile = `${ctx.workDir}/mpi_hostfile`;
    await Deno.writeTextFile(hostfile, mpiHostfile(ctx.hosts));
    const settings = ctx.settings as { mpirun: string[]; args: string[] };
    return {
      run(rep) {
        const env = { ...rep.env, SCALEBENCH_RECORDS_DIR: rep.recordsDir };
        const argv = mpirunArgv(rep.argv, {
          mpirun: settings.mpirun,
          args: settings.args,
          ranks: ctx.ranks,
          hostfile,
          cwd: rep.cwd,
          env: Object.keys(env).sort(),
          root: Deno.uid() === 0,
          slurm: Boolean(ctx.environment.SLURM_JOB_ID),
        });
        ctx.log(
          `[rank 0] ${argv.slice(0, argv.indexOf("/bin/sh")).join(" ")} … ${rep.argv.join(" ")}`,
        );
        return ctx.launch(argv, { env, cwd: rep.cwd, label: "[mpi]" });
      },
      close: () => Promise.resolve(),
    };
  },
});
