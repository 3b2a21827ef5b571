#!/usr/bin/env bash
# provides: local-bigquery
# The BigQuery emulator (local-bigquery from PyPI, runs GoogleSQL on DuckDB) in its own Python 3.13 venv.
set -euo pipefail
venv=$MAPS_TOOLS_DIR/emulator-venv
req=$REPO_ROOT/emulator/requirements.txt
stamp=$venv/.requirements.sha
want=$( (sha256sum "$req" 2>/dev/null || shasum -a 256 "$req") | cut -d' ' -f1) # shasum: macOS
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then echo "    emulator up to date"; exit 0; fi
# shellcheck source=../lib/python.sh
source "$REPO_ROOT/tools/lib/python.sh"
# Python 3.13 exactly (local-bigquery: Requires-Python >=3.13,<3.14): the machine's; else the distribution's package
# (Debian 13, Ubuntu with the deadsnakes PPA); else a uv-managed one; else the exact commands for Debian 12 and Ubuntu 24.04.
python_version=3.13
minor=${python_version#3.}
if ! python=$(find_python "$minor" "$minor"); then
  if command -v apt-cache >/dev/null && apt-cache show "python$python_version-venv" >/dev/null 2>&1; then
    # shellcheck source=../lib/apt.sh
    source "$REPO_ROOT/tools/lib/apt.sh"
    apt_install "" "python$python_version" "python$python_version-venv"
  elif ! uv_python "$python_version"; then
    python_missing_help "$python_version" >&2
    exit 1
  fi
  python=$(find_python "$minor" "$minor")
fi
ensure_venv "$python"
echo "    using $("$python" --version) ($(command -v "$python" || echo "$python"))"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
# DuckDB looks for extensions under $HOME/.duckdb; the emulator runs with HOME=$MAPS_TOOLS_DIR/emulator-home.
duck_version=$("$venv/bin/python" -c 'import duckdb; print(duckdb.__version__)')
platform=$("$venv/bin/python" -c 'import duckdb; print(duckdb.execute("PRAGMA platform").fetchone()[0])')
ext_dir=$MAPS_TOOLS_DIR/emulator-home/.duckdb/extensions/v$duck_version/$platform
mkdir -p "$ext_dir"
cp "$venv"/lib/python3*/site-packages/duckdb_extension_*/extensions/v"$duck_version"/*.duckdb_extension "$ext_dir/"
ln -sf "$venv/bin/local-bigquery" "$MAPS_TOOLS_DIR/bin/local-bigquery"
echo "$want" > "$stamp"
echo "    local-bigquery installed with DuckDB $duck_version extensions for $platform"
