#!/usr/bin/env bash
# Builds the toolbox image here with BuildKit (images/docker.sh), as maps-api/toolbox:<tag>, sharing this machine's Go
# build, pip and npm caches with the build (named contexts, the bases of the build's cache mounts: tools/toolbox/README.md;
# Go modules come from the Go module proxy, cheaper than sending the module cache). Offline, the upstream bases map
# onto the stand-ins (images/README.md), Python's and gcloud's too.
set -euo pipefail
usage="Usage: tools/toolbox/build.sh [--target STAGE]
Builds maps-api/toolbox:<tag> (tag: tools/toolbox/tag.sh) with the machine's Go build, pip and npm caches; prints the
tag, the image size and the build time (full BuildKit log: \$MAPS_TOOLS_DIR/toolbox/build.log). Needs tools/install.sh
docker (engine, buildx) first.
  --target STAGE   stop at a stage of tools/toolbox/Dockerfile (to debug it; no image is tagged)
  -h, --help       print this help"
target=""
while [ $# -gt 0 ]; do
  case "$1" in
    --target) [ $# -ge 2 ] || { printf '%s\n' "--target needs a stage" "$usage" >&2; exit 2; }; target=$2; shift ;;
    -h | --help) echo "$usage"; exit 0 ;;
    *) printf 'unknown argument: %s\n%s\n' "$1" "$usage" >&2; exit 2 ;;
  esac
  shift
done
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
set -a
# shellcheck source=../versions.env
source "$repo/tools/versions.env"
set +a
# shellcheck source=../../images/offline.sh
source "$repo/images/offline.sh"
export MAPS_TOOLS_DIR=${MAPS_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/maps-api}
started=$SECONDS

# A fixed context directory, so BuildKit's copy of it is updated, not sent anew.
context=$MAPS_TOOLS_DIR/toolbox/context
rm -rf "$context"
tag=$("$here/tag.sh" --context "$context")
image=maps-api/toolbox:$tag
echo "==> toolbox $image"

seed() { # name dir: a cache the build's cache mount starts from (an empty directory when the machine has none)
  local dir=$2
  if [ ! -d "$dir" ]; then dir=$MAPS_TOOLS_DIR/toolbox/empty; mkdir -p "$dir"; fi
  args+=(--build-context "$1=$dir")
  seeds+=("$dir")
}
args=() seeds=()
seed go-build-seed "$(go env GOCACHE 2>/dev/null || echo "$HOME/.cache/go-build")"
seed pip-seed "${PIP_CACHE_DIR:-$HOME/.cache/pip}"
seed npm-seed "$(npm config get cache 2>/dev/null || echo "$HOME/.npm")"

# Go refreshes the mtime of each cache entry it uses when it is older than an hour, and overlayfs then copies the whole
# entry up out of the seed (10 of 14.5 GB on 2026-12-06, docs/measurements.md). Refreshed here first, as Go itself
# would, a build within the hour copies nothing up.
find "${seeds[0]}" -type f -exec touch -c -m {} +
# Disk, before anything is sent: BuildKit's copy of the seeds, then the Go modules and the layers: the seeds + 12 GB.
# On a shared disk, stop before filling it.
seeds_gb=$(du -sk "${seeds[@]}" 2>/dev/null | awk '{s += $1} END {printf "%d", s / 1048576}')
root=$(docker info -f '{{.DockerRootDir}}')
free_gb=$(df -Pk "$root" | awk 'NR == 2 {printf "%d", $4 / 1048576}')
need_gb=$((seeds_gb + 12))
if [ "$free_gb" -lt "$need_gb" ]; then
  echo "toolbox build needs ~${need_gb} GB free under $root (${seeds_gb} GB of seeds + 12 GB), has ${free_gb} GB" >&2
  exit 1
fi
echo "    seeds ${seeds_gb} GB; ${free_gb} GB free under $root (needs ~${need_gb} GB)"

