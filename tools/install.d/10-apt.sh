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
command -v apt-get >/dev/null || { echo "apt-get not found: install ${missing[*]} yourself or use devbox shell" >&2; exit 1; }
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
echo "    apt-get install ${missing[*]}"
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian starts a varnish service on install; the stack and the tests run their own instances on other ports.
$sudo systemctl disable --now varnish >/dev/null 2>&1 || $sudo service varnish stop >/dev/null 2>&1 || true
