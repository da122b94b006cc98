/**
 * `scalebench rank` (hidden): the entry of a rank process. Reads its spec, rank and token from the
 * environment (set by a provider) and runs the rank runtime.
 *
 * - SCALEBENCH_SPEC (JSON) or SCALEBENCH_SPEC_FILE: the RankSpec
 * - SCALEBENCH_RANK, else SLURM_PROCID, else JOB_COMPLETION_INDEX: this rank
 * - SCALEBENCH_TOKEN or SCALEBENCH_TOKEN_FILE: the rendezvous token
 * - SCALEBENCH_RDV_HOST: rank 0's host, overriding the spec (Slurm node list, cluster DNS)
 * - SCALEBENCH_RDV_INTERFACE: rank 0 binds to and publishes this interface's IPv4 address
 * - SCALEBENCH_TLS_DIR: the rendezvous talks TLS: rank 0 serves `tls.crt` with `tls.key`, the others
 *   trust `ca.crt` from there (the run's TLS directory, or a Kubernetes TLS secret mounted in the
 *   pod); SCALEBENCH_TLS_SERVER_NAME: the name the certificate is for (default: rank 0's host).
 *   A run with `--tls` refuses to start a rank without it (core/tls.ts)
 * - SCALEBENCH_WATCH_STDIN=1: exit when stdin closes (the local driver died)
 * - SCALEBENCH_RDV_TREE=MIN[,FANOUT]: the collectives go over a tree from MIN ranks on (0: never),
 *   FANOUT children per rank (default: core/rendezvous_tree.ts's, measured); every rank of a batch
 *   must be given the same
 *
 * @module
 */
import { runRank } from "../core/rank.ts";
import { builtinWorkloads } from "../workloads/mod.ts";
import { type RankSpec, toRankSpec } from "../core/protocol.ts";
import { errorMessage } from "../core/errors.ts";
import { type RankTls, readRankTls } from "../core/tls.ts";
import { TREE_FANOUT } from "../core/rendezvous_tree.ts";

function env(name: string): string | undefined {
  const v = Deno.env.get(name);
  return v === undefined || v === "" ? undefined : v;
}

function fatal(message: string): never {
  console.error(`scalebench rank: ${message}`);
  Deno.exit(2);
}

/** The rank's TLS files; a read error travels to the rank runtime, which reports it (exit 2). */
async function readTls(rank: number): Promise<RankTls | undefined> {
  const dir = env("SCALEBENCH_TLS_DIR");
  if (!dir) return undefined;
  try {
    return await readRankTls(dir, { rank, serverName: env("SCALEBENCH_TLS_SERVER_NAME") });
  } catch (err) {
    return { error: errorMessage(err) };
  }
}

/** Run this process as one rank; exits with the rank's code. */
export async function main(args: string[] = []): Promise<never> {
  const specIndex = args.indexOf("--spec");
  const specFile = specIndex >= 0 ? args[specIndex + 1] : env("SCALEBENCH_SPEC_FILE");
  let spec: RankSpec;
  try {
    spec = toRankSpec(JSON.parse(
      env("SCALEBENCH_SPEC") ?? (specFile ? await Deno.readTextFile(specFile) : ""),
    ));
  } catch (err) {
    fatal(
      `No readable rank spec in SCALEBENCH_SPEC or SCALEBENCH_SPEC_FILE (${
        (err as Error).message
      })`,
    );
  }
  const rankText = env("SCALEBENCH_RANK") ?? env("SLURM_PROCID") ?? env("JOB_COMPLETION_INDEX");
  const rank = Number(rankText);
  if (!Number.isInteger(rank) || rank < 0 || rank >= spec.point.ranks) {
    fatal(
      `Rank ${
        JSON.stringify(rankText)
      } from SCALEBENCH_RANK/SLURM_PROCID/JOB_COMPLETION_INDEX is not in 0..${
        spec.point.ranks - 1
      }`,
    );
  }
  const tokenFile = env("SCALEBENCH_TOKEN_FILE");
  const token = env("SCALEBENCH_TOKEN") ??
    (tokenFile ? (await Deno.readTextFile(tokenFile)).trim() : undefined);
  if (!token) fatal("No rendezvous token in SCALEBENCH_TOKEN or SCALEBENCH_TOKEN_FILE");
  if (env("SCALEBENCH_WATCH_STDIN") === "1") {
    // the driver holds our stdin open: EOF means it died, so do not linger as an orphan
    (async () => {
      const buf = new Uint8Array(64);
      try {
        while ((await Deno.stdin.read(buf)) !== null) { /* ignore input */ }
      } catch { /* closed */ }
      Deno.exit(137);
    })();
  }
  let rendezvousHost = env("SCALEBENCH_RDV_HOST");
  let rendezvousBind: string | undefined;
  const iface = env("SCALEBENCH_RDV_INTERFACE");
  if (iface && rank === 0) {
    // rank 0 listens on this interface's address and publishes it (NET_INTERFACE)
    const addr = Deno.networkInterfaces().find((i) => i.name === iface && i.family === "IPv4")
      ?.address;
    if (!addr) {
      fatal(`Interface '${iface}' (NET_INTERFACE) has no IPv4 address on ${Deno.hostname()}`);
    }
    rendezvousHost = rendezvousBind = addr;
  }
  const tls = await readTls(rank);
  const tree = env("SCALEBENCH_RDV_TREE");
  const [min, fanout] = (tree ?? "").split(",").map(Number);
  const fanoutOk = fanout === undefined || (Number.isInteger(fanout) && fanout >= 2);
  if (tree !== undefined && !(Number.isInteger(min) && min >= 0 && fanoutOk)) {
    fatal(`SCALEBENCH_RDV_TREE ${JSON.stringify(tree)} is not MIN[,FANOUT] (MIN ≥ 0, FANOUT ≥ 2)`);
  }
  const code = await runRank({
    spec,
    rank,
    token,
    rendezvousHost,
    rendezvousBind,
    rendezvousTree: tree === undefined ? undefined : { min, fanout: fanout || TREE_FANOUT },
    tls,
    workloads: builtinWorkloads,
    environment: Deno.env.toObject(),
  });
  Deno.exit(code);
}
