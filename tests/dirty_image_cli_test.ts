/**
 * dirty-image through the CLI: `data vis` then `run dirty-image` on the store (a directory, then
 * the same served over http by a plain static file server), and one plain line with exit 2 for
 * each kind of bad input.
 */
import { assert, assertEquals } from "../core/_assert.ts";
import { cli } from "./_cli.ts";

const FIXTURE = new URL("./testdata/cngi_vis.zarr", import.meta.url).pathname;

interface Obs {
  ok: boolean;
  error: string | null;
  cores: number;
  size: number;
  unit: string | null;
  rate: number | null;
}

async function observations(runDir: string): Promise<Obs[]> {
  const text = await Deno.readTextFile(`${runDir}/observations.jsonl`);
  return text.trim().split("\n").map((l) => JSON.parse(l));
}

/** A static file server for `root` on 127.0.0.1; 404 for anything missing. */
function serveDir(root: string): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    if (path.includes("..")) return new Response("bad", { status: 400 });
    try {
      return new Response(await Deno.readFile(root + path));
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
}

Deno.test("data vis, then run dirty-image on it -c 1,2 -r 2: every check passes", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "dirty_image_cli_" });
  const gen = await cli([
    "data",
    "vis",
    "-o",
    `${tmp}/v.zarr`,
    "--antennas",
    "16",
    "--times",
    "20",
    "--chans",
    "32",
    "--pols",
    "2",
  ]);
  assertEquals(gen.code, 0, gen.stderr);
  assert(
    gen.stderr.includes(
      "16 antennas → 120 baselines × 20 times × 32 channels × 2 pols = 153,600 visibilities",
    ),
    gen.stderr,
  );
  assert(gen.stderr.includes("written 100% (8/8 chunk files)"), gen.stderr);
  const run = await cli([
    "run",
    "dirty-image",
    "--set",
    `store=${tmp}/v.zarr`,
    "-c",
    "1,2",
    "-r",
    "2",
    "-o",
    `${tmp}/results`,
    "--json",
  ]);
  assertEquals(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout.trim().split("\n").pop()!);
  assertEquals([summary.observations, summary.failed], [4, 0]);
  const obs = await observations(summary.run_dir);
  assertEquals(obs.map((o) => [o.cores, o.ok, o.error, o.size, o.unit]), [
    [1, true, null, 153600, "Mvis/s"],
    [1, true, null, 153600, "Mvis/s"],
    [2, true, null, 153600, "Mvis/s"],
    [2, true, null, 153600, "Mvis/s"],
  ]);
  assert(obs.every((o) => o.rate! > 0));
  // the same store again: refused without --force, replaced with it
  const again = await cli(["data", "vis", "-o", `${tmp}/v.zarr`]);
  assertEquals([again.code, again.stderr.trim()], [
    2,
    `Store '${tmp}/v.zarr' already exists (add --force to replace it)`,
  ]);

  // over http, from a plain static file server
  const server = serveDir(tmp);
  try {
    const url = `http://127.0.0.1:${server.addr.port}/v.zarr`;
    const remote = await cli([
      "run",
      "dirty-image",
      "--set",
      `store=${url}`,
      "-c",
      "1,2",
      "-r",
      "2",
      "-o",
      `${tmp}/results`,
      "--json",
    ]);
    assertEquals(remote.code, 0, remote.stderr);
    const rs = JSON.parse(remote.stdout.trim().split("\n").pop()!);
    assertEquals([rs.observations, rs.failed], [4, 0]);
    assertEquals((await observations(rs.run_dir)).map((o) => [o.ok, o.size]), [
      [true, 153600],
      [true, 153600],
      [true, 153600],
      [true, 153600],
    ]);
  } finally {
    await server.shutdown();
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("run dirty-image on the xarray-written CNGI fixture: every check passes", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "dirty_image_fixture_" });
  const run = await cli([
    "run",
    "dirty-image",
    "--set",
    `store=${FIXTURE}/xds0`,
    "--set",
    "imsize=64",
    "--set",
    "cell=0.2",
    "-c",
    "2",
    "--layout",
    "ranks",
    "-r",
    "1",
    "-o",
    tmp,
    "--json",
  ]);
  assertEquals(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout.trim().split("\n").pop()!);
  const obs = await observations(summary.run_dir);
  assertEquals(obs.map((o) => [o.cores, o.ok, o.size]), [[2, true, 8 * 15 * 6 * 2]]);
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("bad input to dirty-image and data vis: one plain line on stderr, exit 2", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "dirty_image_bad_" });
  const gen = await cli([
    "data",
    "vis",
    "-o",
    `${tmp}/v.zarr`,
    "--antennas",
    "4",
    "--times",
    "3",
    "--chans",
    "4",
  ]);
  assertEquals(gen.code, 0, gen.stderr);
  const spoil = async (
    name: string,
    edit: (md: Record<string, Record<string, unknown>>) => void,
  ) => {
    const dir = `${tmp}/${name}.zarr`;
    await Deno.mkdir(dir);
    for await (const e of Deno.readDir(`${tmp}/v.zarr`)) {
      if (e.isFile) await Deno.copyFile(`${tmp}/v.zarr/${e.name}`, `${dir}/${e.name}`);
    }
    const doc = JSON.parse(await Deno.readTextFile(`${dir}/.zmetadata`));
    edit(doc.metadata);
    await Deno.writeTextFile(`${dir}/.zmetadata`, JSON.stringify(doc));
    return dir;
  };
  const shape = await spoil("shape", (md) => (md["FLAG/.zarray"].shape = [3, 6, 5, 2]));
  const lzma = await spoil(
    "lzma",
    (md) => (md["DATA/.zarray"].compressor = { id: "lzma", preset: 6 }),
  );
  const run = (...sets: string[]) =>
    cli(["run", "dirty-image", ...sets.flatMap((s) => ["--set", s]), "-c", "1", "-o", tmp]);
  const cases: [Promise<{ code: number; stderr: string }>, string][] = [
    [run(`store=${tmp}/nope.zarr`), `Store '${tmp}/nope.zarr' does not exist`],
    [
      run(`store=${FIXTURE}`),
      `Store '${FIXTURE}' has no variable 'DATA' (found: none; give the group that holds the visibilities, e.g. vis.zarr/xds0)`,
    ],
    [
      run(`store=${shape}`),
      `Store '${shape}': array 'FLAG' has shape (3, 6, 5, 2), expected (3, 6, 4, 2) to match DATA (time, baseline, chan, pol) = (3, 6, 4, 2)`,
    ],
    [
      run(`store=${lzma}`),
      `Store '${lzma}': array 'DATA' uses compressor 'lzma', which scalebench cannot decode (supported: blosc (lz4, lz4hc, zstd, zlib, blosclz, snappy), zstd, zlib, gzip, lz4, none)`,
    ],
    [run("imsize=0"), "Parameter 'imsize' of workload 'dirty-image' must be ≥ 1 (got '0')"],
    [run("imsize=-5"), "Parameter 'imsize' of workload 'dirty-image' must be ≥ 1 (got '-5')"],
    [
      run(`store=${tmp}/v.zarr`, "cell=1"),
      "Parameter 'cell' of workload 'dirty-image' is too large for store",
    ],
    [
      run("sources=1,2"),
      "Parameter 'sources' of workload 'dirty-image' must be 'l,m,flux;…' with l and m in arcseconds and flux in Jy (got '1,2')",
    ],
    [
      cli(["data", "vis", "-o", `${tmp}/x.zarr`, "--pols", "3"]),
      "Flag --pols must be 1, 2 or 4 (got '3')",
    ],
    [
      cli(["data", "vis", "-o", `${tmp}/x.zarr`, "--chunks", "1,2,3"]),
      "Flag --chunks must be four integers time,baseline,chan,pol (0: whole axis) (got '1,2,3')",
    ],
    [
      cli(["data", "vis", "-o", `${tmp}/x.zarr`, "--antennas", "1"]),
      "Flag --antennas must be an integer in 2..10000 (got '1')",
    ],
  ];
  for (const [pending, message] of cases) {
    const r = await pending;
    const lines = r.stderr.trim().split("\n");
    assertEquals(r.code, 2, `${message}: ${r.stderr}`);
    assertEquals(lines.length, 1, r.stderr);
    assert(lines[0].startsWith(message), `expected ${message}\n     got ${lines[0]}`);
  }
  await Deno.remove(tmp, { recursive: true });
});
