#!/usr/bin/env bash
# provides: chromium
# Debian's Chromium for the viewer's real-browser test (viewer/viewer.test.ts drives it with playwright-core).
# Debian's candidate, like the other apt packages: its security updates keep moving the exact version, and the
# driver talks CDP, which every recent Chromium speaks. No browser is ever downloaded by npm packages.
set -euo pipefail
if dpkg -s chromium >/dev/null 2>&1 && [ -x /usr/bin/chromium ]; then
  echo "    $(/usr/bin/chromium --version 2>/dev/null | head -1) present"
  exit 0
fi
command -v apt-get >/dev/null || { echo "apt-get not found: install Chromium yourself (devbox shell on macOS)" >&2; exit 1; }
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium
echo "    $(/usr/bin/chromium --version 2>/dev/null | head -1) installed"
