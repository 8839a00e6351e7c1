#!/usr/bin/env bash
# Installs the system packages the test suite needs (Debian/Ubuntu): a PostgreSQL
# server for the second store back-end, Chromium for the dashboard's browser tests,
# poppler (pdftoppm) to look at the brief's PDF pages, and the fonts WeasyPrint uses.
# Does nothing when everything is already there.
set -euo pipefail

need=()
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ -x /usr/bin/chromium ] || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "installing system packages: ${need[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
