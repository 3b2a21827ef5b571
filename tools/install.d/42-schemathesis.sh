#!/usr/bin/env bash
# provides: schemathesis
# schemathesis (PyPI) fuzzes the API against its own /openapi.json (api/test/openapi-fuzz.test.ts); its own venv.
set -euo pipefail
: "${SCHEMATHESIS_VERSION:?} ${MAPS_TOOLS_DIR:?}"
venv=$MAPS_TOOLS_DIR/schemathesis-venv
installed() { "$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null; }
if [ -x "$venv/bin/st" ] && [ "$(installed)" = "$SCHEMATHESIS_VERSION" ]; then
  [ "$(readlink "$MAPS_TOOLS_DIR/bin/schemathesis")" = "$venv/bin/st" ] || ln -sf "$venv/bin/st" "$MAPS_TOOLS_DIR/bin/schemathesis" # a check changes nothing
  echo "    schemathesis $SCHEMATHESIS_VERSION present"; exit 0
fi
# shellcheck source=../lib/python.sh
source "$REPO_ROOT/tools/lib/python.sh"
python=$(find_python 10) || { echo "Python >= 3.10 is required for schemathesis" >&2; exit 1; }
rm -rf "$venv"
nice -n 10 "$python" -m venv "$venv"
nice -n 10 "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
ln -sf "$venv/bin/st" "$MAPS_TOOLS_DIR/bin/schemathesis"
echo "    schemathesis $(installed) installed ($("$venv/bin/python" --version))"
