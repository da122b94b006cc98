"""A Python program as a scalebench workload (tests/exec_test.ts): it checks the environment
scalebench gives every rank, then records its operations as JSON lines in $SCALEBENCH_RECORDS.

Rank r records "compute" taking (r + 1) / 8 s of work over SCALEBENCH_PARAM_SIZE MB, and "io"
taking 1/16 s — fixed numbers, so that the observations' seconds can be checked exactly. A
mismatch in the environment makes its records `ok: false` with what differs. With
SCALEBENCH_PARAM_EXTRA=1 it also records an op "extra" (for declared operations).
"""
import json
import os

env = os.environ
rank = int(env["SCALEBENCH_RANK"])
problems = []
expect = {
    "SCALEBENCH_RANKS": env.get("SCALEBENCH_PARAM_RANKS"),
    "SCALEBENCH_THREADS": "1",
    "SCALEBENCH_CORES": env.get("SCALEBENCH_PARAM_RANKS"),
    "SCALEBENCH_NODES": "1",
    "SCALEBENCH_MODE": "strong",
    "OMP_NUM_THREADS": "1",
}
for key, value in expect.items():
    if env.get(key) != value:
        problems.append(f"{key}={env.get(key)!r}, expected {value!r}")
if env.get("SCALEBENCH_WARMUP") not in ("0", "1") or not env.get("SCALEBENCH_REP", "").isdigit():
    problems.append("SCALEBENCH_WARMUP/SCALEBENCH_REP")
with open(env["SCALEBENCH_HOSTFILE"]) as f:
    hosts = f.read().split()
if len(hosts) != int(env["SCALEBENCH_RANKS"]) or hosts[0] != env["SCALEBENCH_RANK0_HOST"]:
    problems.append(f"hostfile {hosts}")
if "SCALEBENCH_TOKEN" in env or "SCALEBENCH_SPEC_FILE" in env:
    problems.append("rank secrets leaked into the program")
if env.get("SCALEBENCH_PARAM_CWD") and os.getcwd() != env["SCALEBENCH_PARAM_CWD"]:
    problems.append(f"cwd {os.getcwd()}")

size = float(env.get("SCALEBENCH_PARAM_SIZE", "1"))
error = "; ".join(problems) or None
with open(env["SCALEBENCH_RECORDS"], "a") as out:
    def record(**fields):
        out.write(json.dumps({**fields, "ok": error is None, "error": error}) + "\n")

    record(op="compute", seconds=(rank + 1) / 8, amount=size, unit="MB")
    record(op="io", seconds=1 / 16)
    if env.get("SCALEBENCH_PARAM_EXTRA") == "1":
        record(op="extra", seconds=1)
