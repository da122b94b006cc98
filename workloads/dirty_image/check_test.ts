import { assert, assertEquals } from "../../core/_assert.ts";
import { channel } from "./_test_channel.ts";
import { checkChannel, type CheckReport, pickChannels } from "./check.ts";
import type { PointSource } from "./dft.ts";
import { Imager } from "./imager.ts";

const ARCSEC = Math.PI / 180 / 3600;
const IMAGING = {
  imsize: 128,
  cell: 0.02 * ARCSEC,
  padding: 1.2,
  support: 7,
  oversampling: 100,
  pols: 2,
};
const SOURCES: PointSource[] = [{ l: 0, m: 0, flux: 1 }, {
  l: 0.5 * ARCSEC,
  m: 0.3 * ARCSEC,
  flux: 0.5,
}];
const FREQ = 230e9;

function run(
  over: {
    sources?: PointSource[];
    truth?: PointSource[];
    spoil?: (img: Float32Array, sw: Float64Array) => void;
    ignoreFlags?: boolean;
  } = {},
): CheckReport {
  const input = channel(over.truth ?? SOURCES, {
    antennas: 14,
    times: 6,
    freq: FREQ,
    flagEvery: 9,
  });
  const image = new Float32Array(2 * 128 * 128);
  const res = new Imager(IMAGING).image(over.ignoreFlags ? { ...input, flag: null } : input, {
    freq: FREQ,
    out: image,
  });
  const sumWeight = Float64Array.from(res.sumWeight);
  over.spoil?.(image, sumWeight);
  const report: CheckReport = { failures: [], channels: 0, pixels: 0, worst: 0 };
  checkChannel(report, {
    chan: 3,
    image,
    sumWeight,
    input,
    freq: FREQ,
    imaging: IMAGING,
    sources: over.sources ?? SOURCES,
    polFlux: [1, 1],
    seed: 1,
  });
  return report;
}

Deno.test("checkChannel() passes a correct image: DFT agreement, centre value, positions", () => {
  const r = run();
  assertEquals(r.failures, []);
  assertEquals([r.channels, r.pixels], [1, 2 * (1 + 2 + 8)]);
  assert(r.worst < 1e-4, `worst ${r.worst}`);
});

Deno.test("checkChannel() fails a pixel that is off by 1e-2", () => {
  const r = run({ spoil: (img) => (img[64 * 128 + 64] += 0.01) });
  assert(
    r.failures.some((f) => f.startsWith("channel 3 pol 0 pixel (64, 64): image")),
    r.failures.join("\n"),
  );
  assert(
    r.failures.some((f) => f.startsWith("channel 3 pol 0: centre pixel")),
    r.failures.join("\n"),
  );
});

Deno.test("checkChannel() fails an image made with the flags ignored", () => {
  const r = run({ ignoreFlags: true });
  assert(r.failures.some((f) => f.includes("(flags not applied?)")), r.failures.join("\n"));
  assert(r.failures.some((f) => f.includes("vs direct Fourier transform")), r.failures.join("\n"));
});

Deno.test("checkChannel() fails a source that is not where the store says it is", () => {
  // the data hold the second source 1.5 pixels east of where the metadata put it
  const truth = [SOURCES[0], { ...SOURCES[1], l: SOURCES[1].l + 1.5 * 0.02 * ARCSEC }];
  const r = run({ truth });
  assert(
    r.failures.some((f) =>
      /^channel 3: source 2 found at pixel \(.*\), 1\.\d\d px from its true position/.test(f)
    ),
    r.failures.join("\n"),
  );
});

Deno.test("pickChannels() checks every channel when cheap, else an even spread of at least 2", () => {
  assertEquals(pickChannels([4, 8], { rows: 100, budget: 1e9 }), [4, 5, 6, 7]);
  assertEquals(pickChannels([0, 100], { rows: 1e6, budget: 1 }), [0, 99]);
  assertEquals(pickChannels([0, 7], { rows: 1, budget: 3 * 111 }), [0, 3, 6]);
  assertEquals(pickChannels([3, 3], { rows: 1, budget: 1 }), []);
});
