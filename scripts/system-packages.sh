#!/usr/bin/env bash
# The Debian packages famplan's tests need beyond python3 and node: Chromium for the
# browser tests, the Noto CJK fonts so Chinese renders (pages and PDFs), Pango and
# HarfBuzz's subsetter for WeasyPrint (PDFs), and make.
# Installs only what is missing, so a machine that has them pays one dpkg query.
# Used by `make test` and by .ci/run: one list, one place.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

missing=()
command -v make >/dev/null 2>&1 || missing+=(make)
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
for pkg in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "famplan: the tests need these Debian packages: ${missing[*]}" >&2
    echo "install them as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  SUDO="sudo"
fi
echo "installing Debian packages: ${missing[*]}"
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
