#!/usr/bin/env bash
# A Docker engine (Debian's docker.io + docker-compose), started if not running, then the offline base images
# (images/bases/build.sh: no registry is reachable, so node:22-bookworm-slim & co. are built from Debian + npm).
set -euo pipefail
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
missing=()
for p in docker.io docker-compose; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || { echo "apt-get not found: install Docker and docker compose yourself" >&2; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! $sudo docker info >/dev/null 2>&1; then
  if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
    $sudo systemctl start docker
  else
    # No init system (CI containers): run dockerd detached, logging next to the other tools.
    log=$MAPS_TOOLS_DIR/dockerd.log
    $sudo setsid nohup /usr/sbin/dockerd >"$log" 2>&1 < /dev/null &
  fi
  for _ in $(seq 60); do $sudo docker info >/dev/null 2>&1 && break; sleep 1; done
  $sudo docker info >/dev/null 2>&1 || { echo "dockerd did not start (see ${log:-journalctl -u docker})" >&2; exit 1; }
fi
echo "    docker $($sudo docker version --format '{{.Server.Version}}') running"
bash "$REPO_ROOT/images/bases/build.sh"

# Warm the layer cache with the project's own images (API, dev API, Varnish, emulator): the tests build the same
# Dockerfiles again and then download nothing.
echo "    building the project images (cached layers make this fast after the first time)"
(cd "$REPO_ROOT" && $sudo docker-compose --profile dev build -q)
