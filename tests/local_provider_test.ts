import { localProvider } from "../providers/local.ts";
import { assertNoRanksLeft, providerConformance } from "./provider_conformance.ts";

providerConformance({
  provider: localProvider,
  assertNothingLeft: ({ runDir }) => assertNoRanksLeft(runDir, 0.1),
});
