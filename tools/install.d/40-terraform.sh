#!/usr/bin/env bash
# provides: terraform
# Terraform for terraform/, from the Go module proxy (neither releases.hashicorp.com nor the Terraform registry is
# reachable): the CLI when the machine lacks the pinned one, and the hashicorp/google provider laid out as a filesystem
# mirror, plus a CLI config file (TF_CLI_CONFIG_FILE) that points at that mirror only.
set -euo pipefail
: "${TERRAFORM_VERSION:?} ${TF_GOOGLE_PROVIDER_VERSION:?} ${TF_GOOGLE_PROVIDER_GO_VERSION:?} ${MAPS_TOOLS_DIR:?}"

# --- CLI -------------------------------------------------------------------------------------------------------------
# `go install github.com/hashicorp/terraform@vX` is refused (its go.mod replaces the state-backend submodules with local
# directories that the module zip does not contain), so build the module source with those backends (azurerm, consul,
# cos, gcs, kubernetes, oss, pg, s3) left out. Enough for fmt, init -backend=false, validate and test; a person who
# applies uses the official release (devbox.json pins it), which has the gcs backend.
install_cli() {
  local have
  have=$(terraform version 2>/dev/null | head -1 || true)
  if [ "$have" = "Terraform $TERRAFORM_VERSION" ]; then echo "    $have present"; return; fi
  echo "    building Terraform $TERRAFORM_VERSION from its Go module (found: ${have:-none})"
  local start src
  start=$(date +%s)
  src=$(mktemp -d)
  GOFLAGS=-mod=mod go mod download -json "github.com/hashicorp/terraform@$TERRAFORM_VERSION" >/dev/null
  cp -r "$(go env GOMODCACHE)/github.com/hashicorp/terraform@$TERRAFORM_VERSION/." "$src"
  chmod -R u+w "$src"
  local dropped='remote-state/(azure|consul|cos|gcs|kubernetes|oss|pg|s3)|terraform/internal/legacy'
  # Go >= 1.24 no longer knows the tlskyber setting this go.mod pins for go1.23: drop it too.
  sed -i -E "\#($dropped)[\" ]#d; \#^godebug tlskyber#d" "$src/go.mod"
  sed -i -E "\#internal/backend/($dropped)\"#d; \#^\s+\"(azurerm|consul|cos|gcs|kubernetes|oss|pg|s3)\": +func#d" \
    "$src/internal/backend/init/init.go"
  (cd "$src" && nice -n 10 go build -mod=mod -trimpath \
    -ldflags "-s -w -X github.com/hashicorp/terraform/version.dev=no" -o "$MAPS_TOOLS_DIR/bin/terraform" .)
  rm -rf "$src"
  echo "    Terraform built in $(($(date +%s) - start))s: $("$MAPS_TOOLS_DIR/bin/terraform" version | head -1)"
}
install_cli

# --- hashicorp/google provider ---------------------------------------------------------------------------------------
platform="$(go env GOOS)_$(go env GOARCH)"
mirror=$MAPS_TOOLS_DIR/terraform/mirror
dir=$mirror/registry.terraform.io/hashicorp/google/$TF_GOOGLE_PROVIDER_VERSION/$platform
binary=$dir/terraform-provider-google_v$TF_GOOGLE_PROVIDER_VERSION

# Tests and CI use this file through TF_CLI_CONFIG_FILE: only the local mirror, never the network.
mkdir -p "$MAPS_TOOLS_DIR/terraform"
cli_config=$MAPS_TOOLS_DIR/terraform/cli.tfrc
want=$(cat <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/*"]
  }
}
EOF
)
# Written only when it changed (no temporary file either): a run that finds everything installed writes nothing (the
# toolbox check).
[ "$(cat "$cli_config" 2>/dev/null)" = "$want" ] || printf '%s\n' "$want" > "$cli_config"

if [ -x "$binary" ]; then echo "    hashicorp/google $TF_GOOGLE_PROVIDER_VERSION present"; exit 0; fi
mkdir -p "$dir"
gobin=$(mktemp -d)
trap 'rm -rf "$gobin"' EXIT
start=$(date +%s)
echo "    building hashicorp/google $TF_GOOGLE_PROVIDER_VERSION from $TF_GOOGLE_PROVIDER_GO_VERSION (large: several minutes)"
GOBIN=$gobin nice -n 10 go install -trimpath \
  -ldflags "-s -w -X github.com/hashicorp/terraform-provider-google/version.ProviderVersion=$TF_GOOGLE_PROVIDER_VERSION" \
  "github.com/hashicorp/terraform-provider-google@$TF_GOOGLE_PROVIDER_GO_VERSION"
mv "$gobin/terraform-provider-google" "$binary"
echo "    hashicorp/google built in $(($(date +%s) - start))s -> $binary"
