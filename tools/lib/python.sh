# Sourced by install steps: find_python MINOR prints the first Python 3.MINOR or newer, looking on PATH first, then
# in pyenv's versions (under $PYENV_ROOT, pyenv's own default ~/.pyenv otherwise); no fixed home directory.
# A pyenv shim for a version that is not selected fails: its complaint is not shown.
find_python() {
  local minor=$1 candidate
  for candidate in python3.13 python3.14 python3 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.*/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c "import sys; sys.exit(sys.version_info < (3, $minor))" 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}
