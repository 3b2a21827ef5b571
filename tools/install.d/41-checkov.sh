#!/usr/bin/env bash
# provides: checkov
# checkov (PyPI) scans terraform/ offline; its own venv, Python >= 3.9 (3.13 preferred, as for the emulator).
set -euo pipefail
: "${CHECKOV_VERSION:?} ${MAPS_TOOLS_DIR:?}"
venv=$MAPS_TOOLS_DIR/checkov-venv
if [ -x "$venv/bin/checkov" ] && [ "$("$venv/bin/checkov" --version 2>/dev/null)" = "$CHECKOV_VERSION" ]; then
  [ "$(readlink "$MAPS_TOOLS_DIR/bin/checkov")" = "$venv/bin/checkov" ] || ln -sf "$venv/bin/checkov" "$MAPS_TOOLS_DIR/bin/checkov" # a check changes nothing
  echo "    checkov $CHECKOV_VERSION present"; exit 0
fi
# shellcheck source=../lib/python.sh
source "$REPO_ROOT/tools/lib/python.sh"
python=$(find_python 9) || { echo "Python >= 3.9 is required for checkov" >&2; exit 1; }
rm -rf "$venv"
nice -n 10 "$python" -m venv "$venv"
nice -n 10 "$venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
ln -sf "$venv/bin/checkov" "$MAPS_TOOLS_DIR/bin/checkov"
echo "    checkov $("$venv/bin/checkov" --version) installed"
