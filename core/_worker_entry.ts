/**
 * Where a Web Worker's code is. From source or a compiled binary, the worker's own module next to
 * the caller; from a bundle (one .js file), the bundle itself, which starts the worker's code when
 * it sees the worker's name (cli/main.ts) — the caller's URL, as the bundle may be imported by
 * another main module (a test importing `measure()` from it).
 *
 * @module
 */

/** Worker names the entry point recognises. */
export const WORKER_ROLES = { thread: "scalebench-thread", monitor: "scalebench-monitor" } as const;

/** URL and options of a worker whose module is `relative` to `base` (the caller's import.meta.url). */
export function workerEntry(
  relative: string,
  options: { base: string; role: keyof typeof WORKER_ROLES },
): { url: URL; options: WorkerOptions } {
  const name = WORKER_ROLES[options.role];
  // from source or a compiled binary the caller is a .ts module; in a bundle it is the bundle
  const bundled = !/\.ts$/.test(options.base);
  return {
    url: new URL(bundled ? options.base : relative, options.base),
    options: { type: "module", name },
  };
}
