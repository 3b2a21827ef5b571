#!/usr/bin/env bash
# Turns a debootstrap minbase root into a "-slim" image root the way Debian's official images do:
# apt sources for the suite, its updates and security, no docs/man/locales, no apt caches.
set -euo pipefail
root=$1 suite=$2 mirror=$3 extra_ca=$4
security=${mirror%/debian}/debian-security
cat > "$root/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
rm -f "$root/etc/apt/sources.list"
cat > "$root/etc/dpkg/dpkg.cfg.d/docker-slim" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
DPKG
cat > "$root/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
APT
find "$root/usr/share/doc" -mindepth 2 -not -name copyright -not -type d -delete
rm -rf "$root"/usr/share/{man,info,locale,lintian}/* "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* \
  "$root"/var/log/*.log "$root"/var/log/apt/* "$root"/tmp/*
# update-ca-certificates picks this up when an image installs ca-certificates (see build.sh: extra_ca).
if [ -s "$extra_ca" ]; then install -D -m 0644 "$extra_ca" "$root/usr/local/share/ca-certificates/extra-ca.crt"; fi
