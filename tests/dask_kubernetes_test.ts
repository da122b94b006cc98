// --engine dask through the Kubernetes provider, on the fake cluster (tests/k8s/): its kubelet
// runs the real rank processes, so each point gets a real Dask cluster across its pods (the
// scheduler in rank 0's pod, a worker in every pod, the client in rank 0's).
import assert from "node:assert/strict";
import { DASK_DATAFRAME_OPS } from "../workloads/dask_dataframes/mod.ts";
import { startFakeCluster } from "./k8s/cluster.ts";
import { sweep } from "./k8s/harness.ts";
import { needCommand, needPython, needs, PYTHON } from "./_needs.ts";

Deno.test(needs([await needPython("distributed"), await needCommand("openssl", ["version"])], {
  name:
    "--engine dask on Kubernetes (fake cluster): dask-dataframes at 1, 2 ranks, every check passing",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const c = await startFakeCluster({});
    try {
      const r = await sweep(c, {
        workload: "dask-dataframes",
        params: { rows: 500 },
        cores: [1, 2],
        layout: "ranks",
        reps: 1,
        python: PYTHON,
        limitSeconds: 180,
      });
      const obs = r.run.observations;
      assert.deepEqual(obs.filter((o) => !o.ok).map((o) => `${o.cores} ${o.op}: ${o.error}`), []);
      assert.deepEqual(
        obs.map((o) => `${o.cores} ${o.op}`).sort(),
        [1, 2].flatMap((n) => DASK_DATAFRAME_OPS.map((op) => `${n} ${op}`)).sort(),
      );
      assert.match(
        r.logs["p02-c0002.rank0.log"],
        /Dask cluster ready .* 2 workers, 2 threads/,
      );
    } finally {
      await c.close();
    }
  },
}));
