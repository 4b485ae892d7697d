#!/usr/bin/env bash
# Builds the orchestrator deployment kit: everything a customer needs to run one orchestrator cluster,
# and nothing else (docs/deployment.md, "Customer onboarding").
#
#   scripts/make-orchestrator-kit.sh [--output DIR] [--tarball] [--orchestrator-id ID] [--engine none|docker|podman]
#                                    [--token TOKEN | --create-token --manager URL [--ttl SECONDS] [--max-agents N]]
#                                    [--trusted-keys FILE]
#
# --output          where to build the kit (default: orchestrator-deployment-kit/ at the repository root).
#                   An existing kit there is replaced; any other non-empty folder is refused.
# --tarball         also pack it as DIR.tar.gz, with orchestrator-deployment-kit/ as its top folder.
# --token           an enrollment token made earlier (POST /api/v1/cluster/enrollment-tokens); written into
#                   the kit's .env.orchestrator with --orchestrator-id. The kit never holds ADMIN_PASSWORD.
# --create-token    create a single-use token for --orchestrator-id at --manager, logging in as admin with
#                   ADMIN_PASSWORD from this shell's environment (it is used for that call only).
# --engine          how the node reaches a container engine for `container` agents (DEPLOYMENT.md): none
#                   (default), docker (/var/run/docker.sock) or podman (a rootless Podman service's socket).
# --trusted-keys    the vendor's public signing keys ({"keys":[{"id":..,"public_key":..}]}, docs/deployment.md
#                   "Pinning the vendor's signing keys"): copied into the kit as trusted-keys.json and pinned in
#                   .env.orchestrator with SPEC_SIGNATURES=require, so the node runs only specs the vendor signed.
set -euo pipefail

PROG=make-orchestrator-kit
die() { echo "$PROG: error: $*" >&2; exit 1; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/orchestrator-deployment-kit
TARBALL=false
TOKEN=""
CREATE_TOKEN=false
MANAGER=""
ORCHESTRATOR_ID=""
TTL=604800
MAX_AGENTS=""
ENGINE=none
TRUSTED_KEYS=""

while [ $# -gt 0 ]; do
  case $1 in
    --output) [ $# -ge 2 ] || die "--output needs a folder"; OUT=$2; shift ;;
    --output=*) OUT=${1#--output=} ;;
    --tarball) TARBALL=true ;;
    --token) [ $# -ge 2 ] || die "--token needs a value"; TOKEN=$2; shift ;;
    --create-token) CREATE_TOKEN=true ;;
    --manager) [ $# -ge 2 ] || die "--manager needs a URL"; MANAGER=${2%/}; shift ;;
    --orchestrator-id) [ $# -ge 2 ] || die "--orchestrator-id needs a value"; ORCHESTRATOR_ID=$2; shift ;;
    --ttl) [ $# -ge 2 ] || die "--ttl needs seconds"; TTL=$2; shift ;;
    --max-agents) [ $# -ge 2 ] || die "--max-agents needs a number"; MAX_AGENTS=$2; shift ;;
    --engine) [ $# -ge 2 ] || die "--engine needs none, docker or podman"; ENGINE=$2; shift ;;
    --engine=*) ENGINE=${1#--engine=} ;;
    --trusted-keys) [ $# -ge 2 ] || die "--trusted-keys needs a file"; TRUSTED_KEYS=$2; shift ;;
    --trusted-keys=*) TRUSTED_KEYS=${1#--trusted-keys=} ;;
    -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
  shift
done

case $ENGINE in none|docker|podman) ;; *) die "--engine must be none, docker or podman, got '$ENGINE'" ;; esac
# The keys file is checked before anything is written: public keys only, in the node's format.
if [ -n "$TRUSTED_KEYS" ]; then
  [ -f "$TRUSTED_KEYS" ] || die "--trusted-keys: $TRUSTED_KEYS is not a file"
  ! grep -q 'PRIVATE KEY' "$TRUSTED_KEYS" || die "--trusted-keys: $TRUSTED_KEYS holds a private key; give the public keys file (orchestrator keys public FILE prints a key's public half)"
  if ! grep -q '"keys"' "$TRUSTED_KEYS" || ! grep -q '"public_key"' "$TRUSTED_KEYS"; then
    die "--trusted-keys: $TRUSTED_KEYS is not a keys file: {\"keys\":[{\"id\":\"vendor-2026\",\"public_key\":\"<base64>\"}]}"
  fi
