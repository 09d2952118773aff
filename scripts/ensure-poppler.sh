#!/usr/bin/env bash
# Makes sure pdftotext (Debian's poppler-utils) is on this machine: the
# document tests read every generated PDF back with it.
set -euo pipefail
command -v pdftotext >/dev/null 2>&1 && exit 0
echo "pdftotext not found; installing Debian's poppler-utils…" >&2
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
  if [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y -qq poppler-utils >/dev/null 2>&1 || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq poppler-utils >/dev/null; }
    command -v pdftotext >/dev/null 2>&1 && exit 0
  fi
fi
echo "Could not install pdftotext. Install it with: apt-get install poppler-utils (Debian/Ubuntu)" >&2
exit 1
