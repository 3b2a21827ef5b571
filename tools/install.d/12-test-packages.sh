#!/usr/bin/env bash
# provides: nginx wrk jq debootstrap docker dockerd
# System packages only the test suite and the benchmarks need (Debian/Ubuntu; on macOS use `devbox shell`): nginx
# and wrk (bench/), jq, xz-utils, debootstrap (offline image bases) and the Docker client and engine (images/).
set -euo pipefail
packages=(nginx-light wrk jq ca-certificates xz-utils debootstrap docker.io)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then echo "    apt packages present"; exit 0; fi
command -v apt-get >/dev/null || { echo "apt-get not found: install ${missing[*]} yourself or use devbox shell" >&2; exit 1; }
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
echo "    apt-get install ${missing[*]}"
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian starts an nginx service on install; the benchmarks run their own instances on other ports.
$sudo systemctl disable --now nginx >/dev/null 2>&1 || $sudo service nginx stop >/dev/null 2>&1 || true
