#!/usr/bin/env bash
# provides: actionlint
# actionlint (GitHub workflow linter) from the Go module proxy, pinned by ACTIONLINT_VERSION in tools/versions.env.
set -euo pipefail
bin=$MAPS_TOOLS_DIR/bin
stamp=$bin/.actionlint.version
if [ -x "$bin/actionlint" ] && [ ! -L "$bin/actionlint" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$ACTIONLINT_VERSION" ]; then
  echo "    actionlint $ACTIONLINT_VERSION present"; exit 0
fi
# shellcheck source=../lib/on-path.sh
source "$REPO_ROOT/tools/lib/on-path.sh"
if use_from_path actionlint "$ACTIONLINT_VERSION" -version; then rm -f "$stamp"; exit 0; fi
rm -f "$bin/actionlint"
(cd /tmp && GOBIN=$bin GOFLAGS=-trimpath nice -n 10 go install -ldflags "-s -w" \
  "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION")
echo "$ACTIONLINT_VERSION" > "$stamp"
echo "    actionlint $ACTIONLINT_VERSION installed"
