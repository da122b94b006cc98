/**
 * `scalebench data vis`: write a synthetic visibility store for `dirty-image` — exact analytic
 * visibilities of point sources for an ALMA-like array, in the CNGI layout, as Zarr v2 (with
 * consolidated metadata, as xarray writes it) or Zarr v3. Sizes are printed before writing, then
 * a progress bar (plain lines when stderr is not a terminal).
 *
 * @module
 */
import process from "node:process";
import { Command, Option } from "@commander-js/extra-typings";
import cliProgress from "cli-progress";
import { quote, ValidationError } from "../core/errors.ts";
import type { VisOptions } from "../workloads/dirty_image/generator.ts";

function num(
  flag: string,
  text: string,
  opts: { int?: boolean; min?: number; max?: number } = {},
): number {
  const v = Number(text);
  const ok = text.trim() !== "" && Number.isFinite(v) && (!opts.int || Number.isInteger(v)) &&
    (opts.min === undefined || v >= opts.min) && (opts.max === undefined || v <= opts.max);
  if (!ok) {
    const range = opts.min !== undefined && opts.max !== undefined
      ? ` in ${opts.min}..${opts.max}`
      : opts.min !== undefined
      ? ` ≥ ${opts.min}`
      : "";
    throw new ValidationError(
      `Flag ${flag} must be ${opts.int ? "an integer" : "a number"}${range} (got ${quote(text)})`,
    );
  }
  return v;
}

/** `--chunks t,b,c,p`; 0 means the whole axis. */
export function parseChunks(text: string, dims: number[]): [number, number, number, number] {
  const parts = text.split(",").map((s) => s.trim());
  if (parts.length !== 4 || parts.some((p) => !/^\d+$/.test(p))) {
    throw new ValidationError(
      `Flag --chunks must be four integers time,baseline,chan,pol (0: whole axis) (got ${
        quote(text)
      })`,
    );
  }
  return parts.map((p, i) => Math.min(Number(p) || dims[i], dims[i])) as [
    number,
    number,
    number,
    number,
  ];
}

/** Bytes as a short human string. */
export function fmtBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

async function prepareOut(out: string, force: boolean): Promise<void> {
  let entries: string[];
  try {
    entries = [];
    for await (const e of Deno.readDir(out)) entries.push(e.name);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    if (err instanceof Deno.errors.NotADirectory) {
      throw new ValidationError(`Flag --out: ${quote(out, 200)} is a file, not a directory`);
    }
    throw err;
  }
  if (entries.length === 0) return;
  const zarr = entries.some((e) => [".zgroup", ".zmetadata", "zarr.json"].includes(e));
  if (!force || !zarr) {
    throw new ValidationError(
      zarr
        ? `Store ${quote(out, 200)} already exists (add --force to replace it)`
        : `Flag --out: ${quote(out, 200)} is a non-empty directory that is not a Zarr store`,
    );
  }
  await Deno.remove(out, { recursive: true });
}

async function duBytes(dir: string): Promise<number> {
  let total = 0;
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    total += e.isDirectory ? await duBytes(p) : (await Deno.stat(p)).size;
  }
  return total;
}

function progress(tty: boolean, total: number) {
  if (tty) {
    const bar = new cliProgress.SingleBar({
      format: " {bar} {percentage}% | {value}/{total} chunk files | ETA {eta_formatted}",
      stream: process.stderr,
      hideCursor: true,
    }, cliProgress.Presets.shades_classic);
    bar.start(total, 0);
    return { update: (done: number) => bar.update(done), stop: () => bar.stop() };
  }
  let shown = -1;
  return {
    update(done: number) {
      const pct = Math.floor((done / Math.max(1, total)) * 10) * 10;
      if (pct > shown) {
        shown = pct;
        console.error(`  written ${pct}% (${done}/${total} chunk files)`);
      }
    },
    stop() {},
  };
}

