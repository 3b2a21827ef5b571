#!/usr/bin/env bash
# The README's first command on a newcomer's machine (tools/newcomer/README.md): a clean Debian container, a normal
# user with sudo and only the README's prerequisites, a fresh clone of HEAD, `./dev start`.
set -euo pipefail
usage="Usage: tools/newcomer/run.sh [trixie] [bookworm]
A clean Debian container per suite (default: both), a normal user with sudo and only the README's prerequisites,
a fresh clone of HEAD, then ./dev start:
  trixie     must serve the README's tile through Varnish within \$NEWCOMER_BUDGET seconds (default 1200)
  bookworm   must stop at Python 3.13 naming the commands for Debian 12 and Ubuntu 24.04
Shares this machine's npm, pip and Go caches (bindfs shows them to the container's user as its own; what it writes
stays owned by their owner). Needs the Docker engine and bases of tools/install.sh docker, and bindfs.
  -h, --help   print this help"
suites=()
for arg in "$@"; do
  case "$arg" in
    -h | --help) echo "$usage"; exit 0 ;;
    trixie | bookworm) suites+=("$arg") ;;
    *) printf 'unknown argument: %s\n%s\n' "$arg" "$usage" >&2; exit 2 ;;
  esac
done
[ ${#suites[@]} -gt 0 ] || suites=(trixie bookworm)
cd "$(dirname "$0")/../.."
export MAPS_TOOLS_DIR=${MAPS_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/maps-api}
set -a
# shellcheck source=../versions.env
source tools/versions.env
set +a
# shellcheck source=../../images/offline.sh
source images/offline.sh
budget=${NEWCOMER_BUDGET:-1200}
tile_path=$(sed -n 's/^tile_path=//p' .ci/run)
user_uid=1000 # the Dockerfile's newcomer
fail() { echo "tools/newcomer/run.sh: $*" >&2; exit 1; }

# The prerequisites table of the README: backquoted commands in its first column, Debian packages in its third.
table=$(awk '/^### Prerequisites/ {on = 1; next} on && /^\|/ {seen = 1; print; next} seen {exit}' README.md | tail -n +3)
[ -n "$table" ] || fail "no prerequisites table under '### Prerequisites' in README.md"
packages=$(printf '%s\n' "$table" | awk -F'|' '{print $4}' | grep -o '`[^`]*`' | tr -d '`' | xargs)
commands=$(printf '%s\n' "$table" | awk -F'|' '{print $2}' | grep -o '`[^`]*`' | tr -d '`' | xargs)

work=$(mktemp -d /tmp/maps-newcomer.XXXXXX)
mounts=()
container=""
cleanup() {
  [ -z "$container" ] || docker rm -f "$container" >/dev/null 2>&1 || true
  for mount in ${mounts[@]+"${mounts[@]}"}; do umount "$mount" 2>/dev/null || umount -l "$mount" || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# A fresh clone is of what is committed.
[ -z "$(git status --porcelain)" ] || echo "    (uncommitted changes are not in the clone: it is of HEAD $(git rev-parse --short HEAD))"
git bundle create "$work/maps-api.bundle" HEAD 2>/dev/null

# This machine's caches, seen by the container's user as its own: bindfs maps their owner to that user and back, so
# whatever the container writes is stored owned by the caches' owner (root on CI) and stays usable by it.
cache_mounts=()
share_cache() { # host-dir container-dir
  local host=$1 inside=$2 view owner
  [ -n "$host" ] && [ -d "$host" ] || return 0
  owner=$(stat -c %u "$host"):$(stat -c %g "$host")
  view=$work/caches/$(basename "$inside")-$RANDOM
  mkdir -p "$view"
  bindfs -o allow_other --map="${owner%:*}/$user_uid:@${owner#*:}/@$user_uid" "$host" "$view"
  mounts+=("$view")
  cache_mounts+=(-v "$view:$inside")
}
command -v bindfs >/dev/null || fail "bindfs is missing: tools/install.sh test-packages"
[ "$(id -u)" -eq 0 ] || fail "run as root (bindfs maps the caches' owner; CI runs as root)"
share_cache "$(npm config get cache 2>/dev/null || true)" /home/newcomer/.npm
share_cache "$(python3 -m pip cache dir 2>/dev/null || echo "$HOME/.cache/pip")" /home/newcomer/.cache/pip
share_cache "$(go env GOMODCACHE 2>/dev/null || true)" /home/newcomer/go/pkg/mod
share_cache "$(go env GOCACHE 2>/dev/null || true)" /home/newcomer/.cache/go-build

# A TLS-inspecting proxy's CA (this machine's network, not a prerequisite): the stand-in bases trust it
# (images/README.md); the pinned Node and uv read the system store only when told.
tls_env=()
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
  tls_env=(-e NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt -e SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt)
fi

in_container() { docker exec -u newcomer -w /home/newcomer "$container" "$@"; }

start_newcomer() { # suite
  local suite=$1 image=maps-api-newcomer/$1:local started=$SECONDS
  echo "==> newcomer on Debian $suite: image with only the README's prerequisites ($packages)"
  local base=debian:$suite-slim mapped=()
  # images/docker.sh maps the bases the project's images name onto the offline stand-ins; bookworm is named by none of
  # them, but images/bases/build.sh builds its stand-in too.
  if ! registry_reachable && [[ " ${OFFLINE_BASES[*]} " != *" $base "* ]]; then
    docker image inspect "$OFFLINE_PREFIX$base" >/dev/null 2>&1 ||
      fail "no $OFFLINE_PREFIX$base: run tools/install.sh docker (images/bases/build.sh)"
    mapped=(--build-context "$base=docker-image://$OFFLINE_PREFIX$base")
  fi
  images/docker.sh buildx build --quiet --build-arg "BASE=$base" --build-arg "PACKAGES=$packages" \
    ${mapped[@]+"${mapped[@]}"} -t "$image" tools/newcomer >/dev/null
  echo "    image ready in $((SECONDS - started))s"
  container=maps-newcomer-$suite-$$
  docker run -d --init --name "$container" --network bridge ${tls_env[@]+"${tls_env[@]}"} "${cache_mounts[@]}" \
    -v "$work/maps-api.bundle:/tmp/maps-api.bundle:ro" "$image" sleep infinity >/dev/null
  # The machine is what the README promises: a normal user with sudo, the prerequisites, nothing the stack installs.
  # shellcheck disable=SC2016 # expanded in the container
  in_container bash -c '
    set -e
    [ "$(id -u)" -ne 0 ] && [ "$PATH" = /usr/local/bin:/usr/bin:/bin ] && sudo -n true
    for c in '"$commands"'; do command -v "$c" >/dev/null || { echo "prerequisite $c missing" >&2; exit 1; }; done
    for c in varnishd curl helm local-bigquery; do
      if command -v "$c" >/dev/null || [ -e "/usr/sbin/$c" ]; then echo "$c is there before ./dev start" >&2; exit 1; fi
    done
    git -c advice.detachedHead=false -c init.defaultBranch=main clone -q /tmp/maps-api.bundle maps-api'
}

stop_newcomer() {
  docker rm -f "$container" >/dev/null 2>&1 || true
  container=""
}

trixie() {
  start_newcomer trixie
  local log=$work/trixie.log served="" started=$SECONDS dev
  echo "==> newcomer on Debian trixie: ./dev start, until curl in the container gets $tile_path through Varnish (:8080)"
  in_container bash -c 'cd maps-api && exec ./dev start' >"$log" 2>&1 &
  dev=$!
  tail -n +1 -f --pid="$dev" "$log" | sed -u 's/^/    | /' &
  while [ $((SECONDS - started)) -lt "$budget" ]; do
    served=$(in_container curl -s -o /dev/null -w '%{http_code} %{size_download}' "http://127.0.0.1:8080$tile_path" 2>/dev/null || true)
    [[ "$served" == "200 "* ]] && break
    kill -0 "$dev" 2>/dev/null || break
    sleep 1
  done
  local seconds=$((SECONDS - started))
  stop_newcomer
  wait "$dev" 2>/dev/null || true
  [[ "$served" == "200 "* ]] ||
    fail "Debian trixie: ./dev start served no tile through Varnish in ${seconds}s (budget ${budget}s; last answer: ${served:-none})"
  echo "    Debian trixie: tile through Varnish (${served#200 } bytes) ${seconds}s after ./dev start (budget ${budget}s)"
  awk '/^==> install / {step = $3} /^    done in / {printf "%s %s, ", step, $3}
    /^added [0-9]+ packages in / {printf "npm ci %s, ", $NF} /^==> npm start/ {print "npm start " $0}' "$log" |
    sed 's/npm start ==> npm start (tools ready in \(.*\))/then the stack (tools ready in \1)/; s/^/    steps: /' || true
}

bookworm() {
  start_newcomer bookworm
  local log=$work/bookworm.log started=$SECONDS code=0 missing=()
  echo "==> newcomer on Debian bookworm: ./dev start must stop at Python 3.13 with the commands for Debian 12 and Ubuntu 24.04"
  timeout "$budget" docker exec -u newcomer -w /home/newcomer "$container" bash -c 'cd maps-api && exec ./dev start' \
    >"$log" 2>&1 || code=$?
  sed 's/^/    | /' "$log"
  stop_newcomer
  [ "$code" -ne 0 ] && [ "$code" -ne 124 ] || fail "Debian bookworm: ./dev start exited $code (expected to stop at Python 3.13)"
  for line in 'uv python install 3.13' 'Debian 12' 'pyenv install 3.13' 'Ubuntu 24.04' 'ppa:deadsnakes/ppa' \
    'python3.13 python3.13-venv'; do
    grep -qF "$line" "$log" || missing+=("$line")
  done
  ! grep -q '^==> npm start' "$log" || missing+=("(no npm start)")
  [ ${#missing[@]} -eq 0 ] || fail "Debian bookworm: the Python 3.13 message lacks: ${missing[*]}"
  echo "    Debian bookworm: stopped at Python 3.13 with the commands, $((SECONDS - started))s after ./dev start"
}

for suite in "${suites[@]}"; do "$suite"; done
