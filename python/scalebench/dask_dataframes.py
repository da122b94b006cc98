"""dask-bench's dataframe operations (modules/weakscaling/dfs.py) run with Dask on the point's
cluster, each timed by scalebench's `observe` and checked after its timed part.

The frame has 6 int64 columns col_0 … col_5 of random values in [0, 1e5) and N rows in
partitions of N / 2n rows (dask-bench's rule), N = SCALEBENCH_PARAM_ROWS (already grown by the
weak rule: rows · cores), n = SCALEBENCH_CORES. The checks compare each result with NumPy on the
frame gathered once on the client (untimed): exact integer sums for the std, bincount for the
group means, sorted rows for the group-by apply and the ordering.

Run by the `dask-dataframes` workload as ``python -m scalebench.dask_dataframes`` on rank 0 of a point
(``--engine dask``); ``SCALEBENCH_OPS`` (``--ops``, one a line) limits the operations it records
(the first one still runs, untimed, when the others need its result).
"""

import math
import os
import sys
from fractions import Fraction

import dask.array as da
import dask.dataframe as dd
import numpy as np
from distributed import wait

from scalebench import param
from scalebench._suite import main, run_operations

HIGH = 100_000
COLS = [f"col_{i}" for i in range(6)]


def plus_one(part):
    return part + 1


def exact_std(v):
    """Sample std (ddof = 1, as pandas) of an int64 vector, from exact Python-int sums."""
    n = len(v)
    s1 = int(v.sum())
    s2 = int((v.astype(object) * v.astype(object)).sum())
    return math.sqrt(Fraction(s2 * n - s1 * s1, n * (n - 1)))


def group_means(ref, key, col):
    counts = np.bincount(ref[:, key], minlength=HIGH)
    sums = np.bincount(ref[:, key], weights=ref[:, col].astype(np.float64), minlength=HIGH)
    keys = np.nonzero(counts)[0]
    return keys, sums[keys] / counts[keys]


def sorted_rows(a):
    a = np.asarray(a, dtype=np.int64)
    return a[np.lexsort(a.T[::-1])]


def close(a, b, tol=1e-9):
    return np.allclose(a, b, rtol=tol, atol=0)


def run(ops):
    N = param("rows", 3000, int)
    n = int(os.environ.get("SCALEBENCH_CORES", "1"))
    mb = N * len(COLS) * 8 / 1e6
    state = {}

    def create(o):
        x = da.random.randint(0, HIGH, size=(N, len(COLS)), chunks=(max(1, N // (2 * n)), 6))
        df = dd.from_dask_array(x, columns=COLS).persist()
        wait(df)
        o.stop()
        state["df"] = df
        ref = df.compute().to_numpy()
        state["ref"] = ref
        o.check(ref.shape == (N, 6), f"the frame is {ref.shape[0]} × {ref.shape[1]}, not {N} × 6")
        o.check(list(df.columns) == COLS, f"columns are {list(df.columns)}")
        lo, hi = int(ref.min()), int(ref.max())
        o.check(0 <= lo and hi < HIGH, f"values span [{lo}, {hi}], expected [0, {HIGH})")

    def blockwise(o):
        df = state["df"]
        df2 = df.map_partitions(plus_one).persist()
        wait(df2)
        o.stop()
        bad = int((df2 - df != 1).sum().sum().compute())
        o.check(bad == 0, f"df + 1 differs from df by something else than 1 at {bad} cells")

    def access(o):
        row = state["df"].loc[42].compute()
        o.stop()
        want = state["ref"][42]
        o.check(len(row) == 1, f"df.loc[42] has {len(row)} rows, expected 1")
        got = row.to_numpy()[0] if len(row) else None
        o.check(got is not None and (got == want).all(), f"df.loc[42] is {got}, expected {want}")

    def std(o):
        s = state["df"].std().compute()
        o.stop()
        ref = [exact_std(state["ref"][:, c]) for c in range(6)]
        o.check(close(s.to_numpy(), ref), f"std is {list(s)}, the exact values are {ref}")

    def series_std(o):
        s = float(state["df"]["col_0"].std().compute())
        o.stop()
        ref = exact_std(state["ref"][:, 0])
        o.check(close(s, ref), f"col_0.std() is {s!r}, the exact value is {ref!r}")

    def groupby(o):
        g = state["df"].groupby("col_1")["col_0"].mean().compute().sort_index()
        o.stop()
        keys, means = group_means(state["ref"], 1, 0)
        o.check(np.array_equal(g.index.to_numpy(), keys), f"{len(g)} groups, expected {len(keys)}")
        o.check(len(g) == len(keys) and close(g.to_numpy(), means), "group means differ")

    def groupby2(o):
        g = state["df"].groupby("col_1")[["col_0", "col_2"]].mean().compute().sort_index()
        o.stop()
        keys, m0 = group_means(state["ref"], 1, 0)
        _, m2 = group_means(state["ref"], 1, 2)
        o.check(np.array_equal(g.index.to_numpy(), keys), f"{len(g)} groups, expected {len(keys)}")
        ok = len(g) == len(keys) and close(g["col_0"], m0) and close(g["col_2"], m2)
        o.check(ok, "group means of col_0 and col_2 differ")

    def groupby_apply(o):
        df = state["df"]
        r = df.groupby("col_1").apply(plus_one, meta=df._meta).compute()
        o.stop()
        o.check(len(r) == N, f"the result has {len(r)} rows, expected {N}")
        same = len(r) == N and np.array_equal(sorted_rows(r[COLS]), sorted_rows(state["ref"] + 1))
        o.check(same, "the rows of groupby(col_1).apply(x + 1) are not those of df + 1")

    def order(o):
        s = state["df"].sort_values("col_1").persist()
        wait(s)
        o.stop()
        got = s.compute()[COLS].to_numpy()
        key = got[:, 1]
        o.check(len(got) == N, f"the sorted frame has {len(got)} rows, expected {N}")
        o.check(bool(np.all(key[1:] >= key[:-1])), "col_1 is not in ascending order")
        same = len(got) == N and np.array_equal(sorted_rows(got), sorted_rows(state["ref"]))
        o.check(same, "the sorted frame's rows are not the frame's rows")

    table = [
        ("create random dataframe", "MB", mb, create),
        ("block-wise operation", "MB", mb, blockwise),
        ("random access", "bytes", 8, access),
        ("reduction operation (std)", "MB", mb, std),
        ("series reduction operation (std)", "MB", mb, series_std),
        ("group-by operation", "MB", mb, groupby),
        ("group-by operation (2 columns)", "MB", mb, groupby2),
        ("group-by apply operation", "MB", mb, groupby_apply),
        ("order data", "MB", mb, order),
    ]
    return run_operations(table, ops)


if __name__ == "__main__":
    sys.exit(main(run))
