/**
 * The results store (schema version 1): `manifest.json`, `observations.jsonl`, `monitor.jsonl`
 * and `logs/` in one run directory. Every record is appended with one write and flushed to disk
 * before the call returns, so a driver killed at any moment leaves every finished observation
 * readable; a torn last line is ignored with a warning when reading.
 *
 * @module
 */
import { errorMessage, quote, ValidationError } from "./errors.ts";
import { toMonitorSample, toObservation } from "./observation.ts";
import type { Manifest, MonitorSample, Observation } from "./types.ts";

/** Files of a run directory. */
export const RUN_FILES = {
  manifest: "manifest.json",
  observations: "observations.jsonl",
  monitor: "monitor.jsonl",
  logs: "logs",
} as const;

const encoder = new TextEncoder();

function join(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/** Append-only JSON Lines file, flushed per record. */
class JsonlAppender {
  #file: Deno.FsFile;
  constructor(path: string) {
    this.#file = Deno.openSync(path, { append: true, create: true });
  }
  append(record: unknown): void {
    const bytes = encoder.encode(JSON.stringify(record) + "\n");
    let off = 0;
    while (off < bytes.length) off += this.#file.writeSync(bytes.subarray(off));
    this.#file.syncDataSync();
  }
  close(): void {
    try {
      this.#file.close();
    } catch { /* already closed */ }
  }
}

/** A run directory open for writing. */
export class RunStore {
  readonly dir: string;
  readonly logsDir: string;
  #obs: JsonlAppender;
  #mon: JsonlAppender;
  #manifest: Manifest;

  private constructor(dir: string, manifest: Manifest) {
    this.dir = dir;
    this.logsDir = join(dir, RUN_FILES.logs);
    this.#manifest = manifest;
    this.#obs = new JsonlAppender(join(dir, RUN_FILES.observations));
    this.#mon = new JsonlAppender(join(dir, RUN_FILES.monitor));
  }

  /** Make `<resultsDir>/<manifest.run_id>/` and write the manifest. Unwritable → ValidationError. */
  static async create(resultsDir: string, manifest: Manifest): Promise<RunStore> {
    const dir = join(resultsDir, manifest.run_id);
    try {
      await Deno.mkdir(resultsDir, { recursive: true });
      await Deno.mkdir(dir);
      await Deno.mkdir(join(dir, RUN_FILES.logs));
    } catch (err) {
      const isFile = await Deno.stat(resultsDir).then((s) => !s.isDirectory, () => false);
      if (isFile) {
        throw new ValidationError(
          `Flag -o expects a results directory (got ${quote(resultsDir, 200)}, which is a file)`,
        );
      }
      if (err instanceof Deno.errors.AlreadyExists) {
        throw new ValidationError(
          `Run directory ${quote(dir, 200)} already exists: choose another --name, or --resume it`,
        );
      }
      throw new ValidationError(
        `Cannot write results to ${quote(resultsDir, 200)} (-o): ${errorMessage(err)}`,
      );
    }
    const store = new RunStore(dir, manifest);
    await store.writeManifest();
    return store;
  }

  /** Open an existing run directory to append to it (`--resume`). */
  static async open(dir: string): Promise<{ store: RunStore; observations: Observation[] }> {
    // the monitor samples are only appended to: not read
    const run = await readRun(dir, { monitor: false });
    try {
      await Deno.mkdir(join(dir, RUN_FILES.logs), { recursive: true });
      // a torn last line would glue onto the next record: end the file with a newline first
      for (const name of [RUN_FILES.observations, RUN_FILES.monitor]) {
        await terminateLastLine(join(dir, name));
      }
      return { store: new RunStore(dir, run.manifest), observations: run.observations };
    } catch (err) {
      throw new ValidationError(
        `Cannot append to run ${quote(dir, 200)} (--resume): ${errorMessage(err)}`,
      );
    }
  }

  get manifest(): Manifest {
    return this.#manifest;
  }

  appendObservation(obs: Observation): void {
    this.#obs.append(obs);
  }

  appendMonitor(sample: MonitorSample): void {
    this.#mon.append(sample);
  }

  /** Change the manifest and write it atomically (temp file + rename). */
  async updateManifest(change: (m: Manifest) => void): Promise<void> {
    change(this.#manifest);
    await this.writeManifest();
  }

  async writeManifest(): Promise<void> {
    const path = join(this.dir, RUN_FILES.manifest);
    const tmp = `${path}.tmp-${Deno.pid}`;
    await Deno.writeTextFile(tmp, JSON.stringify(this.#manifest, null, 2) + "\n");
    await Deno.rename(tmp, path);
  }

  close(): void {
    this.#obs.close();
    this.#mon.close();
  }
}

async function terminateLastLine(path: string): Promise<void> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw err;
  }
  if (text.length > 0 && !text.endsWith("\n")) {
    // drop the torn fragment: it was never a complete record
    await Deno.writeTextFile(path, text.slice(0, text.lastIndexOf("\n") + 1));
  }
}

/** A non-blank line of JSON Lines text: its number (from 1), text and value (undefined: no JSON) */
export interface JsonLine {
  n: number;
  line: string;
  /** Whether it is the text's last line (no newline after it: possibly torn) */
  last: boolean;
  value: unknown;
}

/** The non-blank lines of JSON Lines text, each parsed. */
export function* jsonLines(text: string): Generator<JsonLine> {
  const lines = text.split("\n");
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    yield { n: i + 1, line, last: i === lines.length - 1, value };
  }
}

/**
 * Parse JSON Lines. A torn last line (no newline, bad JSON) is skipped with a warning, as is a bad
 * line; with `validate`, so is a record it rejects (it throws saying what is wrong).
 */
export function parseJsonl<T>(
  text: string,
  options: { file: string; onWarning?: (msg: string) => void; validate?: (v: unknown) => T },
): T[] {
  const out: T[] = [];
  const file = quote(options.file, 200);
  for (const { n, last, value } of jsonLines(text)) {
    if (value === undefined) {
      options.onWarning?.(
        last
          ? `Ignoring a torn last line in ${file} (the run was interrupted while writing)`
          : `Ignoring malformed line ${n} in ${file}`,
      );
      continue;
    }
    try {
      out.push(options.validate ? options.validate(value) : value as T);
    } catch (err) {
      options.onWarning?.(`Ignoring line ${n} in ${file}: ${errorMessage(err)}`);
    }
  }
  return out;
}

/** A run directory read back. */
export interface RunData {
  dir: string;
  manifest: Manifest;
  observations: Observation[];
  monitor: MonitorSample[];
  warnings: string[];
}

async function readOptional(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return "";
    throw err;
  }
}

