#!/usr/bin/env bash
# Start a real Slurm cluster of N virtual nodes on this one machine (Debian 12, as root).
# Several slurmd daemons run on one host (Debian's build supports `slurmd -N name`), so jobs really
# span nodes: `srun -N 3 -n 6 hostname` runs on node1..node3. Each node advertises CPUS_PER_NODE
# CPUs (oversubscribed on purpose: timings on it mean nothing, orchestration means everything).
#
#   local_slurm.sh start [NODES] [CPUS_PER_NODE]   install (apt), configure, start; idempotent
#   local_slurm.sh stop                            stop the daemons this script started
#   local_slurm.sh status                          exit 0 when every node is up
#
# .ci/run starts it; tests/slurm_*_test.ts use it.
#
# Node names resolve to 127.0.0.1 through /etc/hosts, so rank 0 on "node1" is reachable.
set -euo pipefail
cmd=${1:-start}; nodes=${2:-3}; cpus=${3:-4}
conf=/etc/slurm/slurm.conf
state=/var/lib/local-slurm

stop() {
  local pids=()
  for f in "$state"/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f"); kill "$pid" 2>/dev/null && pids+=("$pid"); rm -f "$f"
  done
  # a daemon still shutting down keeps its port: the next start would fail and leave the old one
  for _ in $(seq 1 100); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
}

if [ "$cmd" = stop ]; then stop; exit 0; fi
if [ "$cmd" = status ]; then sinfo -h -o '%t %D' 2>/dev/null | grep -q . || exit 1; exit 0; fi

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq slurm-wlm munge >/dev/null
fi
mkdir -p "$state" /var/run/munge /var/spool/slurmctld /var/log/slurm
chown munge:munge /var/run/munge
[ -s /etc/munge/munge.key ] || { dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
host=$(hostname)
mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / nodes / 2 ))
cat > "$conf" <<CONF
ClusterName=local
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd/%n
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd-%n.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd-%n.log
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/linux
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
SlurmdParameters=config_overrides
MinJobAge=3600
NodeName=node[1-$nodes] NodeHostname=$host CPUs=$cpus RealMemory=$mem Port=17001-$((17000 + nodes)) State=UNKNOWN
PartitionName=debug Nodes=node[1-$nodes] Default=YES MaxTime=INFINITE State=UP
CONF
for i in $(seq 1 "$nodes"); do
  mkdir -p /var/spool/slurmd/node$i
  grep -q "[[:space:]]node$i\$" /etc/hosts || echo "127.0.0.1 node$i" >> /etc/hosts
done
# Debian may point the alternatives at the emulator build; use the normal one.
for d in slurmctld slurmd slurmstepd; do
  [ -x /usr/sbin/$d-wlm ] && update-alternatives --set $d /usr/sbin/$d-wlm >/dev/null 2>&1 || true
done
stop
pgrep -x munged >/dev/null || su -s /bin/sh munge -c /usr/sbin/munged
/usr/sbin/slurmctld
for i in $(seq 1 "$nodes"); do /usr/sbin/slurmd -N node$i; done
for _ in $(seq 1 30); do
  # exactly the nodes asked for, with their CPUs (a controller left from another shape would differ)
  shape=$(sinfo -h -N -o '%N %c %t' 2>/dev/null | sort -u | awk -v c="$cpus" '$2==c && $3=="idle"{n++} {all++} END{print n+0, all+0}')
  [ "$shape" = "$nodes $nodes" ] && { echo "local slurm: $nodes nodes × $cpus CPUs idle"; exit 0; }
  sleep 1
done
echo "local slurm: nodes did not come up; see /var/log/slurm/" >&2
sinfo >&2 || true
exit 1
