#!/usr/bin/env bash
# Stops the rehearsal cluster and leaves nothing behind: its processes and every container they started, mounts,
# cgroups, iptables chains (KUBE-*), the bridge and its veths, sysctl changes, state and kubeconfig. Idempotent.
# Kept (caches): binaries, containerd's image store and the registry's blobs under $MAPS_TOOLS_DIR/cluster/cache.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
no_options "Usage: rehearsal/down.sh
Stops the rehearsal cluster and leaves nothing behind but the caches (idempotent). No options (rehearsal/README.md).
  -h, --help   print this help" "$@"
[ "$(id -u)" -eq 0 ] || die "run as root"
pids=$CLUSTER_RUN/pids

stop() { # <name>: SIGTERM, then SIGKILL after 10 s
  local file=$pids/$1 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}
cgroup_dirs() { # every directory of our cgroup tree, deepest first
  local h
  for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
    [ -d "$h/$CLUSTER_CGROUP" ] && find "$h/$CLUSTER_CGROUP" -depth -type d
  done
}

# The kubelet first, so it restarts nothing; then every process in the pods' cgroups; then the container shims
# of our containerd (found by its socket on their command line) and the remaining components.
stop kubelet
for _ in 1 2 3; do
  procs=$(cgroup_dirs | while read -r d; do cat "$d/cgroup.procs" 2>/dev/null; done | sort -u)
  [ -n "$procs" ] || break
  kill -KILL $procs 2>/dev/null
  sleep 0.5
done
for p in /proc/[0-9]*; do
  if { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -q "containerd-shim.* -address $CLUSTER_SOCKET "; then
    kill -KILL "${p#/proc/}" 2>/dev/null
  fi
done
for c in coredns kube-proxy kube-scheduler kube-controller-manager containerd registry kube-apiserver etcd; do stop "$c"; done

# Mounts (volumes, overlay rootfs, network namespaces) under our directories, deepest first.
awk '{print $2}' /proc/self/mounts | grep -E "^($CLUSTER_RUN|$CLUSTER_CACHE)/" | sort -r | while read -r m; do
  umount -l "$m" 2>/dev/null || true
done
cgroup_dirs | while read -r d; do rmdir "$d" 2>/dev/null; done

# iptables: our FORWARD accepts (tagged) and rules jumping to KUBE-* chains in the built-in chains, then the chains
# themselves (kube-proxy's and the kubelet's). Only chains and rules of that name are touched: Docker's and anyone else's stay.
for cmd in iptables ip6tables; do
  command -v "$cmd" >/dev/null || continue
  for table in filter nat mangle raw; do
    rules=$("$cmd-save" -t "$table" 2>/dev/null) || continue
    grep -E "^-A (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) .*(-j KUBE-|--comment \"?$CLUSTER_TAG\"? )" <<<"$rules" | while read -r rule; do
      eval "$cmd -t $table -D ${rule#-A }" 2>/dev/null
    done
    chains=$(grep -oE '^:KUBE-[^ ]+' <<<"$rules" | tr -d :)
    for chain in $chains; do "$cmd" -t "$table" -F "$chain" 2>/dev/null; done
    for chain in $chains; do "$cmd" -t "$table" -X "$chain" 2>/dev/null; done
  done
done

# The bridge and any veth still attached to it (their namespaces are gone with the mounts above).
for veth in $(ip -o link show master "$CLUSTER_BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
  ip link del "$veth" 2>/dev/null
done
ip link del "$CLUSTER_BRIDGE" 2>/dev/null

if [ -f "$CLUSTER_RUN/sysctl.restore" ]; then
  while IFS= read -r setting; do sysctl -qw "$setting" 2>/dev/null; done <"$CLUSTER_RUN/sysctl.restore"
fi
rm -rf "$CLUSTER_RUN" "$CLUSTER_KUBECONFIG"
log "down"
