/**
 * Settings of the ssh provider, declared once: each with its flag and environment key. A plain
 * declaration (type-only imports), so the provider stays a plugin that imports nothing from
 * scalebench at run time.
 *
 * @module
 */
import type { SettingDecls, SettingsOf } from "scalebench/testing";
import { optionProblem } from "./remote.ts";

/** The ssh provider's settings. */
export const SSH_SETTINGS = {
  hosts: {
    flag: "--hosts <list>",
    env: ["SCALEBENCH_SSH_HOSTS"],
    type: "list",
    default: null,
    help:
      "Hosts to start ranks on, in order (rank 0 on the first): ssh aliases or names, name:N for N cores (repeatable or comma-separated)",
  },
  hostfile: {
    flag: "--hostfile <file>",
    env: ["SCALEBENCH_SSH_HOSTFILE"],
    type: "string",
    default: null,
    help: "File of hosts, one a line: 'name', 'name slots=N' (Open MPI) or 'name:N' (MPICH)",
  },
  sshOptions: {
    flag: "--ssh-option <Key=Value>",
    env: ["SCALEBENCH_SSH_OPTIONS"],
    type: "list",
    default: [],
    help:
      "An ssh -o option, e.g. ConnectTimeout=10 or ProxyJump=gateway (repeatable; BatchMode=yes unless given)",
    validate: optionProblem,
  },
  sshConfig: {
    flag: "--ssh-config <file>",
    env: ["SCALEBENCH_SSH_CONFIG"],
    type: "string",
    default: null,
    help: "ssh configuration file (ssh -F; default: ~/.ssh/config and /etc/ssh/ssh_config)",
  },
  remoteDir: {
    flag: "--remote-dir <dir>",
    env: ["SCALEBENCH_SSH_REMOTE_DIR"],
    type: "string",
    default: null,
    help:
      "The run directory is not shared: copy each point's spec (and TLS files) to DIR/<run id> on every host, removed at the end (default: the run directory is at the same path on every host)",
    validate: (v) => (v.trim() ? undefined : "expects a directory"),
  },
  remoteCommand: {
    flag: "--remote-command <command>",
    env: ["SCALEBENCH_SSH_REMOTE_COMMAND"],
    type: "string",
    default: null,
    help:
      "What starts a rank on the hosts, words without shell syntax, e.g. '/opt/scalebench/scalebench rank' (default: this driver's own rank command, same paths)",
    validate: (v) => (v.trim() ? undefined : "expects a command"),
  },
  rdvHost: {
    flag: "--rdv-host <address>",
    env: ["SCALEBENCH_SSH_RDV_HOST"],
    type: "string",
    default: null,
    help:
      "Address the other ranks reach rank 0 at (default: the first host's HostName, as `ssh -G` resolves it)",
    validate: (v) => (/^[\w.:%-]+$/.test(v) ? undefined : "expects a host name or address"),
  },
} as const satisfies SettingDecls;

/** The ssh provider's resolved settings. */
export type SshSettings = SettingsOf<typeof SSH_SETTINGS>;
