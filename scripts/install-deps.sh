#!/usr/bin/env bash
# Installs the Debian 12 packages that building, testing and the demo need.
# Idempotent: does nothing when everything is present.  Needs root only
# when something is missing.
set -euo pipefail

packages=(
  # build
  gcc make cmake pkg-config clang libclang-rt-14-dev
  # libraries (see docs/design.md for why each)
  libssl-dev libevent-dev libjansson-dev libcurl4-openssl-dev
  libsqlite3-dev libinih-dev libqrencode-dev libavahi-client-dev
  libcmocka-dev
  # tools the tests and the demo drive
  openssl curl sqlite3 python3 python3-zeroconf iproute2
  dbus avahi-daemon avahi-utils mandoc procps zbar-tools librsvg2-bin
  systemd man-db strace golang-go
)
if [ "${1:-}" = "--bench" ]; then
  packages+=(nginx-light)
  # scripts/build-device-curl.sh: Debian's curl source, unpacked and patched
  packages+=(dpkg-dev patch xz-utils)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: these Debian packages are missing: ${missing[*]}" >&2
  echo "install-deps: run 'sudo $0' (or apt-get install them) and try again." >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts services it installs where it can; tests start their own.
for s in avahi-daemon nginx; do
  if command -v systemctl >/dev/null && systemctl is-active -q "$s" 2>/dev/null; then
    systemctl stop "$s" || true
  fi
done
exit 0
