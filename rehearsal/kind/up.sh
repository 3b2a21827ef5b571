#!/usr/bin/env bash
# Starts the rehearsal's kind cluster (rehearsal/kind/cluster.yaml) and its registry, after kind's local-registry guide:
# the registry container is published on 127.0.0.1:$KIND_REGISTRY_PORT, where Docker pushes, and joins kind's network
# under its name, where the node pulls (a containerd hosts.toml sends localhost:$KIND_REGISTRY_PORT there). Applies
# manifests/ like rehearsal/up.sh. Idempotent: an existing cluster and registry are kept. Needs Docker and kind.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
no_options "Usage: rehearsal/kind/up.sh
Starts the rehearsal's kind cluster and its local registry (idempotent); prints the kubeconfig path. No options (rehearsal/README.md).
  -h, --help   print this help" "$@"
export KUBECONFIG=$KIND_KUBECONFIG
command -v kind >/dev/null || die "kind missing: run tools/install.sh kind"
command -v kubectl >/dev/null || die "kubectl missing: run tools/install.sh kind"
docker info >/dev/null 2>&1 || die "no Docker engine answers (docker info): kind runs its node as a container"
started=$(date +%s)
certs_d=/etc/containerd/certs.d

if [ "$(docker inspect -f '{{.State.Running}}' "$KIND_REGISTRY_NAME" 2>/dev/null || true)" != true ]; then
  log "starting the registry $KIND_REGISTRY_NAME on 127.0.0.1:$KIND_REGISTRY_PORT ($KIND_REGISTRY_IMAGE)"
  docker rm -f "$KIND_REGISTRY_NAME" >/dev/null 2>&1 || true
  docker run -d --restart=always -p "127.0.0.1:$KIND_REGISTRY_PORT:5000" --network bridge \
    --name "$KIND_REGISTRY_NAME" "$KIND_REGISTRY_IMAGE" >/dev/null
fi
if kind get clusters 2>/dev/null | grep -qx "$KIND_CLUSTER"; then
  log "kind cluster $KIND_CLUSTER exists: keeping it"
  kind export kubeconfig --name "$KIND_CLUSTER" --kubeconfig "$KIND_KUBECONFIG"
else
  log "creating kind cluster $KIND_CLUSTER from rehearsal/kind/cluster.yaml ($(kind version))"
  kind create cluster --name "$KIND_CLUSTER" --config "$here/cluster.yaml" --kubeconfig "$KIND_KUBECONFIG" --wait 180s
fi
for node in $(kind get nodes --name "$KIND_CLUSTER"); do
  docker exec "$node" mkdir -p "$certs_d/$KIND_REGISTRY"
  printf '[host."http://%s:5000"]\n' "$KIND_REGISTRY_NAME" |
    docker exec -i "$node" cp /dev/stdin "$certs_d/$KIND_REGISTRY/hosts.toml"
done
if [ "$(docker inspect -f '{{json .NetworkSettings.Networks.kind}}' "$KIND_REGISTRY_NAME")" = null ]; then
  docker network connect kind "$KIND_REGISTRY_NAME"
fi
kubectl apply -f "$here/../manifests/" >/dev/null
for _ in $(seq 120); do
  kubectl get serviceaccount default -n default >/dev/null 2>&1 && break
  sleep 0.5
done
kubectl get serviceaccount default -n default >/dev/null || die "no default service account after 60s"
log "up in $(($(date +%s) - started))s: KUBECONFIG=$KIND_KUBECONFIG, registry $KIND_REGISTRY"
