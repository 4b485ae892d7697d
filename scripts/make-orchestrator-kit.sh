#!/usr/bin/env bash
# Builds the orchestrator deployment kit: everything a customer needs to run one orchestrator cluster,
# and nothing else (docs/deployment.md, "Customer onboarding").
#
#   scripts/make-orchestrator-kit.sh [--output DIR] [--tarball]
#
# --output   where to build the kit (default: orchestrator-deployment-kit/ at the repository root).
#            An existing kit there is replaced; any other non-empty folder is refused.
# --tarball  also pack it as DIR.tar.gz, with orchestrator-deployment-kit/ as its top folder.
set -euo pipefail

PROG=make-orchestrator-kit
die() { echo "$PROG: error: $*" >&2; exit 1; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/orchestrator-deployment-kit
TARBALL=false

while [ $# -gt 0 ]; do
  case $1 in
    --output) [ $# -ge 2 ] || die "--output needs a folder"; OUT=$2; shift ;;
    --output=*) OUT=${1#--output=} ;;
    --tarball) TARBALL=true ;;
    -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
  shift
done

if [ -d "$OUT" ] && [ -n "$(ls -A "$OUT")" ]; then
  [ -f "$OUT/docker-compose.orchestrator.yml" ] || die "$OUT exists and is not a deployment kit; choose another --output"
  rm -rf "$OUT"
fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# The seed's four files: the node's compose file, its image, the settings template, the deploy script.
cp "$ROOT/docker-compose.orchestrator.yml" "$ROOT/Dockerfile.agent" "$ROOT/.dockerignore" \
   "$ROOT/.env.orchestrator.example" "$OUT/"
cp "$ROOT/scripts/deploy-orchestrator.sh" "$OUT/"
chmod +x "$OUT/deploy-orchestrator.sh"
cp "$ROOT/docs/deployment.md" "$OUT/DEPLOYMENT.md"

# Dockerfile.agent builds the node from source, so the kit carries the three projects it needs, in the
# repository's layout, without build output or developer-only settings.
cp "$ROOT/Directory.Build.props" "$ROOT/Directory.Packages.props" "$OUT/"
tar -C "$ROOT" \
    --exclude=bin --exclude=obj --exclude=.data --exclude='*.user' --exclude=launchSettings.json \
    --exclude=appsettings.Development.json \
    -cf - Orchestrator.ServiceDefaults Orchestrator.Protocol Orchestrator.Agent | tar -C "$OUT" -xf -

cat > "$OUT/README.md" <<'README'
# Orchestrator deployment kit

Runs one orchestrator cluster on your infrastructure. It needs Docker with Compose, and curl.
The cluster only connects out to the central manager over HTTPS: no inbound firewall rule is needed.

1. `cp .env.orchestrator.example .env.orchestrator` and fill in the values your vendor gave you.
2. `./deploy-orchestrator.sh --dry-run` checks the settings, the manager's address and the password.
3. `./deploy-orchestrator.sh` builds and starts the cluster, then waits until the manager lists it.

DEPLOYMENT.md explains every setting and what to do when something goes wrong.
README

echo "$PROG: kit written to $OUT"
if $TARBALL; then
  tar -C "$(dirname "$OUT")" -czf "$OUT.tar.gz" \
      --transform "s|^$(basename "$OUT")|orchestrator-deployment-kit|" "$(basename "$OUT")"
  echo "$PROG: tarball written to $OUT.tar.gz"
fi
