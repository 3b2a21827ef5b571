#!/usr/bin/env bash
# provides: nginx wrk jq debootstrap docker dockerd bindfs
# System packages only the test suite and the benchmarks need (Debian/Ubuntu; on macOS use `devbox shell`): nginx
# and wrk (bench/), jq, xz-utils, debootstrap (offline image bases), the Docker client and engine (images/) and bindfs
# (tools/newcomer/ shows this machine's caches to a container's normal user).
# Their programs are linked into $MAPS_TOOLS_DIR/bin (nginx, debootstrap and dockerd live in /usr/sbin).
set -euo pipefail
# shellcheck source=../lib/apt.sh
source "$REPO_ROOT/tools/lib/apt.sh"
packages=(nginx-light wrk jq ca-certificates xz-utils debootstrap docker.io bindfs)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then echo "    apt packages present"; else apt_install nginx "${missing[@]}"; fi
link_programs nginx nginx
link_programs wrk wrk
link_programs jq jq
link_programs debootstrap debootstrap
link_programs docker.io docker dockerd
link_programs bindfs bindfs
