#!/usr/bin/env bash
# provides: varnishd varnishadm varnishtest varnishstat curl
# The system programs the local stack needs (./dev start): curl to try it, and varnishd and its tools for machines
# without Docker (with Docker the stack runs production's Varnish image instead: local-varnish/runtime.ts), with
# varnish-modules' vsthrottle, which the VCL imports (the miss budget). Debian's packages on Debian/Ubuntu; a machine
# (or `devbox shell`) that already has them installs nothing. Found wherever the
# distribution put them (Debian: /usr/sbin/varnishd, not on a normal user's PATH) and linked into $MAPS_TOOLS_DIR/bin.
# The test suite's own system packages are step 12-test-packages.
set -euo pipefail
# Plain bash 3.2 (macOS's /bin/bash runs this step under Devbox): no associative arrays, no mapfile.
# shellcheck source=../lib/apt.sh
source "$REPO_ROOT/tools/lib/apt.sh"
varnish_programs="varnishd varnishadm varnishtest varnishstat"
missing=()
for program in $varnish_programs; do
  find_program "$program" varnish >/dev/null || { missing+=(varnish); break; }
done
# True when this varnishd compiles a VCL importing vsthrottle (Devbox: its vmods are on VARNISH_VMOD_PATH).
vsthrottle_importable() {
  local dir rc=0
  dir=$(mktemp -d)
  printf 'vcl 4.1;\nimport vsthrottle;\nbackend b none;\nsub vcl_recv { if (vsthrottle.is_denied("k", 1, 1s)) { return (synth(429)); } }\n' >"$dir/t.vcl"
  "$1" -C -j none -n "$dir/n" -f "$dir/t.vcl" ${VARNISH_VMOD_PATH:+-p "vmod_path=$VARNISH_VMOD_PATH"} >/dev/null 2>&1 || rc=$?
  rm -rf "$dir"
  return $rc
}
if [ ${#missing[@]} -eq 0 ]; then
  vsthrottle_importable "$(find_program varnishd varnish)" || missing+=(varnish-modules)
else
  missing+=(varnish-modules)
fi
find_program curl curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then apt_install varnish "${missing[@]}" ca-certificates; fi
# shellcheck disable=SC2086 # a word list
link_programs varnish $varnish_programs
link_programs curl curl
varnishd=$(find_program varnishd varnish)
echo "    using $("$varnishd" -V 2>&1 | grep -oE 'varnish-[0-9.]+' | head -1) ($varnishd) with vsthrottle, and curl, linked into $MAPS_TOOLS_DIR/bin"
