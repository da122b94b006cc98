#!/usr/bin/env bash
# Start a throwaway sshd on 127.0.0.1 for the ssh provider's tests (Debian 12, as root): a free
# port (2222 or the next free one), a host key and a client key made here and authorised for root
# only through this sshd's own AuthorizedKeysFile (nothing in ~/.ssh is touched), and an ssh config
# with host aliases host1..hostN → 127.0.0.1, that port, that key and a known_hosts written here
# (StrictHostKeyChecking stays on). Ranks started on host1, host2… span "hosts" that are all this
# machine.
#
#   local_sshd.sh start [HOSTS]   install (apt) if needed, configure, start; idempotent (default 3)
#   local_sshd.sh stop            stop the sshd this script started
#   local_sshd.sh status          exit 0 when `ssh -F CONFIG host1 true` works
#   local_sshd.sh config          print the ssh config's path
#
# Use it: ssh -F /var/lib/local-sshd/ssh_config host2 hostname
#         scalebench run amdahl -p ssh --hosts host1,host2 --ssh-config /var/lib/local-sshd/ssh_config
# .ci/run starts it; tests/ssh_*_test.ts use it (tests/ssh_sshd.ts).
set -euo pipefail
cmd=${1:-start}; hosts=${2:-3}
state=/var/lib/local-sshd
config=$state/ssh_config

running() { [ -s "$state/sshd.pid" ] && kill -0 "$(cat "$state/sshd.pid")" 2>/dev/null; }
works() { ssh -F "$config" -o ConnectTimeout=5 host1 true 2>/dev/null; }
stop() {
  if running; then kill "$(cat "$state/sshd.pid")"; fi
  rm -f "$state/sshd.pid"
}
port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

case "$cmd" in
  stop) stop; exit 0 ;;
  status) [ -s "$config" ] && works; exit $? ;;
  config) echo "$config"; exit 0 ;;
  start) ;;
  *) echo "usage: $0 start [HOSTS] | stop | status | config" >&2; exit 2 ;;
esac

if running && [ -s "$config" ] && works && grep -q "^Host .*host$hosts\b" "$config"; then
  echo "local sshd: running ($config)"; exit 0
fi
if [ ! -x /usr/sbin/sshd ] || ! command -v ssh >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq openssh-server openssh-client >/dev/null
fi
stop
mkdir -p "$state" /run/sshd
chmod 700 "$state"; chmod 755 /run/sshd
[ -s "$state/host_key" ] || ssh-keygen -q -t ed25519 -N "" -C "local-sshd host" -f "$state/host_key"
[ -s "$state/client_key" ] || ssh-keygen -q -t ed25519 -N "" -C "local-sshd client" -f "$state/client_key"
cp "$state/client_key.pub" "$state/authorized_keys"
chmod 600 "$state/authorized_keys"

port=2222
while ! port_free "$port"; do port=$((port + 1)); done

cat > "$state/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $state/host_key
PidFile $state/sshd.pid
AuthorizedKeysFile $state/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PrintMotd no
# every rank is one connection, and a point starts its ranks at once
MaxStartups 100
MaxSessions 100
Subsystem sftp /usr/lib/openssh/sftp-server
CONF
/usr/sbin/sshd -t -f "$state/sshd_config"

aliases=$(seq -f "host%g" 1 "$hosts" | tr '\n' ' ')
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$state/host_key.pub")" > "$state/known_hosts"
cat > "$config" <<CONF
# Written by .ci/local_sshd.sh: aliases of this machine, served by a throwaway sshd on port $port.
Host ${aliases% }
  HostName 127.0.0.1
  Port $port
  User root
  IdentityFile $state/client_key
  IdentitiesOnly yes
  UserKnownHostsFile $state/known_hosts
  StrictHostKeyChecking yes
  CheckHostIP no
  BatchMode yes
CONF

/usr/sbin/sshd -f "$state/sshd_config" -E "$state/sshd.log"
for _ in $(seq 1 50); do
  if works; then echo "local sshd: 127.0.0.1:$port, hosts ${aliases% } ($config)"; exit 0; fi
  sleep 0.1
done
echo "local sshd: not answering; see $state/sshd.log" >&2
tail -n 5 "$state/sshd.log" >&2 || true
exit 1
