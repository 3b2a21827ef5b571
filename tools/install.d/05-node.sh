#!/usr/bin/env bash
# provides: node
# The Node.js that production, Devbox and the Dagger runner use (NODE_VERSION), for machines whose own Node differs.
# It comes from the npm registry's per-platform Node packages (node-<os>-<arch>, the binary only), unpacked in the
# same cache images/bases/build.sh uses, and is linked as $MAPS_TOOLS_DIR/node/$NODE_VERSION/bin/node;
# .ci/run and tools/install.sh put that directory first on PATH. npm is whichever npm is installed: it runs on the
# first `node` on PATH (#!/usr/bin/env node), so `npm ci` and `npm test` run on the pinned Node.
set -euo pipefail
want=v$NODE_VERSION
bin=$MAPS_TOOLS_DIR/node/$NODE_VERSION/bin
if [ -x "$bin/node" ] && [ "$("$bin/node" --version)" = "$want" ]; then
  echo "    node $want present in $bin"
  exit 0
fi
machine=$(PATH=${PATH//"$bin:"/} command -v node || true)
machine_version=$([ -n "$machine" ] && "$machine" --version || echo none)
if [ "$machine_version" = "$want" ]; then
  echo "    using the machine's node $want ($machine)"
  exit 0
fi
command -v npm >/dev/null || { echo "npm is needed to fetch node $want from the npm registry (or use devbox shell)" >&2; exit 1; }

case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) echo "no Node package for $(uname -s)" >&2; exit 1 ;; esac
case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) echo "no Node package for $(uname -m)" >&2; exit 1 ;; esac
package=node-$os-$arch@$NODE_VERSION
dir=$MAPS_TOOLS_DIR/images/npm/$package
if [ ! -f "$dir/package.json" ]; then
  # npm pack checks the registry's integrity hash; unpacking in a temp dir keeps a half-download out of the cache.
  tmp=$(mktemp -d "$MAPS_TOOLS_DIR/node-download.XXXX")
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$package" >/dev/null && tar xzf ./*.tgz --strip-components=1 && rm ./*.tgz)
  mkdir -p "$(dirname "$dir")"
  rm -rf "$dir" && mv "$tmp" "$dir"
fi
got=$("$dir/bin/node" --version)
[ "$got" = "$want" ] || { echo "$package unpacked a node that says $got" >&2; exit 1; }
mkdir -p "$bin"
ln -sfn "$dir/bin/node" "$bin/node"
echo "    node $want installed in $bin (the machine's node: $machine_version)"
