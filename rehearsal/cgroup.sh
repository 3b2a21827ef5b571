# Sourced by rehearsal/up.sh: readies the machine's cgroups for the one-node cluster, before anything starts.
# cgroup_prepare ROOT PARENT (ROOT: the cgroup mount, /sys/fs/cgroup; tests pass a fake tree. PARENT: the parent of
# every pod cgroup, the kubelet's cgroupRoot):
# - cgroup v1 (hybrid included: v1 controllers under ROOT): nothing here; up.sh makes PARENT in every hierarchy.
# - cgroup v2: the kubelet's cgroupfs driver needs the cpu, cpuset, memory and pids controllers for PARENT's children.
#   In a container's cgroup namespace (a Dagger exec, `docker run`; only a non-root cgroup has cgroup.type) ROOT holds
#   the container's processes, and cgroup v2 enables controllers for children only in a cgroup without processes of
#   its own: tools/lib/cgroup.sh moves them to ROOT/init and enables every controller (the same step as dockerd's, as
#   Docker's dind, Dagger's k3s module and kind's node do). On a host's own root only the controllers are enabled.
#   Then PARENT is made with every controller enabled for its children. Proven in a cgroup v2 VM (rehearsal/README.md).
# Returns 1 after printing the cause and what to use instead when that cannot be done.
# shellcheck source=../tools/lib/cgroup.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/lib/cgroup.sh"

cgroup_prepare() {
  local root=$1 parent=$2 missing="" c cause
  [ -f "$root/cgroup.controllers" ] || return 0
  for c in cpu cpuset memory pids; do grep -qw "$c" "$root/cgroup.controllers" || missing+=" $c"; done
  if [ -n "$missing" ]; then
    cause="the${missing} controller(s) are not delegated to this cgroup (controllers here: $(cat "$root/cgroup.controllers"))"
  elif [ -f "$root/cgroup.type" ] && { ! cgroup_v2_delegate "$root" >/dev/null 2>&1 || grep -q . "$root/cgroup.procs"; }; then
    cause="its processes ($(grep -c . "$root/cgroup.procs")) could not be moved to a child cgroup, or its controllers not
  enabled for child cgroups (not root, a read-only cgroup mount, or a threaded subtree a runtime left here before)"
  elif ! enable_controllers "$root" || ! mkdir -p "$root/$parent" 2>/dev/null || ! enable_controllers "$root/$parent"; then
    cause="$root/$parent cannot be made with every controller enabled for its children (not root?)"
  else
    return 0
  fi
  cat >&2 <<EOF
cgroup v2 (unified hierarchy at $root): $cause.
Use kind instead, whose node image handles cgroup v2: npm run rehearse -- --provider kind (rehearsal/README.md).
EOF
  return 1
}

enable_controllers() { # DIR: every controller DIR has, enabled for DIR's children
  sed -e 's/ / +/g' -e 's/^/+/' <"$1/cgroup.controllers" >"$1/cgroup.subtree_control" 2>/dev/null
}
