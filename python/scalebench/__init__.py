"""scalebench's helper for Python programs run as workloads (`scalebench run --exec ...`).

A program writes one record per timed operation; scalebench turns each into an observation (the
slowest rank's seconds, ``amount / seconds`` as its rate, ``ok``/``error`` as its check)::

    from scalebench import observe

    with observe("sum the transpose", unit="MB", amount=x.nbytes / 1e6) as o:
        y = (x + x.T).persist()
        wait(y)
        o.stop()                                   # the timed part ends here (else: at the end)
        o.check(bool((y == y.T).all().compute()), "x + x.T is not symmetric")

Records are JSON lines appended to the file named by ``SCALEBENCH_RECORDS`` (outside scalebench:
printed on stderr): ``{"op", "seconds", "amount", "unit", "ok", "error"}``. An exception inside
the block is recorded as a failed observation (``ok: false`` with the exception as its error) and
raised again.

Under ``--engine dask``, :func:`client` connects to the point's cluster
(``DASK_SCHEDULER_ADDRESS``; TLS, when on, comes from Dask's ``DASK_*`` configuration).
"""

import json
import os
import sys
import time

__all__ = ["observe", "Observation", "param", "warmup", "client", "write_record"]

RECORDS_ENV = "SCALEBENCH_RECORDS"


def write_record(record):
    """Append one record (a dict with at least ``op`` and ``seconds``) as a JSON line."""
    line = json.dumps(record, allow_nan=False) + "\n"
    path = os.environ.get(RECORDS_ENV)
    if not path:
        sys.stderr.write(line)
        sys.stderr.flush()
        return
    # one write of a short line on an O_APPEND descriptor: lines of several processes never mix
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        data = line.encode()
        while data:
            data = data[os.write(fd, data):]
    finally:
        os.close(fd)


class Observation:
    """One timed operation: a context manager that writes its record when the block ends."""

    def __init__(self, op, unit=None, amount=None):
        if not isinstance(op, str) or not op:
            raise ValueError("observe() needs an operation name")
        self.op = op
        self.unit = unit
        self.amount = amount
        self.seconds = None
        self.errors = []
        self._t0 = None

    def __enter__(self):
        self._t0 = time.perf_counter()
        return self

    def stop(self):
        """End the timed part now (later calls keep the first time). Returns the seconds."""
        if self.seconds is None:
            self.seconds = time.perf_counter() - self._t0
        return self.seconds

    def check(self, ok, message="Check failed"):
        """Fail the observation with ``message`` unless ``ok``. Returns ``ok``."""
        if not ok:
            self.errors.append(str(message))
        return bool(ok)

    def fail(self, message):
        """Fail the observation with ``message``."""
        self.errors.append(str(message))

    def __exit__(self, kind, value, tb):
        self.stop()
        if value is not None:
            self.errors.append(f"{kind.__name__}: {value}")
        record = {"op": self.op, "seconds": self.seconds}
        if self.amount is not None:
            record["amount"] = float(self.amount)
        if self.unit is not None:
            record["unit"] = str(self.unit)
        record["ok"] = not self.errors
        record["error"] = "; ".join(self.errors) if self.errors else None
        write_record(record)
        return False  # an exception goes on


def observe(op, unit=None, amount=None):
    """Time the ``with`` block as operation ``op``; ``amount`` in ``unit`` gives its rate."""
    return Observation(op, unit=unit, amount=amount)


def param(name, default=None, kind=str):
    """A ``--set`` parameter (``SCALEBENCH_PARAM_<NAME>``), converted with ``kind``."""
    raw = os.environ.get("SCALEBENCH_PARAM_" + name.upper().replace("-", "_"))
    if raw is None:
        return default
    if kind is bool:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return kind(raw)


def warmup():
    """True during a warm-up repetition (``SCALEBENCH_WARMUP=1``)."""
    return os.environ.get("SCALEBENCH_WARMUP") == "1"


def client(**kwargs):
    """A ``distributed.Client`` on the point's cluster (``DASK_SCHEDULER_ADDRESS``)."""
    from distributed import Client

    address = os.environ.get("DASK_SCHEDULER_ADDRESS")
    if not address:
        raise RuntimeError("DASK_SCHEDULER_ADDRESS is not set: run this under --engine dask")
    return Client(address, **kwargs)
