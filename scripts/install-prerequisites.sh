#!/usr/bin/env bash
# Installs what the local cluster and the tests need on a fresh Debian machine: redis-server, the
# linter the deployment scripts' tests run (Debian package: shellcheck), the browser the console's
# browser tests drive through Playwright (Debian package: chromium, at /usr/bin/chromium), and for the
# network tier (Orchestrator.Tests/Network, root only) `ip` (iproute2) and `nft` (nftables); iptables
# comes along for operators who inspect the lab's namespaces with it.
set -euo pipefail

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
# `command -v` misses /usr/sbin when it is not on a user's PATH; the tier runs as root, where it is.
[ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || command -v ip >/dev/null 2>&1 || missing+=(iproute2)
[ -x /usr/sbin/nft ] || command -v nft >/dev/null 2>&1 || missing+=(nftables)
[ -x /usr/sbin/iptables ] || command -v iptables >/dev/null 2>&1 || missing+=(iptables)
[ -x /usr/bin/chromium ] || missing+=(chromium)
# Signed agent specs: keys made by openssl, and a second implementation of the signed form (Python) in the tests.
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
/usr/bin/python3 -c "import cryptography" >/dev/null 2>&1 || missing+=(python3-cryptography)
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
