/**
 * dirty-image benchmark: gridding throughput (visibilities/s per thread) of the TypeScript gridder
 * against a C reference of the same loop compiled here with `gcc -O3` (bench/gridding_ref.c, built
 * into bench/out/; their grids must agree), and the whole workload's 1 → 2 thread strong-scaling
 * efficiency, median(t₁) / (2 · median(t₂)) over alternating rounds.
 *
 * Goals: TypeScript ≥ 0.7 × C on one thread; efficiency ≥ 0.95 on ngCASA-shaped channels (43
 * antennas: 903 baselines × 200 times per channel) and ≥ 0.85 on the small preset (120 baselines
 * × 60 times: the FFT dominates). What stays serial per repetition: each thread reads UVW,
 * FLAG_ROW, WEIGHT and its first block before it grids (~25 ms for ngCASA-shaped channels; the
 * real cube's 7680 channels amortise it), and the last cube write. On this 2-core VM the cube
 * writes of a 1-thread run take the idle core, while at 2 threads they compete with the imaging,
 * and the vCPUs share their host: the machine's own ceiling (two copies of the C loop at once) is
 * printed. Each run starts a new Worker for thread 1, cold, while the 1-thread runs reuse this
 * process's warm main thread: whatever the Worker's JIT still compiles in the timed repetitions
 * takes the core the other thread images on (that was most of the small preset's loss: see
 * imageChannels() in workloads/dirty_image/kernels.ts).
 *
 * `deno run -A bench/gridding_bench.ts [--quick]`
 *
 * @module
 */
import { runInProcess } from "../workloads/testing.ts";
import { median } from "../core/stats.ts";
import { hashUnit, VIS_DEFAULTS, visUvw, writeVis } from "../workloads/dirty_image/generator.ts";
import { DirectoryStore } from "../workloads/dirty_image/zarr_store.ts";
import { C_LIGHT } from "../workloads/dirty_image/dft.ts";
import { Imager } from "../workloads/dirty_image/imager.ts";
import { atLeast, BenchReport } from "./_figures.ts";

const quick = Deno.args.includes("--quick");
const report = new BenchReport("gridding");
const ARCSEC = Math.PI / 180 / 3600;
const out = new URL("./out/", import.meta.url).pathname;
await Deno.mkdir(out, { recursive: true });

// ---- inputs: an ngCASA-like block (43 antennas = 903 baselines), 4 channels, 2 pols ----
const antennas = 43, times = quick ? 50 : 200, chans = 4, pols = 2;
const opts = {
  ...VIS_DEFAULTS,
  antennas,
  times,
  chans,
  pols,
  chunks: [times, 903, chans, pols] as [number, number, number, number],
};
const uvw = visUvw(opts);
const rows = uvw.length / 3;
const freqs = Float64Array.from({ length: chans }, (_, c) => opts.freq + (c - 1.5) * 1e6);
const data = new Float32Array(rows * chans * pols * 2);
const flag = new Uint8Array(rows * chans * pols);
const weight = new Float32Array(rows * pols);
for (let r = 0; r < rows; r++) {
  for (let p = 0; p < pols; p++) weight[r * pols + p] = 0.5 + hashUnit(7, r, p, 0, 0);
  for (let c = 0; c < chans; c++) {
    const ph = (-2 * Math.PI * (uvw[3 * r] * 0.3 + uvw[3 * r + 1] * 0.2) * ARCSEC * freqs[c]) /
      C_LIGHT;
    for (let p = 0; p < pols; p++) {
      const i = (r * chans + c) * pols + p;
      flag[i] = hashUnit(3, r, c, p, 0) < 0.05 ? 1 : 0;
      data[2 * i] = Math.cos(ph);
      data[2 * i + 1] = Math.sin(ph);
    }
  }
}
const imaging = {
  imsize: 500,
  cell: 0.02 * ARCSEC,
  padding: 1.2,
  support: 7,
  oversampling: 100,
  pols,
};
const imager = new Imager(imaging);
const input = {
  data,
  flag,
  flagRow: null,
  weight,
  weightPerChan: false,
  uvw,
  rows,
  chans,
  chan: 0,
};

