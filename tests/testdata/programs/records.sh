#!/bin/sh
# A program in another language than scalebench's, for the command-workload tests: POSIX sh
# writing JSON records to $SCALEBENCH_RECORDS. What it does is chosen by parameters
# (--set key=value → SCALEBENCH_PARAM_KEY):
#   mode=records  (default) rank r records op "compute" (0.1·(r+1) s, 10 MB) and op "io" (0.05 s);
#                 ranks other than 0 wait SCALEBENCH_PARAM_LAG seconds (default 0) between the two
#                 lines, so rank 0 ends while their records are half written
#   mode=fail     rank SCALEBENCH_PARAM_RANK says a last word on stderr and exits 3 (others: records)
#   mode=garbage  a record, then a line that is not JSON
#   mode=none     no records: the program is timed as a whole
#   mode=hang     starts a sleep in the background and another in the foreground, for a long time
# It first checks the environment every rank must get, and fails (exit 4) naming what is missing.
set -u
for v in SCALEBENCH_RANK SCALEBENCH_RANKS SCALEBENCH_THREADS SCALEBENCH_CORES SCALEBENCH_NODES \
  SCALEBENCH_REP SCALEBENCH_WARMUP SCALEBENCH_MODE SCALEBENCH_RANK0_HOST SCALEBENCH_HOSTFILE \
  SCALEBENCH_RECORDS OMP_NUM_THREADS; do
  eval "value=\${$v:-}"
  if [ -z "$value" ]; then echo "records.sh: $v is not set" >&2; exit 4; fi
done
if [ "$OMP_NUM_THREADS" != "$SCALEBENCH_THREADS" ]; then echo "records.sh: OMP_NUM_THREADS differs" >&2; exit 4; fi
if [ "$(wc -l < "$SCALEBENCH_HOSTFILE")" != "$SCALEBENCH_RANKS" ]; then
  echo "records.sh: the hostfile has not one line per rank" >&2; exit 4
fi
if [ -n "${SCALEBENCH_TOKEN:-}" ]; then echo "records.sh: the rendezvous token leaked" >&2; exit 4; fi
mode=${SCALEBENCH_PARAM_MODE:-records}
r=$SCALEBENCH_RANK
case $mode in
  none) sleep "${SCALEBENCH_PARAM_SLEEP:-0}"; exit 0 ;;
  hang) sleep 300 & sleep 301; exit 0 ;;
  garbage)
    printf '{"op": "compute", "seconds": 0.1}\n' >> "$SCALEBENCH_RECORDS"
    printf 'this is not JSON\n' >> "$SCALEBENCH_RECORDS"
    exit 0 ;;
  fail)
    if [ "$r" = "${SCALEBENCH_PARAM_RANK:-1}" ]; then echo "rank $r gives up on purpose" >&2; exit 3; fi ;;
esac
printf '{"op": "compute", "seconds": 0.%d, "amount": 10, "unit": "MB"}\n' "$((r + 1))" >> "$SCALEBENCH_RECORDS"
if [ "$r" != 0 ]; then sleep "${SCALEBENCH_PARAM_LAG:-0}"; fi
printf '{"op": "io", "seconds": 0.05}\n' >> "$SCALEBENCH_RECORDS"
