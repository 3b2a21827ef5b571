#!/usr/bin/env bash
# provides: trivy-policy-check
# images/image-contents.test.ts runs the Varnish image's Trivy policy through Trivy's own filter
# (github.com/aquasecurity/trivy/pkg/result at the pipeline's Trivy version, ci/src/images.ts): this builds that small
# program (images/varnish/scan-policy-check) from the Go module proxy, as Trivy's releases are built
# (GOEXPERIMENT=jsonv2: without it Trivy hands a policy a nested input and no rule matches). Rebuilt when its files change.
set -euo pipefail
bin=$MAPS_TOOLS_DIR/bin
src=$REPO_ROOT/images/varnish/scan-policy-check
stamp=$bin/.trivy-policy-check.version
want=$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-16)
if [ -x "$bin/trivy-policy-check" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "    trivy-policy-check present"
  exit 0
fi
start=$SECONDS
echo "    building trivy-policy-check (Trivy's filter: minutes with an empty Go build cache, seconds with a warm one)"
(cd "$src" && GOEXPERIMENT=jsonv2 GOFLAGS="${GOFLAGS:-} -trimpath" nice -n 10 go build -ldflags "-s -w" -o "$bin/trivy-policy-check" .)
echo "$want" > "$stamp"
echo "    trivy-policy-check built in $((SECONDS - start))s"
