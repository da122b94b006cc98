"""An MPI program (mpi4py) for --engine mpi (tests/mpi_test.ts): every MPI rank takes part in one
allreduce and records it, and records how many nodes the world spans. A world whose size is not
SCALEBENCH_RANKS, or that spans another number of nodes than SCALEBENCH_NODES, records
`ok: false` saying so.
"""
import json
import os
import socket
import time

from mpi4py import MPI

env = os.environ
world = MPI.COMM_WORLD
t0 = time.perf_counter()
total = world.allreduce(1)
seconds = time.perf_counter() - t0
node = env.get("SLURMD_NODENAME") or socket.gethostname()
nodes = world.allgather(node)
ranks = int(env["SCALEBENCH_RANKS"])
with open(env["SCALEBENCH_RECORDS"], "a") as out:
    ok = total == world.size == ranks and env["SCALEBENCH_RANK"] == str(world.rank)
    error = None if ok else f"world of {world.size} (allreduce {total}), expected {ranks}"
    out.write(json.dumps({"op": "allreduce", "seconds": seconds, "ok": ok, "error": error}) + "\n")
    spans = sorted(set(nodes))
    ok = len(spans) == int(env["SCALEBENCH_NODES"])
    error = None if ok else f"the world spans {spans}, expected {env['SCALEBENCH_NODES']} node(s)"
    out.write(json.dumps({"op": "nodes", "seconds": 0, "ok": ok, "error": error}) + "\n")
