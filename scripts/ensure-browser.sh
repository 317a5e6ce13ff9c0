#!/usr/bin/env bash
# The end-to-end tests (tests/e2e) drive Debian's Chromium with Playwright's Python package and check
# every page with axe-core from the npm registry. Install what is missing, and only that:
#   - Debian packages chromium and fonts (needs root or sudo; CI machines run as root). Playwright's own
#     browser download (`playwright install`) is never used: it fails on these machines.
#   - axe-core, at the version pinned in tests/e2e/package-lock.json, into tests/e2e/node_modules.
# The Playwright Python package itself comes with the test extra (`pip install -e ".[test]"`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E2E="$ROOT/tests/e2e"
PACKAGES=(chromium fonts-dejavu-core fonts-liberation)
# npm installs axe-core; the machine's Node.js and npm are used when present, Debian's otherwise.
if ! command -v npm >/dev/null 2>&1; then PACKAGES+=(nodejs npm); fi

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for package in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$package")
    fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing Debian packages for the browser tests: ${missing[*]}"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
elif ! command -v chromium >/dev/null 2>&1; then
  echo "not a Debian system: install Chromium (as /usr/bin/chromium, or set AIREG_E2E_CHROMIUM) yourself" >&2
fi

if [ ! -f "$E2E/node_modules/axe-core/axe.min.js" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm is missing: install Node.js and npm, then rerun $0" >&2
    exit 1
  fi
  echo "installing axe-core (the version pinned in tests/e2e/package-lock.json) into tests/e2e/node_modules"
  npm ci --prefix "$E2E" --no-audit --no-fund --loglevel=error
fi
