#!/usr/bin/env bash
# The written account's PDF is laid out by WeasyPrint, which needs Pango (text layout), HarfBuzz's
# subsetter (font subsetting) and a font with the Danish letters. Install the Debian packages that are
# missing, and only those (needs root or sudo; CI machines run as root).
set -euo pipefail
PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "not a Debian system: install Pango, HarfBuzz and the DejaVu fonts with your package manager" >&2
  exit 0
fi
missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
echo "installing Debian packages for PDF rendering: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
