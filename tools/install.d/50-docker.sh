#!/usr/bin/env bash
# provides: docker-compose docker-buildx
# Docker as users have it: an engine (Debian's docker.io when none runs), Compose v2 and buildx (BuildKit) as CLI
# plugins at the versions pinned in tools/versions.env, built from the Go module proxy into
# $MAPS_TOOLS_DIR/docker-cli-plugins and found through a project-scoped DOCKER_CONFIG whose config.json lists that
# directory in `cliPluginsExtraDirs` (images/docker uses it; the user's ~/.docker is never touched).
# Where no registry is reachable: the offline stand-in bases under project-owned names (images/bases/build.sh) and
# BuildKit's Dockerfile frontend, which maps the upstream base names onto them (named build contexts).
# Finally a warm build of the project images, so the tests build from cache and download nothing.
set -euo pipefail
# shellcheck source=../../images/offline.sh
source "$REPO_ROOT/images/offline.sh"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo

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
    # No init system (CI containers): run dockerd detached, logging next to the other tools.
    log=$MAPS_TOOLS_DIR/dockerd.log
    $sudo setsid nohup dockerd >"$log" 2>&1 < /dev/null &
  fi
  for _ in $(seq 60); do $sudo docker info >/dev/null 2>&1 && break; sleep 1; done
  $sudo docker info >/dev/null 2>&1 || { echo "dockerd did not start (see ${log:-journalctl -u docker})" >&2; exit 1; }
fi
echo "    docker engine $($sudo docker version --format '{{.Server.Version}}') running"

# --- CLI plugins ------------------------------------------------------------------------------------------------
plugins=$MAPS_TOOLS_DIR/docker-cli-plugins
mkdir -p "$plugins"
plugin_version() { # name -> the version the plugin binary reports in its CLI-plugin metadata
  "$plugins/docker-$1" docker-cli-plugin-metadata 2>/dev/null | sed -n 's/.*"Version": *"\([^"]*\)".*/\1/p'
}
module_dir() { (cd /tmp && go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'); }

# A plugin the machine already has at the pinned version (the user's or a package's) is linked, not built.
existing_plugin() { # name version
  local dir candidate
  for dir in "${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins" /usr/local/lib/docker/cli-plugins \
    /usr/local/libexec/docker/cli-plugins /usr/lib/docker/cli-plugins /usr/libexec/docker/cli-plugins; do
    candidate=$dir/docker-$1
    [ -x "$candidate" ] || continue
    if [ "$("$candidate" docker-cli-plugin-metadata 2>/dev/null | sed -n 's/.*"Version": *"\([^"]*\)".*/\1/p')" = "$2" ]; then
      ln -sfn "$candidate" "$plugins/docker-$1"
      echo "    docker-$1 $2: using $candidate (nothing built)"
      return 0
    fi
  done
  return 1
}

if [ "$(plugin_version buildx)" = "$DOCKER_BUILDX_VERSION" ]; then
  echo "    docker-buildx $DOCKER_BUILDX_VERSION present"
elif ! existing_plugin buildx "$DOCKER_BUILDX_VERSION"; then
  echo "    building docker-buildx $DOCKER_BUILDX_VERSION from the Go module proxy (a few minutes once)"
  rm -f "$plugins/docker-buildx" # may be a link to another version: never write through it
  (cd /tmp && GOBIN=$plugins GOFLAGS=-trimpath nice -n 10 go install \
    -ldflags "-s -w -X github.com/docker/buildx/version.Version=$DOCKER_BUILDX_VERSION -X github.com/docker/buildx/version.Package=github.com/docker/buildx" \
    "github.com/docker/buildx/cmd/buildx@$DOCKER_BUILDX_VERSION")
  mv "$plugins/buildx" "$plugins/docker-buildx"
fi

# compose's go.mod has an `exclude` block, which `go install module@version` refuses: build ./cmd inside the module.
if [ "$(plugin_version compose)" = "$DOCKER_COMPOSE_VERSION" ]; then
  echo "    docker-compose $DOCKER_COMPOSE_VERSION present"
elif ! existing_plugin compose "$DOCKER_COMPOSE_VERSION"; then
  echo "    building docker-compose $DOCKER_COMPOSE_VERSION from the Go module proxy (a few minutes once)"
  rm -f "$plugins/docker-compose"
  dir=$(module_dir "github.com/docker/compose/v2@$DOCKER_COMPOSE_VERSION")
  (cd "$dir" && GOFLAGS=-trimpath nice -n 10 go build -o "$plugins/docker-compose" \
    -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$DOCKER_COMPOSE_VERSION" ./cmd)
fi

# The project's docker config: only the plugin directory. images/docker points DOCKER_CONFIG here (and keeps the
# engine the user's own context selects through DOCKER_HOST).
config=$MAPS_TOOLS_DIR/docker-config
mkdir -p "$config"
printf '{\n  "cliPluginsExtraDirs": ["%s"]\n}\n' "$plugins" > "$config/config.json.new"
mv "$config/config.json.new" "$config/config.json"
DOCKER_CONFIG=$config docker compose version >/dev/null
echo "    $(DOCKER_CONFIG=$config docker compose version), $(DOCKER_CONFIG=$config docker buildx version | cut -d' ' -f1,2)"

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
  # BuildKit's Dockerfile frontend at the release buildx uses: Debian's dockerd 20.10 has a built-in frontend that
  # predates named build contexts. Same `exclude` block as compose, so it is built inside the module too.
  frontend=$MAPS_TOOLS_DIR/docker-offline/dockerfile-frontend
  if [ -x "$frontend" ] && [ "$(cat "$frontend.version" 2>/dev/null)" = "$DOCKERFILE_FRONTEND_BUILDKIT_VERSION" ]; then
    echo "    dockerfile-frontend (buildkit $DOCKERFILE_FRONTEND_BUILDKIT_VERSION) present"
  else
    echo "    building BuildKit's dockerfile-frontend $DOCKERFILE_FRONTEND_BUILDKIT_VERSION (a few minutes once)"
    mkdir -p "$(dirname "$frontend")"
    dir=$(module_dir "github.com/moby/buildkit@$DOCKERFILE_FRONTEND_BUILDKIT_VERSION")
    (cd "$dir" && CGO_ENABLED=0 GOFLAGS=-trimpath nice -n 10 go build -o "$frontend" -ldflags "-s -w" \
      -tags "netgo static_build osusergo" ./frontend/dockerfile/cmd/dockerfile-frontend)
    echo "$DOCKERFILE_FRONTEND_BUILDKIT_VERSION" > "$frontend.version"
  fi
  bash "$REPO_ROOT/images/bases/build.sh"
fi

# Warm the layer cache with the project's own images (API, dev API, Varnish, emulator): the tests build the same
# Dockerfiles again and then download nothing.
echo "    building the project images with BuildKit (cached layers make this fast after the first time)"
start=$SECONDS
(cd "$REPO_ROOT" && images/docker compose --profile dev build --quiet)
echo "    project images built in $((SECONDS - start))s"
