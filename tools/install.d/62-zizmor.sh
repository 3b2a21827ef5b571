#!/usr/bin/env bash
# provides: zizmor
# zizmor (PyPI, a prebuilt Rust wheel) checks .github/workflows offline; its own venv, pinned by ZIZMOR_VERSION.
set -euo pipefail
: "${ZIZMOR_VERSION:?} ${MAPS_TOOLS_DIR:?}"
venv=$MAPS_TOOLS_DIR/zizmor-venv
if [ -x "$venv/bin/zizmor" ] && [ "$("$venv/bin/zizmor" --version 2>/dev/null)" = "zizmor $ZIZMOR_VERSION" ]; then
  [ "$(readlink "$MAPS_TOOLS_DIR/bin/zizmor")" = "$venv/bin/zizmor" ] || ln -sf "$venv/bin/zizmor" "$MAPS_TOOLS_DIR/bin/zizmor" # a check changes nothing
  echo "    zizmor $ZIZMOR_VERSION present"; exit 0
fi
# shellcheck source=../lib/python.sh
source "$REPO_ROOT/tools/lib/python.sh"
python=$(find_python 9) || { echo "Python >= 3.9 is required for zizmor" >&2; exit 1; }
rm -rf "$venv"
nice -n 10 "$python" -m venv "$venv"
nice -n 10 "$venv/bin/pip" install --quiet --disable-pip-version-check "zizmor==$ZIZMOR_VERSION"
ln -sf "$venv/bin/zizmor" "$MAPS_TOOLS_DIR/bin/zizmor"
echo "    $("$venv/bin/zizmor" --version) installed"
