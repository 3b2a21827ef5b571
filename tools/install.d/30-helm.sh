#!/usr/bin/env bash
# provides: helm
# Helm, pinned in tools/versions.env: the machine's if it has that version on PATH, else built from the Go module
# proxy (no release-binary downloads). The local stack needs it: its Varnish runs the chart's `helm template` output.
set -euo pipefail
# shellcheck source=../lib/go-tool.sh
source "$REPO_ROOT/tools/lib/go-tool.sh"

# The flags helm's Makefile sets for release binaries: its version, and the default Kubernetes version for
# capabilities and deprecation checks (client-go v0.N => 1.N), which `go install` alone leaves at 1.20.
helm_ldflags() {
  local mod minor flags
  mod=$(cd /tmp && go mod download -json "helm.sh/helm/v3@$HELM_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
  minor=$(sed -n 's/^[[:space:]]*k8s.io\/client-go v0\.\([0-9]*\)\..*/\1/p' "$mod")
  [ -n "$minor" ] || { echo "cannot read k8s.io/client-go from $mod" >&2; exit 1; }
  flags="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  for pkg in pkg/lint/rules pkg/chartutil; do
    flags+=" -X helm.sh/helm/v3/$pkg.k8sVersionMajor=1 -X helm.sh/helm/v3/$pkg.k8sVersionMinor=$minor"
  done
  echo "$flags"
}

install_go_tool helm "$HELM_VERSION" helm.sh/helm/v3/cmd/helm "version --template {{.Version}}" helm_ldflags
