#!/usr/bin/env bash
# Installs what the local cluster and the tests need on a fresh Debian machine: redis-server.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

echo "Installing redis-server from Debian's packages..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
# The local cluster starts its own redis-server; the distribution's service is not needed.
$SUDO systemctl disable --now redis-server >/dev/null 2>&1 || true
