/**
 * Provider helpers, now in core/provider_util.ts (the plugin contract); re-exported here for the
 * providers that import them from this path.
 *
 * @module
 */
export { type LineQueue, lineQueue, makeRankSpec, tailFile } from "../core/provider_util.ts";
