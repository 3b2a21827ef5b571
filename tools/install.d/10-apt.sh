#!/usr/bin/env bash
# System packages from Debian (Linux CI and dev machines; on macOS use `devbox shell` instead).
set -euo pipefail
packages=(varnish nginx-light wrk jq curl ca-certificates xz-utils debootstrap docker.io)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then echo "    apt packages present"; exit 0; fi
command -v apt-get >/dev/null || { echo "apt-get not found: install ${missing[*]} yourself or use devbox shell" >&2; exit 1; }
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian starts varnish/nginx services on install; tests run their own instances on other ports.
for svc in varnish nginx; do $sudo systemctl disable --now "$svc" >/dev/null 2>&1 || $sudo service "$svc" stop >/dev/null 2>&1 || true; done
