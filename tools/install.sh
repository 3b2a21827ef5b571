#!/usr/bin/env bash
# Installs every tool the tests and the local stack need, into a cache dir ($MAPS_TOOLS_DIR). Safe to rerun:
# each step skips what is already there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

usage() {
  cat <<USAGE
Usage: tools/install.sh [step ...]
Installs the pinned tools (tools/versions.env) into \$MAPS_TOOLS_DIR (default ~/.cache/maps-api); every step is
idempotent and skips what is already installed. With no step, runs all of them in order.
Steps: $(cd "$here/install.d" && ls ./*.sh | sed 's|^\./||; s|\.sh$||' | tr '\n' ' ')
(a step may be named without its number, e.g. \`tools/install.sh helm\`)
Options: -h, --help  print this help
USAGE
}
for arg in "$@"; do
  case "$arg" in
    -h | --help) usage; exit 0 ;;
    -*) echo "unknown option: $arg" >&2; usage >&2; exit 2 ;;
  esac
done

set -a
# shellcheck source=versions.env
source "$here/versions.env"
set +a
export MAPS_TOOLS_DIR=${MAPS_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/maps-api}
export REPO_ROOT=$repo
mkdir -p "$MAPS_TOOLS_DIR/bin"
export PATH="$MAPS_TOOLS_DIR/bin:$PATH:$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"
# The pinned Node (05-node), once installed, comes first for every later step.
node_bin=$MAPS_TOOLS_DIR/node/$NODE_VERSION/bin
use_pinned_node() { if [ -x "$node_bin/node" ] && [[ ":$PATH:" != *":$node_bin:"* ]]; then PATH="$node_bin:$PATH"; fi; }
use_pinned_node

steps=("$@")
if [ ${#steps[@]} -eq 0 ]; then
  for f in "$here"/install.d/*.sh; do steps+=("$(basename "$f" .sh)"); done
fi
files=()
for step in "${steps[@]}"; do
  file=$(ls "$here"/install.d/*"$step".sh 2>/dev/null | head -1)
  [ -n "$file" ] || { echo "unknown install step: $step" >&2; usage >&2; exit 2; }
  files+=("$file")
done
for i in "${!files[@]}"; do
  file=${files[$i]}
  start=$(date +%s)
  echo "==> install $(basename "$file" .sh) ($((i + 1))/${#files[@]})"
  bash "$file"
  use_pinned_node
  echo "    done in $(( $(date +%s) - start ))s"
done
