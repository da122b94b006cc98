// `scalebench image --mpi`: Open MPI in the Kubernetes rank image for --engine mpi.
import assert from "node:assert/strict";
import { containerfile, IMAGE_DEFAULTS } from "../cli/image.ts";
import { cli } from "./_cli.ts";

const MPI_BLOCK =
  `# --engine mpi: Debian's Open MPI; its shared-memory copies need ptrace, which pods lack
RUN apt-get update \\
 && apt-get install -y --no-install-recommends openmpi-bin openssh-client \\
 && rm -rf /var/lib/apt/lists/*
ENV OMPI_MCA_btl_vader_single_copy_mechanism=none
`;

Deno.test("containerfile() adds Open MPI only with mpi, in the final stage, after Dask's", () => {
  assert.ok(!containerfile(IMAGE_DEFAULTS).includes("openmpi"));
  const text = containerfile({ ...IMAGE_DEFAULTS, mpi: true, dask: true });
  const at = text.indexOf(MPI_BLOCK);
  assert.ok(at > text.lastIndexOf("FROM "), "in the final stage");
  assert.ok(at > text.indexOf("python3-distributed"), "after Dask's block");
  assert.ok(text.slice(at + MPI_BLOCK.length).startsWith("ENV DENO_DIR="));
});

Deno.test("scalebench image --mpi writes the Open MPI block", async () => {
  const r = await cli(["image", "--mpi", "-o", "-"]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes(MPI_BLOCK));
  assert.ok(!r.stdout.includes("python3-distributed"));
});
