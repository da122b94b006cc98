"""dask-bench's weak-scaling operations, run with Dask itself (used by bench/dask_bench.ts).

Runs the `arrays` and `dataframes` operations of IsacPasianotto/dask-bench
(modules/weakscaling/arrays.py and dfs.py) in a LocalCluster of N worker processes with one
thread each, at the sizes scalebench's `arrays` and `dataframes` workloads use in weak mode:
arrays side int(SIZE * sqrt(n)), dataframes ROWS * n rows. Prints one JSON object a line:
{"collection", "op", "n", "rep", "seconds", "unit", "rate"}.

Usage: python3 dask_ops.py --cores 1,2 --reps 3 --size 5000 --rows 3000
"""

import argparse
import json
import math
import sys
import time
import warnings

import dask.array as da
import dask.dataframe as dd
from dask.distributed import Client, LocalCluster, wait


def inc(x):
    return x + 1


def array_ops(n, size):
    """dask-bench's array_tasks_provider: yields (name, unit, amount, thunk)."""
    N = int(size * math.sqrt(n))
    chunk = int(N / math.sqrt(n))
    state = {}

    def create():
        x = da.random.randint(0, 1e5, size=(N, N), chunks=(chunk, chunk))
        state["x"] = x.persist()
        wait(state["x"])

    def blockwise():
        y = state["x"].map_blocks(inc, dtype=state["x"].dtype).persist()
        wait(y)

    def access():
        state["x"][42, 314].compute()

    def std():
        state["x"].std().compute()

    def std_axis():
        state["x"].std(axis=0).compute()

    def elementwise():
        x = state["x"]
        y = (da.sin(x) ** 2 + da.cos(x) ** 2).persist()
        wait(y)

    def transpose():
        x = state["x"]
        y = (x + x.T).persist()
        wait(y)

    mb = N * N * 8 / 1e6
    yield "create random 2D-array", "MB", mb, create
    yield "block-wise operation", "MB", mb, blockwise
    yield "random access", "bytes", 8, access
    yield "reduction operation (std)", "MB", mb, std
    yield "reduction (std) along axis", "MB", mb, std_axis
    yield "elementwise computation", "MB", mb, elementwise
    yield "sum the transpose", "MB", mb, transpose


def dataframe_ops(n, rows):
    """dask-bench's dfs_tasks_provider at scalebench's weak size (ROWS * n rows)."""
    N = rows * n
    cols = [f"col_{i}" for i in range(6)]
    state = {}

    def create():
        x = da.random.randint(0, 1e5, size=(N, 6), chunks=(max(1, N // (2 * n)), 6))
        state["df"] = dd.from_dask_array(x, columns=cols).persist()
        wait(state["df"])

    def blockwise():
        wait(state["df"].map_partitions(lambda x: x + 1).persist())

    def access():
        state["df"].loc[42].compute()

    def std():
        state["df"].std().compute()

    def series_std():
        state["df"]["col_0"].std().compute()

    def groupby():
        state["df"].groupby("col_1")["col_0"].mean().compute()

    def groupby2():
        state["df"].groupby("col_1")[["col_0", "col_2"]].mean().compute()

    def groupby_apply():
        df = state["df"]
        df.groupby("col_1").apply(lambda x: x + 1, meta=df._meta).compute()

    def order():
        wait(state["df"].sort_values("col_1").persist())

    mb = N * 6 * 8 / 1e6
    yield "create random dataframe", "MB", mb, create
    yield "block-wise operation", "MB", mb, blockwise
    yield "random access", "bytes", 8, access
    yield "reduction operation (std)", "MB", mb, std
    yield "series reduction operation (std)", "MB", mb, series_std
    yield "group-by operation", "MB", mb, groupby
    yield "group-by operation (2 columns)", "MB", mb, groupby2
    yield "group-by apply operation", "MB", mb, groupby_apply
    yield "order data", "MB", mb, order


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cores", default="1,2")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--size", type=int, default=5000)
    p.add_argument("--rows", type=int, default=3000)
    p.add_argument("--collections", default="arrays,dataframes")
    a = p.parse_args()
    warnings.filterwarnings("ignore")
    collections = a.collections.split(",")
    for n in [int(c) for c in a.cores.split(",")]:
        cluster = LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
        try:
            for rep in range(a.reps):
                gens = []
                if "arrays" in collections:
                    gens.append(("arrays", array_ops(n, a.size)))
                if "dataframes" in collections:
                    gens.append(("dataframes", dataframe_ops(n, a.rows)))
                for collection, gen in gens:
                    for name, unit, amount, thunk in gen:
                        t = time.perf_counter()
                        thunk()
                        s = time.perf_counter() - t
                        rec = {
                            "collection": collection,
                            "op": name,
                            "n": n,
                            "rep": rep,
                            "seconds": s,
                            "unit": unit + "/s",
                            "rate": amount / s,
                        }
                        print(json.dumps(rec), flush=True)
                    client.run(lambda: __import__("gc").collect())
        finally:
            client.close()
            cluster.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
