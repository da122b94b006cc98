/**
 * The ssh provider passes the provider conformance suite against the real sshd of
 * .ci/local_sshd.sh, its ranks spread over the aliases host1 and host2 (one core per node). The
 * provider is loaded the way a third-party plugin is: by path.
 */
import { loadProvider } from "../providers/mod.ts";
import { providerConformance } from "../testing.ts";
import { assertSshNothingLeft, needSshd, SSH_CONFIG } from "./ssh_sshd.ts";

const { provider } = await loadProvider(
  new URL("../providers/ssh/provider.ts", import.meta.url).pathname,
);

providerConformance({
  provider,
  settings: { hosts: ["host1", "host2"], sshConfig: SSH_CONFIG },
  needs: [await needSshd()],
  runOptions: { coresPerNode: 1 },
  startSeconds: 8,
  assertNothingLeft: (run) => assertSshNothingLeft(run),
});
