#!/usr/bin/env bash
# Strict JSON schemas of the targeted Kubernetes version, for kubeconform (offline validation of the Helm chart).
# Source: api/openapi-spec/v3 of the k8s.io/kubernetes module, fetched through the Go module proxy.
set -euo pipefail
out=$MAPS_TOOLS_DIR/kubernetes-schemas/$KUBERNETES_SCHEMA_VERSION
generator=$REPO_ROOT/charts/maps-api/tests/schemas/generate-kubernetes-schemas.ts
stamp=$out/.generator.sha
want=$(sha256sum "$generator" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then echo "    schemas for $KUBERNETES_SCHEMA_VERSION present"; exit 0; fi
dir=$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$KUBERNETES_SCHEMA_VERSION" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$dir/api/openapi-spec/v3" ] || { echo "k8s.io/kubernetes@$KUBERNETES_SCHEMA_VERSION has no api/openapi-spec/v3" >&2; exit 1; }
rm -rf "$out"
(cd "$REPO_ROOT" && node --import tsx "$generator" "$dir/api/openapi-spec/v3" "$out")
echo "$want" > "$stamp"
