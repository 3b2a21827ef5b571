#!/usr/bin/env bash
# Installs every tool the tests and the local stack need, into a cache dir ($MAPS_TOOLS_DIR). Safe to rerun:
# each step skips what is already there. Usage: tools/install.sh [step ...]  (steps: tools/install.d/*.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
set -a
# shellcheck source=versions.env
source "$here/versions.env"
set +a
export MAPS_TOOLS_DIR=${MAPS_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/maps-api}
export REPO_ROOT=$repo
mkdir -p "$MAPS_TOOLS_DIR/bin"
export PATH="$MAPS_TOOLS_DIR/bin:$PATH:$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"

steps=("$@")
if [ ${#steps[@]} -eq 0 ]; then
  for f in "$here"/install.d/*.sh; do steps+=("$(basename "$f" .sh)"); done
fi
for step in "${steps[@]}"; do
  file=$(ls "$here"/install.d/*"$step".sh 2>/dev/null | head -1)
  [ -n "$file" ] || { echo "unknown install step: $step" >&2; exit 2; }
  start=$(date +%s)
  echo "==> install $(basename "$file" .sh)"
  bash "$file"
  echo "    done in $(( $(date +%s) - start ))s"
done