fi
if [ -n "$TOKEN" ] || $CREATE_TOKEN; then
  [[ $ORCHESTRATOR_ID =~ ^[a-z0-9][a-z0-9_-]*$ ]] || die "--orchestrator-id is required with a token: lower-case letters, digits, '-' or '_'"
fi
if $CREATE_TOKEN; then
  [ -z "$TOKEN" ] || die "give --token or --create-token, not both"
  [ -n "$MANAGER" ] || die "--create-token needs --manager URL"
  [ -n "${ADMIN_PASSWORD:-}" ] || die "--create-token needs ADMIN_PASSWORD in the environment (it is not written into the kit)"
  [[ $TTL =~ ^[0-9]+$ ]] || die "--ttl must be a number of seconds"
  [[ -z $MAX_AGENTS || $MAX_AGENTS =~ ^[0-9]+$ ]] || die "--max-agents must be a number"
  command -v curl >/dev/null 2>&1 || die "curl is required for --create-token"
  escaped=${ADMIN_PASSWORD//\\/\\\\}
  escaped=${escaped//\"/\\\"}
  # Passwords and tokens go through stdin, never the command line, so other users' `ps` cannot see them.
  login=$(printf '{"username":"admin","password":"%s"}' "$escaped" \
    | curl -sS --fail --max-time 10 -H 'Content-Type: application/json' --data-binary @- "$MANAGER/api/v1/auth/token") \
    || die "admin login at $MANAGER failed: check --manager and ADMIN_PASSWORD"
  admin_token=$(printf '%s' "$login" | sed -n 's/.*"access_token"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p')
  bounds=""
  if [ -n "$MAX_AGENTS" ]; then bounds=",\"max_agents\":$MAX_AGENTS"; fi
  created=$(printf '{"orchestrator_id":"%s","ttl_seconds":%s,"max_uses":1%s}' "$ORCHESTRATOR_ID" "$TTL" "$bounds" \
    | curl -sS --fail-with-body --max-time 10 -H 'Content-Type: application/json' -H @<(printf 'Authorization: Bearer %s\n' "$admin_token") \
        --data-binary @- "$MANAGER/api/v1/cluster/enrollment-tokens") || die "creating the enrollment token failed: $created"
  TOKEN=$(printf '%s' "$created" | sed -n 's/.*"token"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p')
  [ -n "$TOKEN" ] || die "the manager answered without a token: $created"
fi

if [ -d "$OUT" ] && [ -n "$(ls -A "$OUT")" ]; then
  [ -f "$OUT/docker-compose.orchestrator.yml" ] || die "$OUT exists and is not a deployment kit; choose another --output"
  rm -rf "$OUT"
fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# The seed's four files: the node's compose file, its image, the settings template, the deploy script.
cp "$ROOT/docker-compose.orchestrator.yml" "$ROOT/docker-compose.engine.yml" "$ROOT/docker-compose.signing.yml" "$ROOT/Dockerfile.agent" "$ROOT/.dockerignore" \
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

# The kit's settings, prefilled with this cluster's enrollment token: private to this customer (mode 0600).
if [ -n "$TOKEN" ]; then
  umask 077
  sed -e "s|^ORCHESTRATOR_ID=.*|ORCHESTRATOR_ID=$ORCHESTRATOR_ID|" -e "s|^ENROLLMENT_TOKEN=.*|ENROLLMENT_TOKEN=$TOKEN|" \
    "$ROOT/.env.orchestrator.example" > "$OUT/.env.orchestrator"
  if [ -n "$MANAGER" ]; then
    sed -i -e "s|^CENTRAL_MANAGER_HOST=.*|CENTRAL_MANAGER_HOST=${MANAGER#*://}|" -e "s|^CENTRAL_MANAGER_SCHEME=.*|CENTRAL_MANAGER_SCHEME=${MANAGER%%://*}|" \
      "$OUT/.env.orchestrator"
  fi
  umask 022
  echo "$PROG: .env.orchestrator written with the enrollment token for orchestrator_id $ORCHESTRATOR_ID"
fi

# The container engine choice (DEPLOYMENT.md "Container agents"): the socket and its group, for the customer
# to confirm on their host; deploy-orchestrator.sh then adds docker-compose.engine.yml.
if [ "$ENGINE" != none ]; then
  settings="$OUT/.env.orchestrator"
  [ -f "$settings" ] || { umask 077; cp "$ROOT/.env.orchestrator.example" "$settings"; umask 022; }
  {
    echo ""
    echo "# Container agents ($ENGINE): see DEPLOYMENT.md \"Container agents\" for what access to this socket grants."
    if [ "$ENGINE" = docker ]; then
      echo "CONTAINER_ENGINE_SOCKET=/var/run/docker.sock"
      echo "# The docker group's id on this host: getent group docker | cut -d: -f3"
      echo "CONTAINER_ENGINE_GID=change-me"
    else
      echo "# A rootless Podman service run by an unprivileged user, its socket in a directory of its own group."
      echo "CONTAINER_ENGINE_SOCKET=/run/orchestrator-podman/podman.sock"
      echo "# That group's id: getent group orchestrator-engine | cut -d: -f3"
      echo "CONTAINER_ENGINE_GID=change-me"
    fi
  } >> "$settings"
  echo "$PROG: .env.orchestrator names the $ENGINE socket; the customer sets CONTAINER_ENGINE_GID"
fi

# The vendor's public signing keys (DEPLOYMENT.md "Pinning the vendor's signing keys"): pinned with
# SPEC_SIGNATURES=require; deploy-orchestrator.sh then adds docker-compose.signing.yml.
if [ -n "$TRUSTED_KEYS" ]; then
  cp "$TRUSTED_KEYS" "$OUT/trusted-keys.json"
  chmod 0644 "$OUT/trusted-keys.json"
  settings="$OUT/.env.orchestrator"
  [ -f "$settings" ] || { umask 077; cp "$ROOT/.env.orchestrator.example" "$settings"; umask 022; }
  {
    echo ""
    echo "# Signed specs: this node runs only agent specs signed by your vendor's keys below (DEPLOYMENT.md)."
    echo "TRUSTED_KEYS_FILE=./trusted-keys.json"
    echo "SPEC_SIGNATURES=require"
  } >> "$settings"
  echo "$PROG: trusted-keys.json pinned in .env.orchestrator with SPEC_SIGNATURES=require"
fi

cat > "$OUT/README.md" <<'README'
# Orchestrator deployment kit

Runs one orchestrator cluster on your infrastructure. It needs Docker with Compose, and curl.
The cluster only connects out to the central manager over HTTPS: no inbound firewall rule is needed.

1. Check `.env.orchestrator` (your vendor prefilled the enrollment token; else copy `.env.orchestrator.example`
   and fill in the values your vendor gave you). Keep it private until the cluster has enrolled.
2. `./deploy-orchestrator.sh --dry-run` checks the settings and the manager's address.
3. `./deploy-orchestrator.sh` builds and starts the cluster, then waits until it has enrolled. The token is
   used once: the cluster keeps its own credential in its data volume, so restarts need nothing else.

DEPLOYMENT.md explains every setting and what to do when something goes wrong.
README

echo "$PROG: kit written to $OUT"
if $TARBALL; then
  tar -C "$(dirname "$OUT")" -czf "$OUT.tar.gz" \
      --transform "s|^$(basename "$OUT")|orchestrator-deployment-kit|" "$(basename "$OUT")"
  echo "$PROG: tarball written to $OUT.tar.gz"
fi
