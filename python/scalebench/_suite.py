"""What the built-in Dask clients (dask_arrays.py, dask_dataframes.py) share: running a table of
operations as observations, and their entry point.
"""

import os
import sys
import warnings

from scalebench import client, observe


class Unrecorded:
    """Stands for an observation when an operation runs only because others need its result."""

    def stop(self):
        pass

    def check(self, ok, message=""):
        if not ok:
            raise AssertionError(message)


def run_operations(table, ops):
    """Run ``(name, unit, amount, fn)`` rows in order, each ``fn(o)`` inside ``observe``.

    The first row makes the data the others use: when ``ops`` (the operations to record; empty:
    all) leaves it out it still runs, unrecorded, and when it fails nothing else runs. A failing
    operation is recorded as failed and the next ones still run. Returns the exit code.
    """
    first = table[0][0]
    failed = 0
    for name, unit, amount, fn in table:
        if ops and name not in ops:
            if name == first:
                fn(Unrecorded())
            continue
        try:
            with observe(name, unit=unit, amount=amount) as o:
                fn(o)
        except Exception as err:  # recorded as a failed observation; the next ones still run
            failed += 1
            print(f"{name}: {type(err).__name__}: {err}", file=sys.stderr)
            if name == first:
                return 1
    return 1 if failed else 0


def main(run):
    """``run(ops)`` on the point's cluster, ``ops`` from ``SCALEBENCH_OPS`` (one a line)."""
    warnings.filterwarnings("ignore")
    ops = [o for o in os.environ.get("SCALEBENCH_OPS", "").split("\n") if o]
    with client():
        return run(ops)
