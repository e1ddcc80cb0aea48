#!/usr/bin/env bash
# Installs the Debian packages vendoraudit needs beside its Python dependencies.
#   libharfbuzz-subset0: WeasyPrint font subsetting (2x faster, byte-identical PDFs)
#   fonts-dejavu-core:   the fonts the scorecards are set in
#   poppler-utils:       pdftotext/pdftoppm/pdfdetach, used by the tests to read PDFs back
#   libreoffice-calc-nogui (with --test): a second reader of the workbook in the tests
set -euo pipefail
pkgs=(libharfbuzz-subset0 fonts-dejavu-core)
if [ "${1:-}" = "--test" ]; then pkgs+=(poppler-utils libreoffice-calc-nogui); fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing system packages: ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
