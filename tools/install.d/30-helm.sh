#!/usr/bin/env bash
# Helm and kubeconform, built from the Go module proxy (no release-binary downloads), pinned in tools/versions.env.
set -euo pipefail
bin=$MAPS_TOOLS_DIR/bin
# shellcheck source=../lib/on-path.sh
source "$REPO_ROOT/tools/lib/on-path.sh"

install_go_tool() { # name version module version-args
  local name=$1 version=$2 module=$3 version_args=$4 ldflags="" stamp=$bin/.$1.version
  if [ -x "$bin/$name" ] && [ ! -L "$bin/$name" ] && [ "$(cut -d' ' -f1 "$stamp" 2>/dev/null)" = "$version" ]; then
    echo "    $name $version present"; return
  fi
  # shellcheck disable=SC2086 # version_args is a word list
  if use_from_path "$name" "$version" $version_args; then rm -f "$stamp"; return; fi
  rm -f "$bin/$name"
  if [ "$name" = helm ]; then ldflags=$(helm_ldflags); fi
  (cd /tmp && GOBIN=$bin GOFLAGS=-trimpath nice -n 10 go install -ldflags "-s -w $ldflags" "$module@$version")
  echo "$version $ldflags" > "$stamp"
  echo "    $name $version installed"
}

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

install_go_tool helm "$HELM_VERSION" helm.sh/helm/v3/cmd/helm "version --template {{.Version}}"
install_go_tool kubeconform "$KUBECONFORM_VERSION" github.com/yannh/kubeconform/cmd/kubeconform -v
