/**
 * `hpcc`: Debian's HPC Challenge benchmark under `--engine mpi` — a program nobody on the team
 * wrote, measured like any workload. Each repetition writes `hpccinf.txt` (HPL's N, NB and a
 * P × Q grid of the ranks) into a fresh directory, runs `mpirun … hpcc` over the point's ranks,
 * and parses `hpccoutf.txt` into one observation per metric (workloads/hpcc/parse.ts).
 *
 * ```sh
 * scalebench run hpcc -c 1,2,4 --layout ranks -r 3 --set n=2000
 * ```
 *
 * @module
 */
import { int, string } from "../../core/params.ts";
import { defineWorkload } from "../../core/workload.ts";
import { hpccInput } from "./input.ts";
import { HPCC_OPS, parseHpcc } from "./parse.ts";

export default defineWorkload({
  name: "hpcc",
  summary:
    "HPC Challenge (Debian's hpcc) under MPI: HPL, PTRANS, RandomAccess, FFT, DGEMM, STREAM, ring bandwidth, latency (use --layout ranks)",
  params: {
    n: int({
      default: 1000,
      min: 16,
      max: 1_000_000,
      help: "HPL's matrix order N (weak: N·√ranks)",
    }),
    nb: int({ default: 80, min: 1, max: 4096, help: "HPL's block size NB" }),
    hpcc: string({ default: "hpcc", help: "The hpcc program (a path, or a name on PATH)" }),
  },
  mode: "strong",
  // the same memory per process: N² grows with the ranks
  weak: (p, point) => ({ ...p, n: Math.round(p.n * Math.sqrt(point.ranks)) }),
  size: (p) => p.n,
  sizeUnit: "N",
  engine: "mpi",
  command: (p) => [p.hpcc],
  ops: [...HPCC_OPS],
  files: (p, point) => ({ "hpccinf.txt": hpccInput({ n: p.n, nb: p.nb, ranks: point.ranks }) }),
  async records(dir) {
    try {
      return parseHpcc(await Deno.readTextFile(`${dir}/hpccoutf.txt`));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return [];
      throw err;
    }
  },
});
