/**
 * The ssh provider as a plugin module: its default export receives the provider API and returns
 * the provider, so it imports nothing from scalebench at run time (`-p ./providers/ssh/provider.ts`
 * loads it like any third-party plugin; `-p ssh` is the same provider, registered by name).
 *
 * `open()` reads the hosts (`--hosts` or `--hostfile`), checks that every point of the plan fits on
 * them (enough hosts for its nodes; no host given more cores than its slots), and — unless it is a
 * dry run — asks `ssh -G` for the first host's address (the rendezvous host) and, by the way,
 * whether ssh accepts the options. Nothing is contacted until a point starts.
 *
 * @module
 */
import type { Batch, Provider, ProviderApi, ProviderContext } from "scalebench/testing";
import {
  type Host,
  HostsError,
  parseHostfile,
  parseHostList,
  placeRanks,
  pointMisfit,
} from "./hosts.ts";
import { lastLine } from "./_procs.ts";
import { normaliseOptions, type SshCall, sshConfigArgs } from "./remote.ts";
import { SshSession } from "./session.ts";
import { SSH_SETTINGS, type SshSettings } from "./settings.ts";

type Ctx = ProviderContext<SshSettings>;

/** The hosts of the settings, and how to name where they came from in messages. */
async function readHosts(
  api: ProviderApi,
  settings: SshSettings,
): Promise<{ hosts: Host[]; source: string }> {
  const { hosts, hostfile } = settings;
  try {
    if (hosts?.length && hostfile) {
      throw new HostsError("Give --hosts or --hostfile, not both");
    }
    if (hosts?.length) return { hosts: parseHostList(hosts), source: "--hosts" };
    if (!hostfile) {
      throw new HostsError(
        "The ssh provider needs hosts: --hosts a,b,c or --hostfile FILE (SCALEBENCH_SSH_HOSTS, SCALEBENCH_SSH_HOSTFILE)",
      );
    }
    let text: string;
    try {
      text = await Deno.readTextFile(hostfile);
    } catch (err) {
      throw new HostsError(
        `Hostfile ${api.quote(hostfile, 200)} (--hostfile) is not readable: ${
          (err as Error).message
        }`,
      );
    }
    return { hosts: parseHostfile(text, hostfile), source: `hostfile '${hostfile}'` };
  } catch (err) {
    if (err instanceof HostsError) throw new api.ValidationError(err.message);
    throw err;
  }
}

/** ssh's HostName for `host` (`ssh -G`: the configuration only, nothing is contacted). */
async function resolveHostName(
  api: ProviderApi,
  { call, host }: { call: SshCall; host: string },
): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("ssh", {
      args: sshConfigArgs(call, host),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new api.ValidationError(
        "The ssh provider needs the OpenSSH client: 'ssh' is not on PATH",
      );
    }
    throw err;
  }
  const text = new TextDecoder().decode(out.stdout);
  const name = /^hostname (\S+)$/m.exec(text)?.[1];
  if (!out.success || !name) {
    const why = lastLine(new TextDecoder().decode(out.stderr)) || `exit ${out.code}`;
    throw new api.ValidationError(
      `ssh rejects its configuration for host ${
        api.quote(host)
      } (--ssh-config, --ssh-option): ${why}`,
    );
  }
  return name;
}

/** The ssh provider, made with the provider API a plugin receives. */
export default function sshProvider(api: ProviderApi): Provider<typeof SSH_SETTINGS> {
  return api.defineProvider({
    name: "ssh",
    summary: "Ranks on a list of hosts, started with the system ssh client",
    settings: api.defineSettings(SSH_SETTINGS),
    /**
     * Without --cores-per-node, a node is the smallest slot count the hosts give (`name:N`,
     * `slots=N`; hosts without one do not count), so points spread over the hosts without any
     * host getting more than its slots; null (no slots given): the planner's default, one node.
     */
    async defaultCoresPerNode(settings: SshSettings) {
      const slots = (await readHosts(api, settings)).hosts.flatMap((h) => h.slots ?? []);
      return slots.length ? Math.min(...slots) : null;
    },
    async open(ctx: Ctx) {
      const { hosts, source } = await readHosts(api, ctx.settings);
      const plan = ctx.plan;
      for (const point of plan.points) {
        const misfit = pointMisfit(point, {
          counts: api.ranksPerNode(point),
          hosts,
          coresPerNode: plan.cores_per_node,
          source,
        });
        if (misfit) throw new api.ValidationError(misfit);
      }
      if (hosts.length > 1 && plan.points.every((p) => p.nodes === 1)) {
        ctx.log(
          `Note: every point fits on one node of ${plan.cores_per_node} cores (--cores-per-node), so only '${
            hosts[0].name
          }' of the ${hosts.length} hosts is used`,
        );
      }
      const call: SshCall = {
        config: ctx.settings.sshConfig,
        options: normaliseOptions(ctx.settings.sshOptions),
      };
      const rdvHost = ctx.settings.rdvHost ??
        (ctx.dryRun ? hosts[0].name : await resolveHostName(api, { call, host: hosts[0].name }));
      const remoteDir = ctx.settings.remoteDir;
      return new SshSession(api, ctx, {
        hosts,
        call,
        rdvHost,
        remoteRun: remoteDir === null ? null : `${remoteDir.replace(/\/+$/, "")}/${ctx.runId}`,
        place: (batch: Batch) => placeRanks(api.ranksPerNode(batch.point), hosts),
      });
    },
  });
}
