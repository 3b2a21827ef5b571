#!/usr/bin/env bash
# provides: nginx wrk jq debootstrap docker dockerd
# System packages only the test suite and the benchmarks need (Debian/Ubuntu; on macOS use `devbox shell`): nginx
# and wrk (bench/), jq, xz-utils, debootstrap (offline image bases) and the Docker client and engine (images/).
set -euo pipefail
packages=(nginx-light wrk jq ca-certificates xz-utils debootstrap docker.io)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then echo "    apt packages present"; exit 0; fi
# shellcheck source=../lib/apt.sh
source "$REPO_ROOT/tools/lib/apt.sh"
apt_install nginx "${missing[@]}"
