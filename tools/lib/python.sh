# Sourced by install steps (also inside images/emulator/Dockerfile, which copies only this file and 20-emulator.sh:
# tools/lib/apt.sh is sourced only where a package must be installed). Plain bash 3.2.

# find_python MINOR [MAX_MINOR]: prints the first Python 3.MINOR or newer (at most 3.MAX_MINOR), looking on PATH first,
# then in pyenv's versions (under $PYENV_ROOT, pyenv's own default ~/.pyenv otherwise), then in the Pythons uv
# installed for this project ($MAPS_TOOLS_DIR/python, see uv_python); no fixed home directory.
# A pyenv shim for a version that is not selected fails: its complaint is not shown.
find_python() {
  local minor=$1 max=${2:-99} candidate
  for candidate in "python3.$minor" python3.14 python3 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.*/bin/python3 \
    "${MAPS_TOOLS_DIR:-/nonexistent}"/python/cpython-3.*/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c "import sys; sys.exit(not ((3, $minor) <= sys.version_info[:2] <= (3, $max)))" 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

# ensure_venv PYTHON: makes sure PYTHON can create a virtual environment with pip. Debian and Ubuntu move ensurepip
# out of their Python into python3.X-venv: for the distribution's own Python, that package is installed (root).
ensure_venv() {
  local python=$1 version path
  "$python" -m ensurepip --version >/dev/null 2>&1 && return 0
  version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  path=$(command -v "$python")
  case "$path" in
    /usr/bin/*)
      # shellcheck source=apt.sh
      source "$REPO_ROOT/tools/lib/apt.sh"
      apt_install "" "python$version-venv"
      ;;
    *) echo "$path cannot create a virtual environment (no ensurepip module)" >&2; return 1 ;;
  esac
}

# uv_python VERSION: installs Python VERSION the way Python projects do today, with uv (from PyPI, pinned UV_VERSION;
# the machine's uv if it has one) as a uv-managed Python under $MAPS_TOOLS_DIR/python, where find_python looks.
# uv downloads that Python from python-build-standalone's GitHub releases, outside the package registries: where
# github.com is unreachable, uv refuses and this fails (its messages on stderr).
uv_python() {
  local version=$1 uv bootstrap venv=$MAPS_TOOLS_DIR/uv-venv
  uv=$(command -v uv || true)
  if [ -z "$uv" ]; then
    uv=$venv/bin/uv
    if [ "$("$uv" --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
      echo "    uv $UV_VERSION from PyPI (in $venv), to install a managed Python $version"
      bootstrap=$(find_python 8) || {
        # shellcheck source=apt.sh
        source "$REPO_ROOT/tools/lib/apt.sh"
        apt_install "" python3-venv
        bootstrap=python3
      }
      ensure_venv "$bootstrap"
      rm -rf "$venv"
      "$bootstrap" -m venv "$venv"
      "$venv/bin/pip" install --quiet --disable-pip-version-check "uv==$UV_VERSION"
    fi
  fi
  echo "    $uv python install $version (a managed Python from python-build-standalone, github.com)"
  UV_PYTHON_INSTALL_DIR=$MAPS_TOOLS_DIR/python "$uv" python install "$version"
}

# python_missing_help VERSION: what to run where neither the machine, its distribution nor uv gave Python VERSION.
python_missing_help() {
  local version=$1 found
  found=$(python3 --version 2>/dev/null || echo "no python3")
  cat <<HELP
Python $version is needed for the BigQuery emulator (local-bigquery requires >=$version,<3.14). This machine has
$found, its distribution has no python$version package, and uv could not install one (above).
Install Python $version, then run ./dev start again (it looks for python$version on PATH and in ~/.pyenv/versions):
  Debian 12 (pyenv builds it; or upgrade to Debian 13, whose python3 is $version):
    sudo apt-get install -y build-essential curl git libssl-dev zlib1g-dev libbz2-dev libreadline-dev libsqlite3-dev libffi-dev liblzma-dev libncursesw5-dev tk-dev xz-utils
    curl -fsSL https://pyenv.run | bash
    ~/.pyenv/bin/pyenv install $version
  Ubuntu 24.04 (the deadsnakes PPA):
    sudo apt-get install -y software-properties-common
    sudo add-apt-repository -y ppa:deadsnakes/ppa
    sudo apt-get install -y python$version python$version-venv
  Anywhere github.com is reachable, uv does it: uv python install $version (what ./dev start just tried).
  On macOS: devbox shell (Python $version), then ./dev start.
HELP
}
