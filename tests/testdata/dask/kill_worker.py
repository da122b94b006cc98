"""A Dask client (--engine dask) that kills one worker of its cluster in the middle of its work
at 2 cores, then goes on computing: scalebench must fail that point with the reason, and the
sweep must go on. At other core counts it computes and records normally."""
import os
import signal
import time

import dask.array as da

from scalebench import client, observe

with client() as c:
    with observe("sum", unit="MB", amount=8) as o:
        x = da.ones((1000, 1000), chunks=(250, 250)).persist()
        if os.environ["SCALEBENCH_CORES"] == "2":
            pids = c.run(os.getpid)  # {address: pid} of every worker
            victim = sorted(pids.items())[-1][1]
            os.kill(victim, signal.SIGKILL)
            time.sleep(5)  # the rest of the work; scalebench stops it sooner
        o.check(float(x.sum().compute()) == 1e6, "wrong sum")
