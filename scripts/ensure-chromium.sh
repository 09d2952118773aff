#!/usr/bin/env bash
# Makes sure Debian's Chromium is on this machine: the end-to-end tests drive
# the web app in it (internal/e2e).
set -euo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
echo "chromium not found; installing Debian's chromium…" >&2
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  if [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y -qq chromium >/dev/null 2>&1 || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null; }
    command -v chromium >/dev/null 2>&1 && exit 0
  fi
fi
echo "Could not install Chromium. Install it with: apt-get install chromium (Debian)" >&2
exit 1
