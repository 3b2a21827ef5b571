#!/usr/bin/env bash
# The toolbox image's tag: a hash of every file that defines it (tools/toolbox/README.md). The Dagger module
# (ci/src/toolbox.ts) and tools/toolbox/build.sh both call this script, so a pull and a build agree on the name.
set -euo pipefail
usage="Usage: tools/toolbox/tag.sh [--list] [--context DIR]
Prints the toolbox image's tag (hash of the files that define it: tools/versions.env, tools/install.sh, its steps and
libraries, this directory, and the repository files the steps read).
  --list          print those files instead, one per line
  --context DIR   also copy exactly those files into DIR (at their repository paths): the image's build context
  -h, --help      print this help"
list="" context=""
while [ $# -gt 0 ]; do
  case "$1" in
    --list) list=1 ;;
    --context) [ $# -ge 2 ] || { printf '%s\n' "--context needs a directory" "$usage" >&2; exit 2; }; context=$2; shift ;;
    -h | --help) echo "$usage"; exit 0 ;;
    *) printf 'unknown argument: %s\n%s\n' "$1" "$usage" >&2; exit 2 ;;
  esac
  shift
done
cd "$(dirname "$0")/../.."

# Every file an install step reads lands here: a change to any of them is a new image (the steps' own stamps hash
# the same files, so a container from the image finds each step done).
inputs() {
  find tools/toolbox tools/install.d tools/lib -type f ! -name '*.md' ! -name '*.test.ts'
  printf '%s\n' tools/install.sh tools/versions.env \
    emulator/requirements.txt charts/maps-api/tests/schemas/generate-kubernetes-schemas.ts images/offline.sh \
    rehearsal/pause/pause.c
  find rehearsal/kube rehearsal/coredns images/varnish/scan-policy-check -type f \( -name '*.go' -o -name go.mod -o -name go.sum \)
}
files=$(inputs | LC_ALL=C sort -u)
if [ -n "$list" ]; then echo "$files"; exit 0; fi
if [ -n "$context" ]; then
  mkdir -p "$context"
  # shellcheck disable=SC2086 # one path per line, no spaces in these paths
  cp --parents $files "$context/"
fi
# shellcheck disable=SC2086
sha256sum $files | sha256sum | cut -c1-20
