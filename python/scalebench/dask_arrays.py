"""dask-bench's array operations (modules/weakscaling/arrays.py) run with Dask on the point's
cluster, each timed by scalebench's `observe` and checked after its timed part.

The array is N × N random int64 in [0, 1e5) in chunks of N/√n (dask-bench's rule), N =
SCALEBENCH_PARAM_SIZE (already grown by the weak rule: size · √cores), n = SCALEBENCH_CORES.
Checks never gather the array on the client: exact integer sums per block (Python ints, no
rounding) give the reference std, sin² + cos² is compared with 1, x + xᵀ with its transpose.

Run by the `dask-arrays` workload as ``python -m scalebench.dask_arrays`` on rank 0 of a point
(``--engine dask``); ``SCALEBENCH_OPS`` (``--ops``, one a line) limits the operations it records
(the first one still runs, untimed, when the others need its result).
"""

import math
import os
import sys
from fractions import Fraction

import dask
import dask.array as da
import numpy as np
from distributed import wait

from scalebench import param
from scalebench._suite import main, run_operations

HIGH = 100_000


def inc(x):
    return x + 1


def block_sums(b):
    """Exact sum and sum of squares of one block (int64 is exact for chunks < 9e8 elements)."""
    b = b.astype(np.int64)
    return np.array([[[int(b.sum()), int((b * b).sum())]]], dtype=object)


def exact_moments(x):
    parts = x.map_blocks(block_sums, dtype=object, chunks=(1, 1, 2), new_axis=2)
    got = parts.compute().reshape(-1, 2)
    return sum(int(s) for s in got[:, 0]), sum(int(s) for s in got[:, 1])


def rel_err(a, b):
    return abs(a - b) / max(abs(b), 1e-300)


def run(ops):
    N = param("size", 5000, int)
    n = int(os.environ.get("SCALEBENCH_CORES", "1"))
    chunk = max(1, int(N / math.sqrt(n)))
    mb = N * N * 8 / 1e6
    state = {}

    def create(o):
        x = da.random.randint(0, HIGH, size=(N, N), chunks=(chunk, chunk)).persist()
        wait(x)
        o.stop()
        state["x"] = x
        lo, hi = dask.compute(x.min(), x.max())
        o.check(x.shape == (N, N), f"shape is {x.shape}, expected ({N}, {N})")
        o.check(x.dtype == np.int64, f"dtype is {x.dtype}, expected int64")
        o.check(0 <= lo and hi < HIGH, f"values span [{lo}, {hi}], expected [0, {HIGH})")

    def blockwise(o):
        x = state["x"]
        y = x.map_blocks(inc, dtype=x.dtype).persist()
        wait(y)
        o.stop()
        bad = int((y - x != 1).sum().compute())
        o.check(bad == 0, f"x + 1 differs from x by something else than 1 at {bad} elements")

    def access(o):
        x = state["x"]
        v = x[42, 314].compute()
        o.stop()
        ref = x[40:44, 310:318].compute()[2, 4]
        o.check(v == ref, f"x[42, 314] is {v}, the block around it holds {ref}")

    def std(o):
        x = state["x"]
        s = float(x.std().compute())
        o.stop()
        s1, s2 = exact_moments(x)
        m = N * N
        ref = math.sqrt(Fraction(s2 * m - s1 * s1, m * m))
        o.check(rel_err(s, ref) < 1e-9, f"std is {s!r}, the exact value is {ref!r}")

    def std_axis(o):
        x = state["x"]
        s = x.std(axis=0).compute()
        o.stop()
        s1, s2 = dask.compute(x.sum(axis=0), (x * x).sum(axis=0))
        ref = np.sqrt((s2 - s1.astype(np.float64) ** 2 / N) / N)
        o.check(s.shape == (N,), f"std(axis=0) has shape {s.shape}, expected ({N},)")
        err = float(np.max(np.abs(s - ref) / ref)) if s.shape == ref.shape else math.inf
        o.check(err < 1e-9, f"std(axis=0) is off by a relative {err:.3g} from exact column sums")

    def elementwise(o):
        x = state["x"]
        y = (da.sin(x) ** 2 + da.cos(x) ** 2).persist()
        wait(y)
        o.stop()
        err = float(abs(y - 1).max().compute())
        o.check(err < 1e-12, f"sin² + cos² is off from 1 by up to {err:.3g}")

    def transpose(o):
        x = state["x"]
        y = (x + x.T).persist()
        wait(y)
        o.stop()
        asym = int((y != y.T).sum().compute())
        o.check(asym == 0, f"x + xᵀ is not symmetric at {asym} elements")
        rng = np.random.default_rng(N)
        i, j = rng.integers(0, N, 64), rng.integers(0, N, 64)
        got, a, b = dask.compute(y.vindex[i, j], x.vindex[i, j], x.vindex[j, i])
        bad = int(np.sum(got != a + b))
        o.check(bad == 0, f"x + xᵀ differs from x[i, j] + x[j, i] at {bad} of 64 samples")

    table = [
        ("create random 2D-array", "MB", mb, create),
        ("block-wise operation", "MB", mb, blockwise),
        ("random access", "bytes", 8, access),
        ("reduction operation (std)", "MB", mb, std),
        ("reduction (std) along axis", "MB", mb, std_axis),
        ("elementwise computation", "MB", mb, elementwise),
        ("sum the transpose", "MB", mb, transpose),
    ]
    return run_operations(table, ops)


if __name__ == "__main__":
    sys.exit(main(run))
