# Sourced by install steps that start a container runtime without systemd (51-docker's dockerd in CI containers and
# Dagger execs). cgroup_v2_delegate ROOT: on a cgroup v2 hierarchy (ROOT/cgroup.controllers exists) whose controllers
# are not yet enabled for children, moves every process of ROOT into ROOT/init and enables all of ROOT's controllers
# in ROOT/cgroup.subtree_control — the nesting step of Docker's own dind entrypoint (moby hack/dind) and kind's node
# entrypoint. Needed where a container gets its own cgroup namespace (GitHub's ubuntu-24.04 runners, Docker Desktop,
# every Dagger exec there): cgroup v2 lets a cgroup with processes give no controllers to its children, so runc
# cannot apply limits and dockerd's containers fail to start. On cgroup v1 (or hybrid) it does nothing.
cgroup_v2_delegate() {
  local root=${1:-/sys/fs/cgroup} controllers enabled missing="" c
  if [ ! -f "$root/cgroup.controllers" ]; then
    echo "    cgroup v1 (no $root/cgroup.controllers): no delegation needed"
    return 0
  fi
  controllers=$(cat "$root/cgroup.controllers")
  enabled=" $(cat "$root/cgroup.subtree_control" 2>/dev/null) "
  for c in $controllers; do [[ "$enabled" == *" $c "* ]] || missing+=" $c"; done
  if [ -z "$missing" ]; then
    echo "    cgroup v2: controllers already delegated ($controllers)"
    return 0
  fi
  mkdir -p "$root/init"
  # One pid per write; a pid that exited meanwhile (xargs' own echo) fails to move and is ignored, as in moby's dind.
  xargs -rn1 < "$root/cgroup.procs" > "$root/init/cgroup.procs" 2>/dev/null || :
  if ! sed -e 's/ / +/g' -e 's/^/+/' <<<"$controllers" > "$root/cgroup.subtree_control"; then
    echo "cgroup v2: could not enable${missing} for child cgroups of $root (a process left in it, or a read-only" \
      "cgroupfs): the engine's containers would not start. Give the container a writable cgroupfs (privileged)." >&2
    return 1
  fi
  echo "    cgroup v2: moved $root's processes to $root/init and delegated${missing}"
}
