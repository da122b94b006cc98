import { assert, assertAlmostEquals, assertEquals } from "../../core/_assert.ts";
import { channel } from "./_test_channel.ts";
import { dftChannel } from "./dft.ts";
import { Fft2d } from "./fft.ts";
import { packPair } from "./gridding.ts";
import { Imager, lmToPixel, paddedSize, pixelToLm } from "./imager.ts";

const ARCSEC = Math.PI / 180 / 3600;

const OPTS = {
  imsize: 200,
  cell: 0.02 * ARCSEC,
  padding: 1.2,
  support: 7,
  oversampling: 100,
  pols: 2,
};

Deno.test("paddedSize() pads by the factor and rounds to an even 5-smooth size", () => {
  assertEquals(paddedSize(500, 1.2), 600);
  assertEquals(paddedSize(200, 1.2), 240);
  assertEquals(paddedSize(101, 1.0), 108);
});

Deno.test("Imager.image() puts a 1 Jy source at the phase centre at 1.0 in the centre pixel", () => {
  const imager = new Imager(OPTS);
  const input = channel([{ l: 0, m: 0, flux: 1 }], {
    antennas: 12,
    times: 8,
    freq: 230e9,
    flagEvery: 7,
  });
  const out = new Float32Array(2 * 200 * 200);
  const res = imager.image(input, { freq: 230e9, out });
  assertEquals(res.dropped, 0);
  for (let p = 0; p < 2; p++) {
    const plane = out.subarray(p * 40000, (p + 1) * 40000);
    assertAlmostEquals(plane[100 * 200 + 100], 1, 1e-4, `pol ${p}`);
    let max = -Infinity, at = -1;
    plane.forEach((v, i) => v > max && ((max = v), (at = i)));
    assertEquals(at, 100 * 200 + 100);
  }
});

Deno.test("Imager.image() matches the direct Fourier transform everywhere within 1e-3 of the peak", () => {
  const imager = new Imager(OPTS);
  const sources = [{ l: 0, m: 0, flux: 1 }, { l: 1.234 * ARCSEC, m: -0.817 * ARCSEC, flux: 0.5 }];
  const input = channel(sources, { antennas: 16, times: 10, freq: 230e9, flagEvery: 5 });
  const out = new Float32Array(2 * 200 * 200);
  imager.image(input, { freq: 230e9, out });
  const pix: [number, number][] = [];
  for (let i = 0; i < 200; i += 13) for (let j = 0; j < 200; j += 17) pix.push([i, j]);
  pix.push([0, 0], [199, 199], [0, 199], [199, 0], [100, 100]);
  const points = new Float64Array(pix.flatMap(([ix, iy]) => pixelToLm(ix, iy, OPTS)));
  const dft = dftChannel(input, { freq: 230e9, pols: 2, points, model: sources });
  let worst = 0;
  pix.forEach(([ix, iy], i) => {
    for (let p = 0; p < 2; p++) {
      const v = out[p * 40000 + iy * 200 + ix];
      worst = Math.max(worst, Math.abs(v - dft.data[i * 2 + p]));
      // the data are the model: flagged garbage must not have been imaged
      assertAlmostEquals(dft.data[i * 2 + p], dft.model![i * 2 + p], 1e-5);
    }
  });
  assert(worst < 1e-3, `worst deviation from the DFT: ${worst}`);
  const [sx, sy] = lmToPixel(sources[1].l, sources[1].m, OPTS);
  assertEquals([Math.round(sx), Math.round(sy)], [38, 59]);
});

Deno.test("Imager.image() ignores flagged visibilities: same image as with them removed", () => {
  const imager = new Imager(OPTS);
  const input = channel([{ l: 0.3 * ARCSEC, m: 0.1 * ARCSEC, flux: 2 }], {
    antennas: 8,
    times: 4,
    freq: 100e9,
    flagEvery: 3,
  });
  const a = new Float32Array(2 * 40000), b = new Float32Array(2 * 40000);
  imager.image(input, { freq: 100e9, out: a });
  const clean = { ...input, data: input.data.slice(), weight: input.weight!.slice(), flag: null };
  input.flag!.forEach((f, i) => {
    if (f) {
      clean.weight[i] = 0;
      clean.data[2 * i] = NaN;
    }
  });
  imager.image(clean, { freq: 100e9, out: b });
  assertEquals(a, b);
});

Deno.test("Imager.image() gives, bit for bit, the crop of the whole transposed spectrum", () => {
  // the strips of Fft2d.runStrips must cover every pixel once, with the same arithmetic as
  // transforming the whole grid (runTransposed) and cropping it afterwards
  const imager = new Imager(OPTS);
  const input = channel([{ l: 0.3 * ARCSEC, m: 0.2 * ARCSEC, flux: 1 }], {
    antennas: 10,
    times: 6,
    freq: 230e9,
    flagEvery: 4,
  });
  const out = new Float32Array(2 * 200 * 200);
  const stats = imager.image(input, { freq: 230e9, out });
  const n = imager.n, z = new Float64Array(2 * n * n);
  const rows = packPair(imager.grid, z, { n, pols: 2, a: 0, b: 1, row0: 0, row1: n });
  const t = new Fft2d(n, 1).runTransposed(z, rows);
  const { q, inv } = imager.crop;
  const want = new Float32Array(2 * 200 * 200);
  for (let ix = 0; ix < 200; ix++) {
    for (let iy = 0; iy < 200; iy++) {
      const at = 2 * (q[ix] * n + q[iy]), f = inv[ix] * inv[iy];
      want[iy * 200 + ix] = t[at] * f * (1 / (2 * stats.sumWeight[0]));
      want[40000 + iy * 200 + ix] = t[at + 1] * f * (1 / (2 * stats.sumWeight[1]));
    }
  }
  assert(stats.sumWeight[0] > 0 && stats.sumWeight[1] > 0);
  assertEquals(out, want);
});
