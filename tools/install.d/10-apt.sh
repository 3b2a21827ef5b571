#!/usr/bin/env bash
# provides: varnishd varnishadm varnishtest curl
# The system programs the local stack needs (./dev start): varnishd, and curl to try it. Debian's packages on
# Debian/Ubuntu; a machine (or `devbox shell`) that already has both commands on PATH installs nothing. The test
# suite's own system packages are step 12-test-packages.
set -euo pipefail
# Plain bash 3.2 (macOS's /bin/bash runs this step under Devbox): no associative arrays, no mapfile.
missing=()
command -v varnishd >/dev/null && command -v varnishtest >/dev/null || missing+=(varnish)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -eq 0 ]; then
  echo "    using $(varnishd -V 2>&1 | grep -oE 'varnish-[0-9.]+' | head -1) ($(command -v varnishd)) and curl: nothing installed"
  exit 0
fi
missing+=(ca-certificates)
# shellcheck source=../lib/apt.sh
source "$REPO_ROOT/tools/lib/apt.sh"
apt_install varnish "${missing[@]}"
