# Sourced by the apt install steps. apt_install SERVICE PACKAGE...: installs the packages with apt-get (sudo when not
# root), then stops and disables SERVICE, which Debian starts on install (our tests and stacks run their own instances).
# Plain bash 3.2 (macOS's /bin/bash runs 10-apt under Devbox, where it stops here with a hint).
apt_install() {
  local service=$1 sudo=""
  shift
  command -v apt-get >/dev/null || { echo "apt-get not found: install $* yourself or use devbox shell" >&2; exit 1; }
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  echo "    apt-get install $*"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "$@"
  $sudo systemctl disable --now "$service" >/dev/null 2>&1 || $sudo service "$service" stop >/dev/null 2>&1 || true
}
