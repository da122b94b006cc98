import assert from "node:assert/strict";
import { frame, jitterOffsets, renderChart } from "./_chart.ts";
import { loadInput } from "./load.ts";
import { analyzeRun } from "./model.ts";
import { amdahlTime } from "./fits.ts";
import { bounds } from "./_format.ts";
import { coresAxis, curves, opChart, overviewChart, seriesStyle } from "./plots.ts";
import type { Chart, Layer, LineLayer, MarksLayer } from "./_chart.ts";

const FIXTURES = new URL("../tests/testdata/runs/", import.meta.url).pathname;

async function op(name: string) {
  const [src] = await loadInput(`${FIXTURES}${name}`);
  const a = analyzeRun(src);
  return { a, op: a.ops[0] };
}

function layer<T extends Layer["kind"]>(c: Chart, kind: T, name: string) {
  const l = c.layers.find((x) => x.kind === kind && x.name === name);
  assert.ok(l, `layer ${kind} ${name} missing`);
  return l as Extract<Layer, { kind: T }>;
}

Deno.test("opChart() plots the model's medians, speedups and efficiencies exactly", async () => {
  const { op: o } = await op("amdahl-s02");
  const pts = o.points;
  const t0 = pts[0].summary!.median;
  const time = opChart(o, "time", { mode: "strong" })!.chart;
  assert.deepEqual(
    (layer(time, "marks", "medians") as MarksLayer).points.map((p) => [p.x, p.y]),
    pts.map((p) => [p.cores, p.summary!.median]),
  );
  const speed = opChart(o, "speedup", { mode: "strong" })!.chart;
  assert.deepEqual(
    (layer(speed, "marks", "medians") as MarksLayer).points.map((p) => p.y),
    pts.map((p) => t0 / p.summary!.median),
  );
  assert.deepEqual(
    (layer(speed, "marks", "medians") as MarksLayer).points.map((p) => p.y),
    pts.map((p) => p.speedup),
  );
  const eff = opChart(o, "efficiency", { mode: "strong" })!.chart;
  assert.deepEqual(
    (layer(eff, "marks", "medians") as MarksLayer).points.map((p) => p.y),
    pts.map((p) => p.efficiency),
  );
  // the CI bars are the summary's interval
  const ci = layer(time, "errorbars", "ci").points;
  assert.deepEqual(
    ci.map((c) => [c.lo, c.hi]),
    pts.map((p) => [p.summary!.ci!.lo, p.summary!.ci!.hi]),
  );
  // the speedup's bars are the model's interval of the speedup (none at the reference point)
  assert.deepEqual(
    layer(speed, "errorbars", "ci").points.map((c) => [c.x, c.lo, c.hi]),
    pts.slice(1).map((p) => [p.cores, ...bounds(p.intervals.speedup)!]),
  );
  // axes: log₂ cores ticked at the measured core counts; speedup log–log; efficiency linear
  assert.deepEqual(time.x, coresAxis([1, 2]));
  assert.deepEqual(time.x.ticks, [1, 2]);
  assert.equal(speed.y.type, "log");
  assert.equal(eff.y.type, "linear");
  assert.deepEqual(eff.y.include, [0, 1]);
});

Deno.test("opChart() draws the fit curve from the fit and its band from the interval", async () => {
  const { op: o } = await op("amdahl-s02");
  const fit = o.fits.amdahl!;
  const time = opChart(o, "time", { mode: "strong" })!.chart;
  const line = layer(time, "line", "amdahl") as LineLayer;
  for (const [n, y] of line.points) assert.equal(y, amdahlTime(fit, n));
  const band = layer(time, "band", "amdahl band");
  const [c] = curves(o, "strong");
  const lo = Math.min(c.ci![0], c.ci![1]), hi = Math.max(c.ci![0], c.ci![1]);
  const t1 = fit.a + fit.b;
  band.points.forEach(([n, a, b], i) => {
    assert.equal(n, line.points[i][0]);
    assert.ok(Math.abs(a - t1 * (lo + (1 - lo) / n)) < 1e-12);
    assert.ok(Math.abs(b - t1 * (hi + (1 - hi) / n)) < 1e-12);
    assert.ok(a <= line.points[i][1] + 1e-12 && line.points[i][1] <= b + 1e-12);
  });
  // speedup: the same curve as t₀ / t(n); the ideal is the straight line n/n₀ on log–log
  const t0 = o.points[0].summary!.median;
  const speed = opChart(o, "speedup", { mode: "strong" })!.chart;
  for (const [n, y] of (layer(speed, "line", "amdahl") as LineLayer).points) {
    assert.equal(y, t0 / amdahlTime(fit, n));
  }
  for (const [n, y] of (layer(speed, "line", "ideal") as LineLayer).points) assert.equal(y, n);
  // the legend names the fit with its interval, in the report's one notation
  assert.match(
    time.legend.map((l) => l.label).join("|"),
    /Amdahl fit, s = 0\.\d+ \[0\.\d+, 0\.\d+\]/,
  );
});

