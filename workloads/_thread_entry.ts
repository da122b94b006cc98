/// <reference lib="deno.worker" />
/**
 * The Web Worker of a rank's threads, with the built-in workloads' loader (and users' files).
 *
 * @module
 */
import { serveThreads } from "../core/_thread_worker.ts";
import { builtinWorkloads } from "./mod.ts";

serveThreads(builtinWorkloads);
