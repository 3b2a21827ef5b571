# Sourced by the install steps that take system programs from Debian's packages (10-apt, 12-test-packages, 20-emulator).
# Plain bash 3.2 (macOS's /bin/bash runs 10-apt under Devbox, where apt_install stops with a hint).

# find_program NAME [PACKAGE]: prints where NAME is, whatever the caller's PATH: on PATH (outside $MAPS_TOOLS_DIR/bin),
# else among the files the Debian package PACKAGE installed (`dpkg -L`), else in the sbin directories a normal user's
# PATH (/usr/local/bin:/usr/bin:/bin) lacks: Debian puts varnishd, nginx, dockerd and debootstrap in /usr/sbin.
# Fails, printing nothing, when NAME is nowhere.
find_program() {
  local name=$1 package=${2:-} dirs found dir
  dirs=$(printf %s "$PATH" | tr ':' '\n' | grep -vxF "$MAPS_TOOLS_DIR/bin" | paste -sd: -)
  found=$(PATH=$dirs command -v "$name" 2>/dev/null || true)
  if [ -z "$found" ] && [ -n "$package" ] && command -v dpkg >/dev/null 2>&1; then
    found=$(dpkg -L "$package" 2>/dev/null | grep -E "/s?bin/$name\$" | head -1 || true)
  fi
  if [ -z "$found" ]; then
    for dir in /usr/local/sbin /usr/sbin /sbin; do
      if [ -x "$dir/$name" ]; then found=$dir/$name; break; fi
    done
  fi
  [ -n "$found" ] && [ -x "$found" ] && echo "$found"
}

# link_programs PACKAGE NAME...: links each NAME (find_program NAME PACKAGE) into $MAPS_TOOLS_DIR/bin, the one
# directory ./dev, tools/install.sh, the stack and the tests put first on PATH (tools/tools-path.ts), so none of them
# depends on the caller's PATH for a program an install step installed. Fails naming a program that is missing.
link_programs() {
  local package=$1 name found
  shift
  for name in "$@"; do
    found=$(find_program "$name" "$package") || { echo "$name not found after installing $package" >&2; return 1; }
    # Only when it points elsewhere: a run that finds everything installed writes nothing (the toolbox check).
    [ "$(readlink "$MAPS_TOOLS_DIR/bin/$name")" = "$found" ] || ln -sfn "$found" "$MAPS_TOOLS_DIR/bin/$name"
  done
}

# apt_install SERVICE PACKAGE...: installs the packages with apt-get (through sudo when not root, saying so first),
# then stops and disables SERVICE if given, which Debian starts on install (our tests and stacks run their own).
apt_install() {
  local service=$1 sudo=""
  shift
  command -v apt-get >/dev/null || { echo "apt-get not found: install $* yourself or use devbox shell" >&2; exit 1; }
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null ||
      { echo "installing $* needs root and there is no sudo: as root, run apt-get install $*" >&2; exit 1; }
    sudo=sudo
    echo "    needs root to install Debian packages ($*): sudo may ask for your password"
  fi
  export DEBIAN_FRONTEND=noninteractive
  echo "    apt-get install $*"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "$@"
  [ -n "$service" ] || return 0
  $sudo systemctl disable --now "$service" >/dev/null 2>&1 || $sudo service "$service" stop >/dev/null 2>&1 || true
}
