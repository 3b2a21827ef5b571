#!/usr/bin/env bash
# provides: dockerd
# at start: the engine is a service, started wherever the suite runs; the toolbox image (tools/toolbox) leaves it out.
# The Docker engine the image and compose suites use (Debian's docker.io when none runs), with the CLI plugins of
# 50-docker-plugins; where no registry is reachable, the offline stand-in bases under project-owned names
# (images/bases/build.sh). Finally a warm build of the project images, so the tests build from cache and download
# nothing. `tools/install.sh docker` runs this step (plugins included).
set -euo pipefail
# shellcheck source=../../images/offline.sh
source "$REPO_ROOT/images/offline.sh"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
bash "$REPO_ROOT/tools/install.d/50-docker-plugins.sh"

if ! $sudo docker info >/dev/null 2>&1; then
  if ! command -v dockerd >/dev/null; then
    command -v apt-get >/dev/null || { echo "no Docker engine and no apt-get: install Docker yourself" >&2; exit 1; }
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends docker.io
  fi
  if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
    $sudo systemctl start docker
  else
    # No init system (CI containers, a Dagger exec): on cgroup v2 the engine needs the cgroup controllers delegated
    # first (tools/lib/cgroup.sh); then run dockerd detached, logging next to the other tools.
    # shellcheck source=../lib/cgroup.sh
    source "$REPO_ROOT/tools/lib/cgroup.sh"
    cgroup_v2_delegate /sys/fs/cgroup
    log=$MAPS_TOOLS_DIR/dockerd.log
    $sudo setsid nohup dockerd >"$log" 2>&1 < /dev/null &
  fi
  for _ in $(seq 60); do $sudo docker info >/dev/null 2>&1 && break; sleep 1; done
  $sudo docker info >/dev/null 2>&1 || { echo "dockerd did not start (see ${log:-journalctl -u docker})" >&2; exit 1; }
fi
echo "    docker engine $($sudo docker version --format '{{.Server.Version}}') running"

# --- stand-ins that older versions of this project tagged with upstream names -------------------------------------
# Only these exact names, and only images that carry our recipe label: a real upstream image never has it.
for ref in "${OFFLINE_BASES[@]}"; do
  if [ -n "$($sudo docker image inspect -f '{{index .Config.Labels "org.maps-api.base-recipe"}}' "$ref" 2>/dev/null)" ]; then
    if $sudo docker image rm "$ref" >/dev/null; then
      echo "    removed $ref: a stand-in this project used to tag with the upstream name"
    else
      echo "    could not remove the stand-in tagged $ref (in use?): remove it with docker image rm $ref" >&2
    fi
  fi
done

# --- offline bases ---------------------------------------------------------------------------------------------
if registry_reachable; then
  echo "    a registry is reachable: builds pull the real base images"
else
  echo "    no registry reachable: building the offline stand-ins (project-owned names, see images/README.md)"
  bash "$REPO_ROOT/images/bases/build.sh"
fi

# Warm the layer cache with the project's own images (API, dev API, Varnish, emulator): the tests build the same
# Dockerfiles again and then download nothing.
echo "    building the project images with BuildKit (cached layers make this fast after the first time)"
start=$SECONDS
(cd "$REPO_ROOT" && images/docker.sh compose --profile dev build --quiet)
echo "    project images built in $((SECONDS - start))s"
