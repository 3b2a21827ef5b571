# Sourced by cluster/up.sh: may the one-node cluster start on this machine's cgroups? Decided before anything starts.
# cgroup_check [ROOT] (ROOT: the cgroup mount, default /sys/fs/cgroup; tests pass a fake tree): returns 0 on cgroup v1
# (hybrid included: v1 controllers under ROOT), where the cluster is proven (.ci/run); on cgroup v2 prints the cause
# and what to use instead, and returns 1.
cgroup_check() {
  local root=${1:-/sys/fs/cgroup} controllers procs cause
  [ -f "$root/cgroup.controllers" ] || return 0
  controllers=$(cat "$root/cgroup.controllers")
  procs=$(grep -c . "$root/cgroup.procs" 2>/dev/null || true)
  if [ -f "$root/cgroup.type" ] && [ "${procs:-0}" -gt 0 ] && ! grep -qw memory "$root/cgroup.subtree_control" 2>/dev/null; then
    # Only a non-root cgroup has cgroup.type: ROOT is a cgroup namespace's view (a container, a Dagger exec).
    cause="this is a container's cgroup namespace whose root holds $procs processes, and cgroup v2 gives controllers
  only to cgroups without processes of their own: the kubelet's pod cgroups would get no cpu, memory or pids controller
  (the node never turns Ready)"
  else
    cause="the one-node cluster is proven on cgroup v1 only (controllers here: ${controllers:-none})"
  fi
  cat >&2 <<EOF
cgroup v2 (unified hierarchy at $root): $cause.
Use kind instead, whose node image handles cgroup v2: npm run rehearse -- --provider kind (cluster/README.md).
EOF
  return 1
}