function gridAll(checksum: boolean): { gridded: number; sum: number } {
  let gridded = 0, sum = 0;
  for (let c = 0; c < chans; c++) {
    const st = imager.grid1({ ...input, chan: c }, freqs[c]);
    gridded += st.gridded;
    if (checksum) { for (let i = 0; i < imager.grid.length; i++) sum += imager.grid[i]; }
  }
  return { gridded, sum };
}

const first = gridAll(true);
for (let i = 0; i < 3; i++) gridAll(false); // warm-up

/** TypeScript gridding rate over a window of `ms` milliseconds (visibilities/s). */
function jsRateOnce(ms: number): { rate: number; reps: number } {
  let reps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    gridAll(false);
    reps++;
  }
  return { rate: (first.gridded * reps) / ((performance.now() - t0) / 1000), reps };
}
const { reps } = jsRateOnce(quick ? 300 : 1000);
let jsRate = 0;

// ---- C reference ----
const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const dir = `${out}gridding_inputs`;
await Deno.mkdir(dir, { recursive: true });
const scale = Float64Array.from(freqs, (f) => imager.scale(f));
await Deno.writeTextFile(`${dir}/params.txt`, `${imager.n} 7 100 ${rows} ${chans}\n`);
for (
  const [name, a] of Object.entries({
    scale,
    data,
    flag,
    weight,
    uvw,
    table: imager.spec.table,
    slopes: imager.spec.slopes,
  })
) {
  await Deno.writeFile(`${dir}/${name}.bin`, bytes(a));
}
let cLine = "C reference: not run";
let cRate = NaN, cSum = NaN;
const exe = `${out}gridding_ref`;
const src = new URL("./gridding_ref.c", import.meta.url).pathname;
const cReps = Math.max(3, Math.round(reps * 1.5));

