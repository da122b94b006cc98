// A provider plugin that ignores --tls: the local provider, opened with the run's TLS taken away
// (its ranks get neither SCALEBENCH_TLS_DIR nor a spec that asks for TLS). The driver must notice
// that the ranks met in clear and stop the run (exit 2).
import { localProvider } from "../../providers/local.ts";
import type { Provider } from "../../core/provider.ts";

const blind: Provider = {
  name: "tls-blind",
  summary: "The local provider, blind to --tls",
  settings: localProvider.settings,
  open: (ctx) => localProvider.open({ ...ctx, tls: null } as Parameters<typeof localProvider.open>[0]),
};
export default blind;