/** Read a run directory's manifest alone. Not a run directory → ValidationError naming it. */
export async function readManifest(dir: string): Promise<Manifest> {
  let manifest: Manifest;
  const mpath = join(dir, RUN_FILES.manifest);
  try {
    manifest = JSON.parse(await Deno.readTextFile(mpath));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new ValidationError(
        `${quote(dir, 200)} is not a scalebench run directory (no manifest.json)`,
      );
    }
    if (err instanceof SyntaxError) {
      throw new ValidationError(`${quote(mpath, 200)} is not valid JSON: ${err.message}`);
    }
    throw new ValidationError(`Cannot read ${quote(mpath, 200)}: ${errorMessage(err)}`);
  }
  if (manifest?.schema_version !== 1) {
    throw new ValidationError(
      `${quote(mpath, 200)} has schema_version ${
        quote(manifest?.schema_version)
      }; this scalebench reads version 1`,
    );
  }
  return manifest;
}

/** Read a run directory. Not a run directory → ValidationError naming it. */
export async function readRun(
  dir: string,
  options: { onWarning?: (msg: string) => void; monitor?: boolean } = {},
): Promise<RunData> {
  const warnings: string[] = [];
  const warn = (msg: string) => {
    warnings.push(msg);
    options.onWarning?.(msg);
  };
  const manifest = await readManifest(dir);
  const opath = join(dir, RUN_FILES.observations);
  const observations = parseJsonl<Observation>(await readOptional(opath), {
    file: opath,
    onWarning: warn,
    validate: toObservation,
  });
  const monPath = join(dir, RUN_FILES.monitor);
  const monitor = options.monitor === false
    ? []
    : parseJsonl<MonitorSample>(await readOptional(monPath), {
      file: monPath,
      onWarning: warn,
      validate: toMonitorSample,
    });
  return { dir, manifest, observations, monitor, warnings };
}

/** Identity of an observation for `--resume`: point, operation, repetition, warm-up. */
export function observationKey(
  o: { cores: number; op: string; rep: number; warmup: boolean },
): string {
  return `${o.cores}|${o.op}|${o.rep}|${o.warmup ? "w" : "m"}`;
}
