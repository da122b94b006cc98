"""Start a Dask scheduler or worker that never outlives the process that started it, and wait
until a scheduler sees its workers (what scalebench's ``--engine dask`` runs on every rank).

    python -m scalebench.cluster scheduler [dask scheduler options...]
    python -m scalebench.cluster worker ADDRESS [dask worker options...]
    python -m scalebench.cluster wait ADDRESS --workers N --threads T --timeout S --poll P \
        [--connect-timeout C]

``scheduler`` and ``worker`` run Dask's own command-line programs (``dask scheduler``, ``dask
worker``: every option of theirs works) after starting a watchdog thread: when the parent
process is gone (a rank killed with SIGKILL, a cancelled job), the program gets SIGTERM, closes
as Dask closes on Ctrl-C, and exits at the latest 10 s later.

``wait`` is dask-bench's ``cluster_is_ready``: a client polls ``scheduler_info()`` every ``P``
seconds until ``N`` workers with ``T`` threads in total are connected, prints
``{"workers": n, "threads": t, "names": [...]}`` and exits 0; after ``S`` seconds it prints what
it saw on stderr and exits 3. Reaching the scheduler is bounded apart, by ``max(C, S)`` seconds
(``C``: 10 by default); failing it is said in one line, with exit code 3.
"""

import json
import os
import signal
import sys
import threading
import time

STARTED_BY = os.getppid()


def watch_parent(grace=10.0, interval=0.25):
    """SIGTERM this process when its parent exits; hard exit ``grace`` seconds later.

    The parent is ``SCALEBENCH_DASK_PARENT`` (the rank's pid; a parent that died while Python
    was starting is then noticed too), else the parent at start-up.
    """
    parent = int(os.environ.get("SCALEBENCH_DASK_PARENT") or STARTED_BY)

    def loop():
        while os.getppid() == parent:
            time.sleep(interval)
        try:  # stderr may be a pipe to the process that is gone
            sys.stderr.write("scalebench: the rank that started this process is gone: closing\n")
            sys.stderr.flush()
        except OSError:
            pass
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(grace)
        os._exit(1)

    threading.Thread(target=loop, name="scalebench-watchdog", daemon=True).start()


def run_dask(kind, argv):
    if kind == "scheduler":
        from distributed.cli.dask_scheduler import main
    else:
        from distributed.cli.dask_worker import main
    watch_parent()
    return main.main(args=argv, prog_name=f"dask {kind}", standalone_mode=True)


def parse_wait(argv):
    import argparse

    p = argparse.ArgumentParser(prog="python -m scalebench.cluster wait")
    p.add_argument("address")
    p.add_argument("--workers", type=int, required=True)
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("--poll", type=float, default=0.2)
    p.add_argument("--connect-timeout", type=float, default=10.0)
    return p.parse_args(argv)


def wait(argv):
    """dask-bench's cluster_is_ready, bounded by --timeout."""
    a = parse_wait(argv)
    from distributed import Client

    start = time.monotonic()
    seen = {}
    # reaching a running scheduler is quick, but not within a 1 s --timeout on a loaded machine:
    # the connection gets its own bound, and failing it is said in one line
    connect = max(a.connect_timeout, a.timeout)
    try:
        client = Client(a.address, timeout=connect)
    except Exception as e:  # OSError, or asyncio's TimeoutError, depending on where it gave up
        sys.stderr.write(
            f"The scheduler at {a.address} could not be reached within "
            f"{connect:g} s: {str(e) or type(e).__name__}\n"
        )
        return 3
    with client as c:
        while True:
            seen = c.scheduler_info()["workers"]
            threads = sum(w["nthreads"] for w in seen.values())
            if len(seen) >= a.workers and threads >= a.threads:
                names = sorted(str(w.get("name", "")) for w in seen.values())
                print(json.dumps({"workers": len(seen), "threads": threads, "names": names}))
                sys.stdout.flush()
                return 0
            if time.monotonic() - start >= a.timeout:
                sys.stderr.write(
                    f"The scheduler sees {len(seen)} of {a.workers} workers "
                    f"({threads} of {a.threads} threads) after {a.timeout:g} s\n"
                )
                return 3
            time.sleep(a.poll)


def main(argv):
    if not argv or argv[0] not in ("scheduler", "worker", "wait"):
        sys.stderr.write(__doc__)
        return 2
    if argv[0] == "wait":
        return wait(argv[1:])
    return run_dask(argv[0], argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
