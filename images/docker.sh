#!/usr/bin/env bash
# `docker` as this project's tests, tools/install.sh and README run it: Compose v2 and buildx at the pinned versions
# (tools/install.sh docker builds them into $MAPS_TOOLS_DIR/docker-cli-plugins; a project-scoped DOCKER_CONFIG lists
# that directory in `cliPluginsExtraDirs`, so the user's ~/.docker is untouched) and BuildKit for every build.
# Where no registry is reachable, builds map the upstream base names onto the offline stand-ins (images/offline.sh):
# compose.yaml reads MAPS_API_BASE_PREFIX and BUILDKIT_SYNTAX; `build` (run as `buildx build`) gets the flags added.
#   images/docker.sh compose up --build -d          images/docker.sh buildx build -f api/Dockerfile -t maps-api/api .
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
set -a
# shellcheck source=../tools/versions.env
source "$here/../tools/versions.env"
set +a
# shellcheck source=offline.sh
source "$here/offline.sh"
config=${MAPS_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/maps-api}/docker-config
[ -f "$config/config.json" ] || { echo "images/docker.sh: no $config/config.json: run tools/install.sh docker" >&2; exit 1; }

# Keep the engine the user's own config selects (e.g. a Docker Desktop context), then switch to the project config.
if [ -z "${DOCKER_HOST:-}" ]; then
  DOCKER_HOST=$(docker context inspect --format '{{.Endpoints.docker.Host}}')
  export DOCKER_HOST
fi
unset DOCKER_CONTEXT
export DOCKER_CONFIG=$config DOCKER_BUILDKIT=1

args=("$@")
# `build` is always buildx's, whatever the CLI's version: never the legacy builder.
[ "${1:-}" = build ] && args=(buildx "$@")
if ! registry_reachable; then
  export MAPS_API_BASE_PREFIX=$OFFLINE_PREFIX BUILDKIT_SYNTAX=$OFFLINE_FRONTEND
  if [ "${args[0]:-} ${args[1]:-}" = "buildx build" ]; then
    flags=(--build-arg "BUILDKIT_SYNTAX=$BUILDKIT_SYNTAX")
    for base in "${OFFLINE_BASES[@]}"; do flags+=(--build-context "$base=docker-image://$OFFLINE_PREFIX$base"); done
    args=(buildx build "${flags[@]}" "${args[@]:2}")
  fi
fi
exec docker "${args[@]}"
