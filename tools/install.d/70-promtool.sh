#!/usr/bin/env bash
# provides: promtool prometheus-varnish-exporter
# Monitoring checks (monitoring/): promtool, built from the Go module proxy (the module github.com/prometheus/prometheus
# at PROMETHEUS_VERSION ships cmd/promtool), and Debian's prometheus-varnish-exporter, unpacked (not installed) from
# its .deb so monitoring/varnish-exporter.test.ts can check the metric names the rules use against the real exporter.
set -euo pipefail
bin=$MAPS_TOOLS_DIR/bin

stamp=$bin/.promtool.version
# shellcheck source=../lib/on-path.sh
source "$REPO_ROOT/tools/lib/on-path.sh"
# Prometheus 3.x.y is tagged v0.3xx.y as a Go module: a release promtool prints 3.x.y.
release=$(echo "$PROMETHEUS_VERSION" | sed -E 's/^v0\.3([0-9]{2})\.([0-9]+)$/3.\1.\2/; s/^3\.0([0-9])/3.\1/')
if [ -x "$bin/promtool" ] && [ ! -L "$bin/promtool" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$PROMETHEUS_VERSION" ]; then
  echo "    promtool $PROMETHEUS_VERSION present"
elif use_from_path promtool "$release" --version; then
  rm -f "$stamp"
else
  rm -f "$bin/promtool"
  (cd /tmp && GOBIN=$bin GOFLAGS=-trimpath nice -n 10 go install -ldflags "-s -w" \
    "github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_VERSION")
  echo "$PROMETHEUS_VERSION" > "$stamp"
  echo "    promtool $PROMETHEUS_VERSION installed"
fi

pkg=prometheus-varnish-exporter
stamp=$bin/.$pkg.version
if [ -x "$bin/$pkg" ] && [ -s "$stamp" ]; then
  echo "    $pkg $(cat "$stamp") present"; exit 0
fi
version=$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p')
[ -n "$version" ] && [ "$version" != "(none)" ] || { echo "no $pkg in the apt lists: run apt-get update" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -q "$pkg=$version" >/dev/null 2>&1) || { echo "apt-get download $pkg failed" >&2; exit 1; }
dpkg-deb -x "$work"/*.deb "$work/root"
install -m 0755 "$work/root/usr/bin/$pkg" "$bin/$pkg"
echo "$version" > "$stamp"
echo "    $pkg $version unpacked"
