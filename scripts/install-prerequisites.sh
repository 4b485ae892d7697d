#!/usr/bin/env bash
# Installs what the local cluster and the tests need on a fresh Debian machine: redis-server, and the
# linter the deployment scripts' tests run (Debian package: shellcheck), and the browser the console's
# browser tests drive through Playwright (Debian package: chromium, at /usr/bin/chromium).
set -euo pipefail

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

echo "Installing ${missing[*]} from Debian's packages..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
# The local cluster starts its own redis-server; the distribution's service is not needed.
$SUDO systemctl disable --now redis-server >/dev/null 2>&1 || true
