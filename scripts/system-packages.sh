#!/usr/bin/env bash
# The Debian packages famplan needs beyond python3 and node: the Noto CJK fonts so
# Chinese renders (pages and PDFs) and Pango with HarfBuzz's subsetter for WeasyPrint
# (the PDFs); with --tests also Chromium for the browser tests.
# Installs only what is missing, so a machine that has them pays a few dpkg queries.
# Used by `make run`, `make test` (--tests) and .ci/run (--tests): one list, one place.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

missing=()
command -v make >/dev/null 2>&1 || missing+=(make)
if [ "${1:-}" = "--tests" ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
fi
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
for pkg in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "famplan needs these Debian packages: ${missing[*]}" >&2
    echo "install them as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  SUDO="sudo"
fi
echo "installing Debian packages: ${missing[*]}"
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