if ! registry_reachable; then
  # python:3.13-slim-bookworm has no stand-in in images/bases (no project image needs it): built here from this
  # machine's Python 3.13, under the stand-ins' prefix, skipped while its recipe (label) is unchanged.
  # shellcheck source=../lib/python.sh
  source "$repo/tools/lib/python.sh"
  python=$(find_python 13) || { echo "no Python >= 3.13 on this machine for the offline python stand-in" >&2; exit 1; }
  prefix=$("$python" -c 'import sys; print(sys.base_prefix)')
  standin=${OFFLINE_PREFIX}python:3.13-slim-bookworm
  bookworm=$(docker image inspect -f '{{.Id}}' "${OFFLINE_PREFIX}debian:bookworm-slim")
  recipe=$(cat "$here/offline-python.Dockerfile" <(echo "$prefix $("$python" --version) $bookworm") | sha256sum | cut -c1-16)
  if [ "$(docker image inspect -f '{{index .Config.Labels "org.maps-api.base-recipe"}}' "$standin" 2>/dev/null)" != "$recipe" ]; then
    echo "    building $standin from $prefix"
    pyctx=$MAPS_TOOLS_DIR/toolbox/python-context
    rm -rf "$pyctx" && mkdir -p "$pyctx/python"
    (cd "$prefix" && tar -c --exclude='lib/python3.*/test' --exclude='__pycache__' bin include lib share 2>/dev/null) |
      tar -C "$pyctx/python" -x
    "$repo/images/docker.sh" buildx build --quiet --label "org.maps-api.base-recipe=$recipe" \
      -f "$here/offline-python.Dockerfile" -t "$standin" "$pyctx" >/dev/null
    rm -rf "$pyctx"
  fi
  args+=(--build-context "python:3.13-slim-bookworm=docker-image://$standin")

  # The pinned google-cloud-cli image (stage gcloud) likewise: from this machine's Google Cloud SDK, tagged with its
  # version (not the pinned one), only the parts the slim image has (offline-gcloud.Dockerfile).
  gcloud=$(command -v gcloud) || { echo "no gcloud on this machine for the offline google-cloud-cli stand-in" >&2; exit 1; }
  sdk=$(dirname "$(dirname "$(readlink -f "$gcloud")")")
  gstandin=${OFFLINE_PREFIX}google-cloud-cli:$(cat "$sdk/VERSION")-this-machine
  recipe=$(cat "$here/offline-gcloud.Dockerfile" <(echo "$sdk") | sha256sum | cut -c1-16)
  if [ "$(docker image inspect -f '{{index .Config.Labels "org.maps-api.base-recipe"}}' "$gstandin" 2>/dev/null)" != "$recipe" ]; then
    echo "    building $gstandin from $sdk"
    "$repo/images/docker.sh" buildx build --quiet --label "org.maps-api.base-recipe=$recipe" \
      -f "$here/offline-gcloud.Dockerfile" -t "$gstandin" "$sdk" >/dev/null
  fi
  args+=(--build-context "gcloud=docker-image://$gstandin")
fi

log=$MAPS_TOOLS_DIR/toolbox/build.log
if [ -n "$target" ]; then args+=(--target "$target"); else args+=(-t "$image"); fi
set +e
"$repo/images/docker.sh" buildx build --progress=plain "${args[@]}" -f "$here/Dockerfile" "$context" 2>&1 | tee "$log" |
  grep --line-buffered -E '^#[0-9]+ \[|==> install|    done in|ERROR'
status=${PIPESTATUS[0]}
set -e
[ "$status" -eq 0 ] || { echo "toolbox build failed (exit $status): see $log" >&2; exit 1; }
if [ -n "$target" ]; then echo "    stage $target built in $((SECONDS - started))s"; exit 0; fi
size=$(docker image inspect -f '{{.Size}}' "$image")
echo "    $image: $(numfmt --to=iec "$size"), built in $((SECONDS - started))s"
