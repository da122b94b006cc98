// `scalebench image --dask`: the rank image gets Debian's Python with Dask and scalebench's
// python/ package on PYTHONPATH (what --engine dask runs in a pod); without it, nothing of Dask.
import assert from "node:assert/strict";
import { containerfile, IMAGE_DEFAULTS } from "../cli/image.ts";

Deno.test("containerfile() with dask installs python3-distributed and puts python/ on PYTHONPATH", () => {
  const text = containerfile({ ...IMAGE_DEFAULTS, dask: true });
  const lines = text.split("\n");
  const install = lines.findIndex((l) => l.includes("python3-distributed"));
  assert.ok(install > 0, text);
  assert.match(
    lines[install],
    /apt-get install -y --no-install-recommends python3 python3-distributed python3-dask/,
  );
  assert.match(lines[install + 1], /python3-numpy python3-pandas/);
  assert.ok(lines.includes('COPY ["python", "/opt/scalebench/python"]'));
  assert.ok(lines.includes("ENV PYTHONPATH=/opt/scalebench/python"));
  // installed as root, before the image drops to its user
  assert.ok(install < lines.indexOf("USER 10001"));
  const plain = containerfile(IMAGE_DEFAULTS);
  assert.doesNotMatch(plain, /python3|PYTHONPATH/);
});
