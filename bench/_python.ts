/**
 * Whether a Python interpreter has the modules a bench needs; when not, a message naming the
 * Debian packages to install. Benches install nothing.
 *
 * @module
 */

/** A Python module and the Debian package that provides it. */
export type PythonModule = [module: string, debianPackage: string];

/** The modules bench/dask_ops.py imports. */
export const DASK_MODULES: PythonModule[] = [
  ["numpy", "python3-numpy"],
  ["pandas", "python3-pandas"],
  ["dask.array", "python3-dask"],
  ["dask.dataframe", "python3-dask"],
  ["distributed", "python3-distributed"],
];

/** Why `python` cannot import `modules` — naming the packages to install — or null if it can. */
export async function pythonMissing(
  python: string,
  modules: PythonModule[],
): Promise<string | null> {
  const names = modules.map(([m]) => m);
  const probe = `import importlib\nfor m in ${JSON.stringify(names)}:\n` +
    `    try:\n        importlib.import_module(m)\n    except Exception:\n        print(m)\n`;
  const packages = (ms: PythonModule[]) => [...new Set(ms.map(([, p]) => p))].join(" ");
  let r: Deno.CommandOutput;
  try {
    r = await new Deno.Command(python, { args: ["-c", probe], stdout: "piped", stderr: "piped" })
      .output();
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound ? "is not installed" : `does not run (${err})`;
    return `${python} ${why}: apt-get install python3 ${packages(modules)}`;
  }
  const out = new TextDecoder().decode(r.stdout);
  if (!r.success) {
    const last = new TextDecoder().decode(r.stderr).trim().split("\n").pop();
    return `${python} failed (${last}): apt-get install python3 ${packages(modules)}`;
  }
  const missing = out.split("\n").filter(Boolean);
  if (!missing.length) return null;
  return `${python} cannot import ${missing.join(", ")}: apt-get install ${
    packages(modules.filter(([m]) => missing.includes(m)))
  }`;
}
