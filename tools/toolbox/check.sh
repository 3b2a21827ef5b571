#!/usr/bin/env bash
# Proves the toolbox image (tools/toolbox/build.sh) holds every tool: in a container from it, over this checkout
# (read-only), `./dev test`'s install checks find every step done and do no work. Fails naming each file a step
# wrote (under the tools dir, /usr, /etc, /var/lib/dpkg); without a network, a step that tried to download fails too.
# 51-docker is not among them: it starts the engine wherever the suite runs (`# at start:`), a service, not a tool.
set -euo pipefail
usage="Usage: tools/toolbox/check.sh
Runs tools/install.sh in a container from maps-api/toolbox:<tag> over this checkout and fails if any step did work.
  -h, --help   print this help"
case "${1:-}" in
  "") ;;
  -h | --help) echo "$usage"; exit 0 ;;
  *) printf 'unknown argument: %s\n%s\n' "$1" "$usage" >&2; exit 2 ;;
esac
repo=$(cd "$(dirname "$0")/../.." && pwd)
image=maps-api/toolbox:$("$repo/tools/toolbox/tag.sh")
docker image inspect "$image" >/dev/null 2>&1 || { echo "no $image: run tools/toolbox/build.sh" >&2; exit 1; }
echo "==> install checks in a container from $image"
started=$(date +%s%N)
# shellcheck disable=SC2016 # expanded inside the container
docker run --rm --network none -v "$repo:/repo:ro" -w /repo "$image" bash -c '
  set -euo pipefail
  touch /tmp/before; sleep 1
  steps=$(grep -L "^# at start:" tools/install.d/*.sh | sed "s|.*/||; s|\.sh$||")
  tools/install.sh $steps | tee /tmp/install.log
  changed=$(find "$MAPS_TOOLS_DIR" /usr /etc /var/lib/dpkg -xdev -newer /tmp/before 2>/dev/null | grep -v "/__pycache__" || true)
  if [ -n "$changed" ]; then echo "install checks wrote:"; echo "$changed" | head -40; exit 1; fi
  echo "    every step found its tool: nothing written"
'
echo "    container start to last check: $(( ($(date +%s%N) - started) / 1000000 )) ms"