/** One run of the C reference: seconds per repetition, checksum, visibilities gridded. */
async function runC(): Promise<[number, number, number]> {
  const run = await new Deno.Command(exe, { args: [dir, String(cReps)] }).output();
  const text = new TextDecoder().decode(run.stdout);
  const m = text.match(/seconds=([\d.e+-]+) checksum=([\d.e+-]+) gridded=(\d+)/);
  if (run.code !== 0 || !m) {
    throw new Error(`gridding_ref failed: ${new TextDecoder().decode(run.stderr)}${text}`);
  }
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/**
 * The machine's ceiling right now: the speed of each of two copies of the C loop run at once,
 * relative to one alone (1.00 = two free cores; host contention on the VM's vCPUs lowers it).
 */
async function machineCeiling(): Promise<number> {
  const [alone] = await runC();
  const both = await Promise.all([runC(), runC()]);
  return alone / ((both[0][0] + both[1][0]) / 2);
}

const ceilings: number[] = [];
try {
  const cc = await new Deno.Command("gcc", { args: ["-O3", "-o", exe, src, "-lm"] }).output();
  if (cc.code !== 0) throw new Error(new TextDecoder().decode(cc.stderr));
  // TypeScript and C alternately, best of 3 each: both see the same host conditions
  cRate = 0;
  for (let i = 0; i < 3; i++) {
    jsRate = Math.max(jsRate, jsRateOnce(quick ? 300 : 1000).rate);
    const [secs, sum, gridded] = await runC();
    cRate = Math.max(cRate, gridded / secs);
    cSum = sum;
  }
  cLine = `C reference (gcc -O3): ${(cRate / 1e6).toFixed(2)} Mvis/s per thread (best of 3)`;
  ceilings.push(await machineCeiling());
} catch (err) {
  jsRate ||= jsRateOnce(quick ? 300 : 1000).rate;
  cLine = `C reference: not run (${err instanceof Error ? err.message.split("\n")[0] : err})`;
}

console.log(
  `gridding input: ${rows} rows × ${chans} chans × ${pols} pols, ${imaging.imsize}² image, grid ${imager.n}², support 7, oversampling 100`,
);
report.info("TypeScript gridding, best of 3", jsRate / 1e6, { unit: "Mvis/s per thread" });
if (Number.isFinite(cRate)) {
  report.info("C gridding (gcc -O3), best of 3", cRate / 1e6, { unit: "Mvis/s per thread" });
  const same = Math.abs(first.sum - cSum) <= 1e-9 * Math.abs(cSum);
  report.check(
    "grid checksum TypeScript = C",
    same,
    `TypeScript ${first.sum.toPrecision(15)}, C ${cSum.toPrecision(15)} (relative tolerance 1e-9)`,
  );
  report.figure("gridding TypeScript / C", jsRate / cRate, { goal: atLeast(0.7), unit: "×" });
} else {
  report.skip(
    "gridding TypeScript / C",
    `${cLine} (the C reference needs gcc: apt-get install gcc)`,
  );
}

// ---- the whole workload: 1 and 2 threads, interleaved, several repetitions each ----
const ngStore = `${out}ngcasa_shaped.zarr`;
await Deno.remove(ngStore, { recursive: true }).catch(() => {});
const ngTimes = quick ? 40 : 200, ngChans = quick ? 8 : 64;
await writeVis(new DirectoryStore(ngStore), {
  ...VIS_DEFAULTS,
  antennas: 43,
  times: ngTimes,
  chans: ngChans,
  pols: 2,
  chunks: [ngTimes, 903, 4, 2],
});

async function workload(threads: number, params: Record<string, string>): Promise<number[]> {
  const recs = await runInProcess("dirty-image", {
    threads,
    reps: quick ? 2 : 4,
    warmup: 1,
    params,
  });
  const bad = recs.find((r) => !r.ok);
  if (bad) throw new Error(`dirty-image failed: ${bad.error}`);
  return recs.filter((r) => !r.warmup).map((r) => r.seconds!);
}

async function scaling(
  label: string,
  o: { params: Record<string, string>; goal: number },
): Promise<void> {
  const t: Record<number, number[]> = { 1: [], 2: [] };
  for (let round = 0; round < (quick ? 1 : 3); round++) {
    // alternate which goes first: neither always runs on a machine the other just warmed or loaded
    for (const threads of round % 2 ? [2, 1] : [1, 2]) {
      t[threads].push(...(await workload(threads, o.params)));
    }
  }
  const [m1, m2] = [median(t[1]), median(t[2])];
  const [b1, b2] = [Math.min(...t[1]), Math.min(...t[2])];
  report.figure(`${label}: efficiency 1 → 2 threads`, m1 / (2 * m2), {
    goal: atLeast(o.goal),
    detail: `median ${m1.toFixed(3)} s on 1 thread, ${m2.toFixed(3)} s on 2 (of ${
      t[1].length
    } each; best-of ${(b1 / (2 * b2)).toFixed(3)})`,
  });
}

await scaling(
  `ngCASA-shaped (903 baselines × ${ngTimes} times × ${ngChans} chans × 2 pols, 500² px)`,
  { params: { store: ngStore }, goal: 0.95 },
);
await scaling("preset small (120 baselines × 60 times × 32 chans × 2 pols, 500² px)", {
  params: { preset: "small" },
  goal: 0.85,
});
await Deno.remove(ngStore, { recursive: true });
if (Number.isFinite(cRate)) {
  ceilings.push(await machineCeiling());
  report.info("machine ceiling: two C loops at once, each vs one alone", Math.min(...ceilings), {
    detail: `1.00 = two free cores; before ${ceilings[0].toFixed(2)}, after ${
      ceilings[1].toFixed(2)
    }`,
  });
}
report.finish();
