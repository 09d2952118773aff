#!/usr/bin/env bash
# Makes sure PostgreSQL server binaries (initdb, postgres; version 15+) are on
# this machine, where Recouvra's private development database and the tests
# look for them: PATH, then /usr/lib/postgresql/*/bin. Installs Debian's
# package when they are missing and apt can be used; otherwise says how.
set -euo pipefail

have_server() {
  command -v initdb >/dev/null 2>&1 && command -v postgres >/dev/null 2>&1 && return 0
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/postgres" ] && return 0
  done
  return 1
}

have_server && exit 0

echo "PostgreSQL server binaries not found; installing Debian's postgresql package…" >&2
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  if [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq postgresql >/dev/null
    have_server && exit 0
  fi
fi
echo "Could not install PostgreSQL server binaries. Install them with: apt-get install postgresql (Debian/Ubuntu)" >&2
exit 1
