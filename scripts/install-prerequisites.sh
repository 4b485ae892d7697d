#!/usr/bin/env bash
# Installs what the local cluster and the tests need on a fresh Debian machine: redis-server, the
# linter the deployment scripts' tests run (Debian package: shellcheck), the browser the console's
# browser tests drive through Playwright (Debian package: chromium, at /usr/bin/chromium), and for the
# network tier (Orchestrator.Tests/Network, root only) `ip` (iproute2) and `nft` (nftables); iptables
# comes along for operators who inspect the lab's namespaces with it. For container agents: podman (its
# Docker-compatible `podman system service` is the engine nodes drive in tests and the local cluster), runc
# (crun fails on this machine's hybrid cgroups), docker-registry (the loopback OCI registry) and busybox-static
# (the rootfs of the tests' images: nothing is pulled from the internet); tinyproxy (the proxy a customer's node
# goes through in the network tier). Then podman's configuration.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
# `command -v` misses /usr/sbin when it is not on a user's PATH; the tier runs as root, where it is.
[ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || command -v ip >/dev/null 2>&1 || missing+=(iproute2)
[ -x /usr/sbin/nft ] || command -v nft >/dev/null 2>&1 || missing+=(nftables)
[ -x /usr/sbin/iptables ] || command -v iptables >/dev/null 2>&1 || missing+=(iptables)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v podman >/dev/null 2>&1 || missing+=(podman)
[ -x /usr/sbin/runc ] || command -v runc >/dev/null 2>&1 || missing+=(runc)
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
[ -x /bin/busybox ] && /bin/busybox --list >/dev/null 2>&1 || missing+=(busybox-static)
# The network tier's proxy scenario (issue 27): Debian's tinyproxy as a customer's only way out.
[ -x /usr/bin/tinyproxy ] || command -v tinyproxy >/dev/null 2>&1 || missing+=(tinyproxy)
# Signed agent specs: keys made by openssl, and a second implementation of the signed form (Python) in the tests.
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
/usr/bin/python3 -c "import cryptography" >/dev/null 2>&1 || missing+=(python3-cryptography)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} from Debian's packages..."
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  # The local cluster starts its own redis-server and registry; the distribution's services are not needed.
  $SUDO systemctl disable --now redis-server >/dev/null 2>&1 || true
  $SUDO systemctl disable --now docker-registry >/dev/null 2>&1 || true
  $SUDO systemctl disable --now tinyproxy >/dev/null 2>&1 || true
fi

# Podman's configuration (runc, ulimits under the machine's hard limit, loopback registries without TLS).
# The tests and the local cluster pass scripts/podman/*.conf with CONTAINERS_CONF and
# CONTAINERS_REGISTRIES_CONF themselves; a copy in podman's drop-in folders makes a plain `podman` on this
# machine behave the same. Files already there are the operator's: never overwritten.
install_conf() { # <file> <directory>
  local target="$2/orchestrator-$1"
  [ -e "$target" ] && return
  $SUDO mkdir -p "$2"
  $SUDO cp "podman/$1" "$target"
}
if [ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null 2>&1; then
  install_conf containers.conf /etc/containers/containers.conf.d
  install_conf registries.conf /etc/containers/registries.conf.d
fi
