#!/usr/bin/env bash
# provides: kube-apiserver etcd
# A real kube-apiserver and etcd for the rollout verifier's tests, compiled from the Go module proxy
# (ci/test/kube/go.mod pins k8s.io/kubernetes and maps its staging modules). Slow the first time (~15-30 min on
# 2 shared cores); the stamp (hash of go.mod + go.sum + sources) makes later runs instant.
set -euo pipefail
bin=$MAPS_TOOLS_DIR/bin
src=$REPO_ROOT/ci/test/kube
stamp=$bin/.kube-apiserver.sha
want=$(cat "$src/go.mod" "$src/go.sum" "$src"/cmd/*/main.go | sha256sum | cut -d' ' -f1)
if [ -x "$bin/kube-apiserver" ] && [ -x "$bin/etcd" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "    kube-apiserver and etcd present"; exit 0
fi
(cd "$src" && GOFLAGS="-trimpath -mod=readonly" nice -n 10 go build -ldflags "-s -w" -o "$bin/" ./cmd/etcd ./cmd/kube-apiserver)
echo "$want" > "$stamp"
echo "    kube-apiserver $(grep -m1 'k8s.io/kubernetes v' "$src/go.mod" | awk '{print $2}') and etcd installed"
