#!/usr/bin/env bash
# The PostgreSQL tests start their own throwaway server from Debian's `postgresql` package.
# Install the package when it is missing (needs root or sudo; CI machines run as root).
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  exit 0
fi
echo "installing Debian's postgresql package for the PostgreSQL tests"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
