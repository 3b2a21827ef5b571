#!/usr/bin/env bash
# provides: containerd runc docker-registry pause
# The rehearsal cluster's node runtime (rehearsal/README.md): Debian's containerd + runc, the CNI plugins, conntrack
# (kube-proxy), the CNCF distribution registry, and the pod sandbox ("pause") binary compiled from rehearsal/pause.
set -euo pipefail
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
packages=(containerd runc containernetworking-plugins conntrack iptables docker-registry)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || { echo "apt-get not found: install ${missing[*]} yourself, or use kind (rehearsal/README.md)" >&2; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian starts the registry as a service where an init system runs; the cluster runs its own on another port.
$sudo systemctl disable --now docker-registry >/dev/null 2>&1 || true

bin=$MAPS_TOOLS_DIR/cluster/bin
mkdir -p "$bin"
src=$REPO_ROOT/rehearsal/pause/pause.c
want=$(sha256sum "$src" | cut -d' ' -f1)
if [ ! -x "$bin/pause" ] || [ "$(cat "$bin/.pause.sha" 2>/dev/null)" != "$want" ]; then
  gcc -static -O2 -Wall -Werror -o "$bin/pause" "$src"
  strip "$bin/pause"
  echo "$want" > "$bin/.pause.sha"
fi
echo "    containerd $(dpkg-query -W -f '${Version}' containerd), runc $(dpkg-query -W -f '${Version}' runc), pause ready"
