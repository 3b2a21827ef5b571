#!/usr/bin/env bash
# provides: kubelet kube-proxy kube-scheduler kube-controller-manager kubectl coredns
# The rehearsal cluster's Kubernetes (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
# kube-proxy, kubectl) and CoreDNS, compiled from the Go module proxy: rehearsal/kube/go.mod pins k8s.io/kubernetes
# (KUBERNETES_CLUSTER_VERSION) and rehearsal/coredns/go.mod pins CoreDNS (COREDNS_VERSION) with only the plugins the
# cluster uses. Slow the first time (~20-40 min on 2 shared cores); a stamp makes later runs instant.
set -euo pipefail
bin=$MAPS_TOOLS_DIR/cluster/bin
mkdir -p "$bin"
build() { # <module dir> <stamp name> <go build targets...>
  local dir=$1 stamp=$bin/.$2.sha
  shift 2
  local want
  want=$(cd "$dir" && find . -name '*.go' -o -name go.mod -o -name go.sum | sort | xargs cat | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then return 0; fi
  (cd "$dir" && GOFLAGS="-trimpath -mod=readonly" nice -n 10 go build "$@")
  echo "$want" > "$stamp"
}
grep -q "k8s.io/kubernetes $KUBERNETES_CLUSTER_VERSION\$" "$REPO_ROOT/rehearsal/kube/go.mod" \
  || { echo "rehearsal/kube/go.mod does not pin k8s.io/kubernetes $KUBERNETES_CLUSTER_VERSION" >&2; exit 1; }
grep -q "github.com/coredns/coredns $COREDNS_VERSION\$" "$REPO_ROOT/rehearsal/coredns/go.mod" \
  || { echo "rehearsal/coredns/go.mod does not pin CoreDNS $COREDNS_VERSION" >&2; exit 1; }
# shellcheck source=../lib/kube-version.sh
source "$REPO_ROOT/tools/lib/kube-version.sh"
build "$REPO_ROOT/rehearsal/kube" kube -ldflags "$(kube_version_ldflags)" -o "$bin/" ./cmd/...
build "$REPO_ROOT/rehearsal/coredns" coredns -ldflags "-s -w" -o "$bin/coredns" .
echo "    Kubernetes $KUBERNETES_CLUSTER_VERSION and CoreDNS $COREDNS_VERSION in $bin"
