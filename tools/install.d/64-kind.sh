#!/usr/bin/env bash
# provides: kind kubectl
# The rehearsal's kind provider (rehearsal/README.md; `npm run rehearse -- --provider kind`, where a node image can be
# pulled: GitHub's runners, laptops with Docker): kind at KIND_VERSION from the Go module proxy (the machine's when on
# PATH at that version), and kubectl at KUBERNETES_CLUSTER_VERSION alone from rehearsal/kube (63-cluster-kube builds it
# with the rest of the one-node cluster; kind needs nothing else). Here rehearsal/kind/kind-config.test.ts runs kind.
set -euo pipefail
# shellcheck source=../lib/go-tool.sh
source "$REPO_ROOT/tools/lib/go-tool.sh"
install_go_tool kind "$KIND_VERSION" sigs.k8s.io/kind version

bin=$MAPS_TOOLS_DIR/cluster/bin
mkdir -p "$bin"
client_version() { "$bin/kubectl" version --client -o json 2>/dev/null | sed -n 's/.*"gitVersion": *"\([^"]*\)".*/\1/p'; }
if [ "$(client_version)" = "$KUBERNETES_CLUSTER_VERSION" ]; then
  echo "    kubectl $KUBERNETES_CLUSTER_VERSION present"; exit 0
fi
grep -q "k8s.io/kubernetes $KUBERNETES_CLUSTER_VERSION\$" "$REPO_ROOT/rehearsal/kube/go.mod" \
  || { echo "rehearsal/kube/go.mod does not pin k8s.io/kubernetes $KUBERNETES_CLUSTER_VERSION" >&2; exit 1; }
# shellcheck source=../lib/kube-version.sh
source "$REPO_ROOT/tools/lib/kube-version.sh"
start=$SECONDS
(cd "$REPO_ROOT/rehearsal/kube" && GOFLAGS="-trimpath -mod=readonly" nice -n 10 go build \
  -ldflags "$(kube_version_ldflags)" -o "$bin/kubectl" ./cmd/kubectl)
echo "    kubectl $(client_version) built in $((SECONDS - start))s"
