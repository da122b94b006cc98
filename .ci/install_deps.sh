#!/bin/sh
# Install everything the full test suite uses on Debian 12 (CI runs it; so can a developer):
#   sudo .ci/install_deps.sh          # then, for the Slurm tests: sudo .ci/local_slurm.sh start 3 4
# Without these the suite still passes: each test that needs a missing tool is reported as ignored
# with the reason. CI sets SCALEBENCH_TEST_REQUIRE_ALL=1, which turns every such test into a failure.
# Deno itself comes from npm (./scalebench finds or installs 2.9.6); this script only checks npx.
set -eu

# One line per need: the Debian packages, and which tests or benches use them.
PACKAGES="
chromium
tini
python3-dask python3-distributed python3-xarray python3-zarr python3-numcodecs
python3-numba python3-mpi4py python3-dotenv
openmpi-bin hpcc
openssh-server
slurm-wlm munge
hyperfine tcpdump
gcc openssl util-linux ca-certificates git
libxml2-utils
"
# chromium: report pages in a real browser (tests/report_browser_test.ts)
# tini: the Kubernetes image's entry (tests/kubernetes_image_test.ts)
# python3-*: CNGI/xarray fixtures, Dask and mpi4py peers, dask-bench .env parsing (Debian's
#   /usr/bin/python3; a pyenv python3 first on PATH does not see them)
# openmpi-bin, hpcc: MPI programs as workloads; openssh-server: the ssh provider's tests
# slurm-wlm, munge: the local Slurm cluster (.ci/local_slurm.sh) for the Slurm provider's tests
# hyperfine, tcpdump: hyperfine import and network checks; gcc: the C reference of the gridding bench;
#   libxml2-utils: xmllint checks --junit files against the JUnit schema (tests/expect_junit_test.ts)

if [ "$(id -u)" -ne 0 ]; then
  echo "install_deps.sh: run as root (sudo $0)" >&2
  exit 2
fi
command -v npx >/dev/null || { echo "install_deps.sh: Node.js/npm (npx) is needed for Deno" >&2; exit 2; }

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # the list is split on purpose
apt-get install -y -qq $PACKAGES >/dev/null
echo "install_deps.sh: installed $(echo $PACKAGES | wc -w) Debian packages"
