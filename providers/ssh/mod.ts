/**
 * The ssh provider (`-p ssh`): ranks on a list of hosts, started with the system `ssh` client, so
 * `~/.ssh/config`, agents, keys and ProxyJump work as usual. Written as a plugin
 * (provider.ts: a default export that receives the provider API); this module registers it.
 *
 * @example Where the ranks of a point go
 * ```ts
 * import { parseHostfile, placeRanks } from "./mod.ts";
 *
 * const hosts = parseHostfile("node1 slots=2\nnode2:2\n", "hosts.txt");
 * const placed = placeRanks([2, 2], hosts).map((p) => `${p.host.name}: ${p.ranks}`);
 * console.log(placed); // [ "node1: 0,1", "node2: 2,3" ]
 * ```
 *
 * @module
 */
import { providerApi } from "../../core/provider_api.ts";
import sshPlugin from "./provider.ts";

export { type Host, parseHostfile, parseHostList, placeRanks } from "./hosts.ts";
export { SSH_SETTINGS, type SshSettings } from "./settings.ts";
export { sshPlugin };

/** The ssh provider, built from the public provider API. */
export const sshProvider: ReturnType<typeof sshPlugin> = sshPlugin(providerApi);
