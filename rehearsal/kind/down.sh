#!/usr/bin/env bash
# Deletes the rehearsal's kind cluster, its registry container and its kubeconfig. Idempotent.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
no_options "Usage: rehearsal/kind/down.sh
Deletes the rehearsal's kind cluster and its local registry (idempotent). No options (rehearsal/README.md).
  -h, --help   print this help" "$@"
command -v kind >/dev/null || die "kind missing: run tools/install.sh kind"
kind delete cluster --name "$KIND_CLUSTER" --kubeconfig "$KIND_KUBECONFIG"
docker rm -f "$KIND_REGISTRY_NAME" >/dev/null 2>&1
rm -f "$KIND_KUBECONFIG"
log "down"
