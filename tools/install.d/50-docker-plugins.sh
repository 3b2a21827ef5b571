#!/usr/bin/env bash
# provides: docker-compose docker-buildx
# Docker's CLI plugins as users have them: Compose v2 and buildx (BuildKit) at the versions pinned in
# tools/versions.env, built from the Go module proxy into $MAPS_TOOLS_DIR/docker-cli-plugins and found through a
# project-scoped DOCKER_CONFIG whose config.json lists that directory in `cliPluginsExtraDirs` (images/docker.sh uses it;
# the user's ~/.docker is never touched). Where no registry is reachable, also BuildKit's Dockerfile frontend, which
# maps the upstream base names onto the offline stand-ins. Files only: 51-docker starts the engine.
set -euo pipefail
# shellcheck source=../../images/offline.sh
source "$REPO_ROOT/images/offline.sh"

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

# The project's docker config: only the plugin directory. images/docker.sh points DOCKER_CONFIG here (and keeps the
# engine the user's own context selects through DOCKER_HOST).
config=$MAPS_TOOLS_DIR/docker-config
mkdir -p "$config"
want=$(printf '{\n  "cliPluginsExtraDirs": ["%s"]\n}' "$plugins")
# Written only when it changed (no temporary file either): a run that finds everything installed writes nothing (the
# toolbox check).
[ "$(cat "$config/config.json" 2>/dev/null)" = "$want" ] || printf '%s\n' "$want" > "$config/config.json"
echo "    $(DOCKER_CONFIG=$config docker compose version), $(DOCKER_CONFIG=$config docker buildx version | cut -d' ' -f1,2)"


if ! registry_reachable; then
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
fi
