/**
 * `scalebench image [-o Containerfile]`: write a Containerfile for the image the Kubernetes
 * provider runs its ranks in — Debian slim, Deno installed from npm, the bundled scalebench
 * (`deno task bundle` → dist/scalebench.js) behind a `scalebench` command, so that the pods'
 * `scalebench rank` works; user workload files are copied to the same absolute path.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { quote, ValidationError } from "../core/errors.ts";
import { VERSION } from "../core/version.ts";

/** What goes into the Containerfile. */
export interface ContainerfileOptions {
  /** Base image of both stages */
  base: string;
  /** Deno version installed from npm */
  deno: string;
  /** The bundle, relative to the build context */
  bundle: string;
  /** Workload files: path in the build context → absolute path in the image */
  workloads: { from: string; to: string }[];
  /** `--engine dask`: Debian's Python with Dask, and scalebench's python/ on PYTHONPATH */
  dask?: boolean;
  /** `--engine mpi`: Debian's Open MPI (mpirun) and an ssh client for its launcher */
  mpi?: boolean;
}

/** Default options. */
export const IMAGE_DEFAULTS: ContainerfileOptions = {
  base: "debian:bookworm-slim",
  deno: "2.9.6",
  bundle: "dist/scalebench.js",
  workloads: [],
};

/** The `scalebench` command of the image: tini (so SIGTERM reaches deno), deno, the bundle. */
export function wrapperScript(deno: string, bundle: string): string {
  return `#!/bin/sh\nexec tini -s -g -- ${deno} run -A --quiet --no-config ${bundle} "$@"\n`;
}

/** The Containerfile text. */
export function containerfile(o: ContainerfileOptions): string {
  const wrapper = wrapperScript("/usr/local/bin/deno", "/opt/scalebench/scalebench.js")
    .trimEnd().split("\n").map((l) => `'${l}'`).join(" \\\n    ");
  const copies = o.workloads.map((w) => `COPY ${JSON.stringify([w.from, w.to])}\n`).join("");
  const dask = o.dask
    ? `# --engine dask: Debian's Python and Dask for the scheduler, the workers and the client
RUN apt-get update \\
 && apt-get install -y --no-install-recommends python3 python3-distributed python3-dask \\
    python3-numpy python3-pandas \\
 && rm -rf /var/lib/apt/lists/*
COPY ["python", "/opt/scalebench/python"]
ENV PYTHONPATH=/opt/scalebench/python
`
    : "";
  const mpi = o.mpi
    ? `# --engine mpi: Debian's Open MPI; its shared-memory copies need ptrace, which pods lack
RUN apt-get update \\
 && apt-get install -y --no-install-recommends openmpi-bin openssh-client \\
 && rm -rf /var/lib/apt/lists/*
ENV OMPI_MCA_btl_vader_single_copy_mechanism=none
`
    : "";
  return `# The image of scalebench's Kubernetes ranks (written by \`scalebench image\`).
# Build it from the repository root, after \`deno task bundle\`:
#   docker build -f Containerfile -t REGISTRY/scalebench:${VERSION} .   (or podman build)
# then run with: scalebench run WORKLOAD -p kubernetes --k8s-image REGISTRY/scalebench:${VERSION}

# Deno from npm (the npm package installs the native binary for this platform)
FROM ${o.base} AS deno
RUN apt-get update \\
 && apt-get install -y --no-install-recommends ca-certificates nodejs npm \\
 && npm install -g deno@${o.deno} \\
 && cp "$(npm root -g)/deno/deno" /usr/local/bin/deno \\
 && /usr/local/bin/deno --version

FROM ${o.base}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends ca-certificates tini \\
 && rm -rf /var/lib/apt/lists/* \\
 && useradd --uid 10001 --create-home scalebench
COPY --from=deno /usr/local/bin/deno /usr/local/bin/deno
COPY ${JSON.stringify([o.bundle, "/opt/scalebench/scalebench.js"])}
# tini forwards SIGTERM to deno (a PID 1 without handlers would ignore it)
RUN printf '%s\\n' ${wrapper} \\
    > /usr/local/bin/scalebench \\
 && chmod 755 /usr/local/bin/scalebench
${dask}${mpi}${copies}ENV DENO_DIR=/tmp/deno-cache DENO_NO_UPDATE_CHECK=1 NO_COLOR=1
USER 10001
WORKDIR /home/scalebench
ENTRYPOINT ["scalebench"]
CMD ["--help"]
`;
}

/** A workload file as a COPY from the build context (`cwd`) to its absolute path. */
export function workloadCopy(file: string, cwd: string): { from: string; to: string } {
  const abs = new URL(file, `file://${cwd.replace(/\/?$/, "/")}`).pathname;
  const root = cwd.replace(/\/?$/, "/");
  if (!abs.startsWith(root)) {
    throw new ValidationError(
      `Workload file ${quote(file, 200)} (--workload) is outside the build context ${
        quote(cwd, 200)
      }: run scalebench image from a directory that contains it`,
    );
  }
  return { from: abs.slice(root.length), to: abs };
}

/** The `image` command. */
export function imageCommand() {
  return new Command("image")
    .description(
      "Write a Containerfile for the Kubernetes rank image (Debian slim + Deno + the bundled scalebench)",
    )
    .option("-o, --output <file>", "Containerfile to write ('-': stdout)", "Containerfile")
    .option("--force", "Overwrite the file if it exists")
    .option("--base <image>", "Base image", IMAGE_DEFAULTS.base)
    .option("--deno <version>", "Deno version, installed from npm", IMAGE_DEFAULTS.deno)
    .option("--bundle <file>", "The bundle, in the build context", IMAGE_DEFAULTS.bundle)
    .option("--dask", "Add Python and Dask for --engine dask (Debian's python3-distributed)")
    .option("--mpi", "Add Open MPI for --engine mpi (Debian's openmpi-bin)")
    .option(
      "--workload <file>",
      "Copy a workload file to the same absolute path in the image (repeatable)",
      (v: string, p: string[] = []) => [...p, v],
    )
    .action(async (opts) => {
      const cwd = Deno.cwd();
      const workloads = (opts.workload ?? []).map((f) => workloadCopy(f, cwd));
      for (const w of workloads) {
        try {
          await Deno.stat(w.to);
        } catch {
          throw new ValidationError(
            `Workload file ${quote(w.from, 200)} (--workload) does not exist`,
          );
        }
      }
      const text = containerfile({
        base: opts.base,
        deno: opts.deno,
        bundle: opts.bundle,
        workloads,
        dask: opts.dask ?? false,
        mpi: opts.mpi ?? false,
      });
      if (opts.output === "-") {
        await Deno.stdout.write(new TextEncoder().encode(text));
        return;
      }
      try {
        await Deno.writeTextFile(opts.output, text, { createNew: !opts.force });
      } catch (err) {
        if (err instanceof Deno.errors.AlreadyExists) {
          throw new ValidationError(
            `File ${quote(opts.output, 200)} exists: pass --force to overwrite it, or -o FILE`,
          );
        }
        throw err;
      }
      const bundled = await Deno.stat(opts.bundle).then(() => true, () => false);
      console.log(`Wrote ${opts.output}. Build and push the image from this directory:`);
      if (!bundled) console.log(`  deno task bundle        # ${opts.bundle} does not exist yet`);
      console.log(`  docker build -f ${opts.output} -t REGISTRY/scalebench:${VERSION} .`);
      console.log(`  docker push REGISTRY/scalebench:${VERSION}`);
      console.log(
        `Then: scalebench run WORKLOAD -p kubernetes --k8s-image REGISTRY/scalebench:${VERSION}`,
      );
    });
}
