#!/usr/bin/env bash
# Builds the sample trading bot's image without the internet and pushes it to a registry:
#   1. a self-contained linux-x64 publish of samples/TradingBot (the runtime comes from NuGet's runtime pack);
#   2. a minimal rootfs from this Debian machine's own files: the shared libraries the publish links against
#      (found with ldd), busybox-static for sh/wget in health checks, /etc/passwd with the bot's user 10001,
#      /tmp and /data;
#   3. `podman import` of that rootfs with the image config (entrypoint, user, env), `podman push`.
# Nothing is pulled from any registry. Prints the pushed image by digest on the last line: deploy that.
#
#   bash samples/build-trading-bot-image.sh [REGISTRY] [TAG]     default 127.0.0.1:5000 and 1.0
#   REPOSITORY=vendor/bots/momentum bash samples/build-trading-bot-image.sh registry.example.com 2.3.1
#
# A loopback registry (127.0.0.1, localhost) is pushed to over plain HTTP; any other is verified with TLS
# (log in first: `podman login REGISTRY`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
registry=${1:-${REGISTRY:-127.0.0.1:5000}}
tag=${2:-1.0}
repository=${REPOSITORY:-samples/trading-bot}
image="$registry/$repository:$tag"

command -v podman >/dev/null 2>&1 || { echo "podman is not installed (bash scripts/install-prerequisites.sh)" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "/bin/busybox is not installed (Debian package busybox-static)" >&2; exit 1; }
export CONTAINERS_CONF=${CONTAINERS_CONF:-$root/scripts/podman/containers.conf}
export CONTAINERS_REGISTRIES_CONF=${CONTAINERS_REGISTRIES_CONF:-$root/scripts/podman/registries.conf}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"

echo "Publishing samples/TradingBot (self-contained, linux-x64)..." >&2
dotnet publish "$root/samples/TradingBot/TradingBot.csproj" -c Release -r linux-x64 --self-contained \
  -p:DebugType=none -p:GenerateDocumentationFile=false -o "$rootfs/app" -v quiet -nologo >&2

mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/data"
chmod 1777 "$rootfs/tmp"
# The libraries the apphost and the runtime's native parts link against, at the paths ldd resolves them to
# (the dynamic linker itself included), so the image's loader finds them where this machine's does.
for binary in "$rootfs/app/TradingBot" "$rootfs"/app/*.so; do
  ldd "$binary" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
done | sort -u | while read -r library; do
  cp -L --parents "$library" "$rootfs"
done
cp /bin/busybox "$rootfs/bin/busybox"
for applet in sh wget nc cat ls sleep; do ln -s busybox "$rootfs/bin/$applet"; done
printf 'root:x:0:0:root:/root:/bin/sh\nbot:x:10001:10001:trading bot:/data:/bin/false\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\nbot:x:10001:\n' > "$rootfs/etc/group"
# A fresh named volume at /data takes the image's ownership: the bot (not root) may write its book there.
chown 10001:10001 "$rootfs/data" 2>/dev/null || true

echo "Importing $image..." >&2
tar -C "$rootfs" --numeric-owner -cf "$work/rootfs.tar" .
podman import \
  --change 'ENTRYPOINT ["/app/TradingBot"]' \
  --change 'WORKDIR /app' \
  --change 'USER 10001:10001' \
  --change 'ENV PATH=/app:/bin' \
  --change 'ENV ASPNETCORE_HTTP_PORTS=8080' \
  --change 'ENV DOTNET_EnableDiagnostics=0' \
  --change 'ENV BOT_DATA_DIR=/data' \
  --change 'EXPOSE 8080' \
  "$work/rootfs.tar" "$image" >/dev/null

tls=()
case "$registry" in 127.0.0.1:*|127.0.0.1|localhost:*|localhost) tls=(--tls-verify=false) ;; esac
echo "Pushing $image..." >&2
podman push --quiet "${tls[@]}" --digestfile "$work/digest" "$image" >&2
echo "$registry/$repository@$(cat "$work/digest")"
