#!/usr/bin/env bash
# provides: kubeconform
# Offline validation of the rendered Helm chart (charts/maps-api/tests): kubeconform (pinned, the machine's or built
# from the Go module proxy) and strict JSON schemas of the targeted Kubernetes version, generated from
# api/openapi-spec/v3 of the k8s.io/kubernetes module (Go module proxy). The tests need these; the local stack does not.
set -euo pipefail
# shellcheck source=../lib/go-tool.sh
source "$REPO_ROOT/tools/lib/go-tool.sh"
install_go_tool kubeconform "$KUBECONFORM_VERSION" github.com/yannh/kubeconform/cmd/kubeconform -v

out=$MAPS_TOOLS_DIR/kubernetes-schemas/$KUBERNETES_SCHEMA_VERSION
generator=$REPO_ROOT/charts/maps-api/tests/schemas/generate-kubernetes-schemas.ts
stamp=$out/.generator.sha
want=$(sha256sum "$generator" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then echo "    schemas for $KUBERNETES_SCHEMA_VERSION present"; exit 0; fi
dir=$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$KUBERNETES_SCHEMA_VERSION" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$dir/api/openapi-spec/v3" ] || { echo "k8s.io/kubernetes@$KUBERNETES_SCHEMA_VERSION has no api/openapi-spec/v3" >&2; exit 1; }
rm -rf "$out"
# Plain Node (type stripping), no node_modules: the toolbox image runs this step without the repo's dependencies.
node --experimental-strip-types --no-warnings "$generator" "$dir/api/openapi-spec/v3" "$out"
echo "$want" > "$stamp"