function visCommand() {
  return new Command("vis")
    .description(
      "Write a synthetic visibility store (CNGI layout: DATA, UVW, WEIGHT, FLAG, FLAG_ROW, chan) with " +
        "exact visibilities of point sources, for `run dirty-image --set store=DIR`",
    )
    .requiredOption("-o, --out <dir>", "Directory of the store to write")
    .option("--antennas <n>", "Antennas (baselines = n(n−1)/2)", "16")
    .option("--times <n>", "Integrations", "20")
    .option("--chans <n>", "Channels", "32")
    .option("--pols <n>", "Polarizations: 1, 2 (XX, YY) or 4 (XX, XY, YX, YY)", "2")
    .option("--chunks <t,b,c,p>", "Chunk shape (0: whole axis)", "0,0,8,0")
    .addOption(
      new Option("--format <v>", "Zarr format").choices(["v2", "v3"] as const).default(
        "v2" as const,
      ),
    )
    .option(
      "--compressor <name>",
      "blosc-lz4, blosc-zstd, zstd, zlib, gzip or none (:level)",
      "blosc-lz4",
    )
    .addOption(
      new Option("--dtype <t>", "DATA type").choices(["complex64", "complex128"] as const).default(
        "complex64" as const,
      ),
    )
    .option("--sources <list>", "Point sources 'l,m,flux;…' (arcsec, arcsec, Jy)", "0,0,1")
    .option(
      "--flag-fraction <f>",
      "Fraction of samples flagged (and a tenth of it as whole rows)",
      "0.05",
    )
    .option("--seed <n>", "Seed of the layout, flags and weights", "1")
    .option("--freq <GHz>", "Centre frequency", "230")
    .option("--bandwidth <GHz>", "Total bandwidth", "2")
    .option("--dec <deg>", "Declination of the phase centre", "-30")
    .option("--duration <hours>", "Observation length", "1")
    .option("--max-baseline <m>", "Longest baseline", "3600")
    .option("--weight-spectrum", "WEIGHT per channel (time, baseline, chan, pol)")
    .option("--force", "Replace an existing store")
    .action(async (o) => {
      // loaded here, so that other commands never fetch the Zarr packages (lazy-dynamic-imports)
      const { planVis, writeVis } = await import("../workloads/dirty_image/generator.ts");
      const { ARCSEC, parseSources } = await import("../workloads/dirty_image/presets.ts");
      const { DirectoryStore } = await import("../workloads/dirty_image/zarr_store.ts");
      const { parseCompressor } = await import("../workloads/dirty_image/zarr_write.ts");
      const antennas = num("--antennas", o.antennas, { int: true, min: 2, max: 10000 });
      const times = num("--times", o.times, { int: true, min: 1 });
      const chans = num("--chans", o.chans, { int: true, min: 1 });
      const pols = num("--pols", o.pols, { int: true, min: 1, max: 4 });
      if (pols === 3) throw new ValidationError(`Flag --pols must be 1, 2 or 4 (got '3')`);
      const baselines = (antennas * (antennas - 1)) / 2;
      const opts: VisOptions = {
        antennas,
        times,
        chans,
        pols,
        chunks: parseChunks(o.chunks, [times, baselines, chans, pols]),
        format: o.format === "v3" ? 3 : 2,
        compressor: parseCompressor(o.compressor),
        dtype: o.dtype,
        sources: parseSources(o.sources, "Flag --sources"),
        flagFraction: num("--flag-fraction", o.flagFraction, { min: 0, max: 0.99 }),
        seed: num("--seed", o.seed, { int: true, min: 0 }),
        freq: num("--freq", o.freq, { min: 1e-3 }) * 1e9,
        bandwidth: num("--bandwidth", o.bandwidth, { min: 0 }) * 1e9,
        dec: (num("--dec", o.dec, { min: -90, max: 90 }) * Math.PI) / 180,
        duration: num("--duration", o.duration, { min: 0 }) * 3600,
        maxBaseline: num("--max-baseline", o.maxBaseline, { min: 1 }),
        weightPerChan: Boolean(o.weightSpectrum),
      };
      if (opts.format === 3 && opts.compressor?.id === "zlib") {
        throw new ValidationError(
          "Flag --compressor zlib has no Zarr v3 codec: use gzip or zstd with --format v3",
        );
      }
      await prepareOut(o.out, Boolean(o.force));
      const plan = planVis(opts);
      const src = opts.sources
        .map((s) =>
          `${s.flux} Jy at (${+(s.l / ARCSEC).toFixed(4)}″, ${+(s.m / ARCSEC).toFixed(4)}″)`
        )
        .join(", ");
      console.error(
        `Writing ${o.out}: Zarr ${o.format}, ${o.compressor}, ${opts.dtype}\n` +
          `  ${antennas} antennas → ${baselines} baselines × ${times} times × ${chans} channels × ` +
          `${pols} pols = ${plan.visibilities.toLocaleString("en-US")} visibilities\n` +
          `  DATA ${fmtBytes(plan.dataBytes)}, all arrays ${
            fmtBytes(plan.totalBytes)
          } uncompressed, ` +
          `${plan.chunkFiles} chunk files of ${opts.chunks.join("×")}\n` +
          `  sources: ${src}; ${opts.flagFraction * 100}% of the samples flagged`,
      );
      const t0 = performance.now();
      const bar = progress(Deno.stderr.isTerminal(), plan.chunkFiles);
      try {
        await writeVis(new DirectoryStore(o.out), {
          ...opts,
          onProgress: (done) => bar.update(done),
        });
      } finally {
        bar.stop();
      }
      console.error(
        `Wrote ${o.out}: ${fmtBytes(await duBytes(o.out))} on disk in ${
          ((performance.now() - t0) / 1000).toFixed(1)
        } s`,
      );
    });
}

/** `scalebench data`: benchmark datasets. */
export function dataCommand() {
  return new Command("data")
    .description("Make benchmark datasets")
    .addCommand(visCommand());
}