Deno.test("opChart() keeps repetitions at their true core count and marks outliers with ×", async () => {
  const { a } = await op("arrays-kube");
  const o = a.ops.find((x) => x.points.some((p) => p.summary?.outliers.some(Boolean)))!;
  const time = opChart(o, "time", { mode: "weak" })!.chart;
  const reps = layer(time, "marks", "repetitions") as MarksLayer;
  const outs = layer(time, "marks", "outliers") as MarksLayer;
  assert.equal(
    reps.points.length + outs.points.length,
    o.points.reduce((s, p) => s + p.seconds.length, 0),
  );
  for (const m of [...reps.points, ...outs.points]) {
    assert.ok(o.points.some((p) => p.cores === m.x && p.seconds.includes(m.y)), `${m.x}, ${m.y}`);
  }
  assert.equal(outs.marker.shape, "times");
  const legend = Object.fromEntries(time.legend.map((l) => [l.label, l]));
  // legend symbols are the marks: line+marker, dash, hollow dot, ×, ring
  // five repetitions reach 93.75 % at most: the legend says the level the intervals have
  const median = time.legend[0];
  assert.match(median.label, /^median, [\d.–]+ % CI$/);
  assert.equal(median.marker?.shape, "circle");
  assert.ok(median.line);
  assert.equal(legend["ideal"].line?.dash, "5 4");
  assert.equal(legend["repetition"].marker?.filled, false);
  assert.equal(legend["outlier (Tukey)"].marker?.shape, "times");
  assert.equal(legend["noisy (CV > 10 %)"].marker?.r, 8);
});

Deno.test("jitterOffsets() spreads markers symmetrically within the bound", () => {
  assert.deepEqual(jitterOffsets(1, 5), [0]);
  assert.deepEqual(jitterOffsets(3, 4), [-4, 0, 4]);
});

Deno.test("renderChart() maps data to pixels and keeps every mark inside the plot", () => {
  const chart: Chart = {
    x: { type: "log", base: 2, label: "cores", ticks: [1, 2, 4, 8] },
    y: { type: "log", label: "time (s)" },
    layers: [{
      kind: "marks",
      name: "m",
      points: [{ x: 1, y: 8 }, { x: 2, y: 4 }, { x: 4, y: 2 }, { x: 8, y: 1 }],
      marker: { shape: "circle", r: 3, color: "#000" },
    }],
    legend: [{ label: "<b>median</b>", marker: { shape: "circle", r: 3, color: "#000" } }],
  };
  const svg = renderChart(chart, { standalone: true, caption: "Figure 1. A & B" });
  const f = frame(chart, 24, 26);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.ok(svg.includes("Figure 1. A &amp; B"));
  assert.ok(svg.includes("&lt;b&gt;median&lt;/b&gt;"));
  const xs = [...svg.matchAll(/data-x="([\d.]+)" data-y="([\d.]+)"/g)].map((
    m,
  ) => [Number(m[1]), Number(m[2])]);
  assert.deepEqual(xs, [[1, 8], [2, 4], [4, 2], [8, 1]]);
  // equal ratios are equal distances on log axes: 8, 4, 2, 1 sit on a straight line
  const px = [1, 2, 4, 8].map((v) => f.x.map(v)), py = [8, 4, 2, 1].map((v) => f.y.map(v));
  for (let i = 2; i < 4; i++) {
    assert.ok(Math.abs(px[i] - px[i - 1] - (px[1] - px[0])) < 1e-9);
    assert.ok(Math.abs(py[i] - py[i - 1] - (py[1] - py[0])) < 1e-9);
  }
  for (let i = 0; i < 4; i++) {
    assert.ok(px[i] > f.x.range[0] && px[i] < f.x.range[1]);
    assert.ok(py[i] < f.y.range[0] && py[i] > f.y.range[1]);
  }
});

Deno.test("overviewChart() gives each series its own colour, marker and dash", async () => {
  const { a } = await op("arrays-kube");
  const series = a.ops.map((o, i) => ({ name: o.op, style: seriesStyle(i), op: o }));
  const c = overviewChart(series, "efficiency", "weak")!;
  const items = c.legend.filter((l) => l.label !== "ideal");
  assert.equal(new Set(items.map((l) => l.marker!.shape)).size, items.length);
  assert.equal(new Set(items.map((l) => l.line!.color)).size, items.length);
});
