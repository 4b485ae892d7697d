#!/usr/bin/env bash
# Brings up one orchestrator cluster node on this host and waits until it has enrolled with the central manager.
# It checks every setting first, and stops at the first problem with one line saying what is wrong.
#
#   ./deploy-orchestrator.sh [--dry-run] [--env-file FILE]
#
# --dry-run    run every check (settings, enrollment token present, manager reachable), print what would be
#              run, change nothing. Docker is not needed for it.
# --env-file   settings file (default: .env.orchestrator beside docker-compose.orchestrator.yml).
#              Variables already set in the environment win over the file, as with docker compose.
set -euo pipefail

PROG=deploy-orchestrator
die() { echo "$PROG: error: $*" >&2; exit 1; }
say() { echo "$PROG: $*"; }

# In the kit this script sits beside the compose file; in the repository it lives in scripts/.
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -f "$SCRIPT_DIR/docker-compose.orchestrator.yml" ]; then KIT_DIR=$SCRIPT_DIR; else KIT_DIR=$(dirname "$SCRIPT_DIR"); fi
COMPOSE_FILE=$KIT_DIR/docker-compose.orchestrator.yml
ENV_FILE=$KIT_DIR/.env.orchestrator
DRY_RUN=false

while [ $# -gt 0 ]; do
  case $1 in
    --dry-run) DRY_RUN=true ;;
    --env-file) [ $# -ge 2 ] || die "--env-file needs a file name"; ENV_FILE=$2; shift ;;
    --env-file=*) ENV_FILE=${1#--env-file=} ;;
    -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
  shift
done

# Reads KEY=VALUE lines without executing them (the file comes from a person, not from a script).
load_env_file() {
  [ -f "$ENV_FILE" ] || die "settings file $ENV_FILE not found: copy .env.orchestrator.example to it and fill it in"
  local line key value number=0
  while IFS= read -r line || [ -n "$line" ]; do
    number=$((number + 1))
    line=${line%$'\r'}
    [[ $line =~ ^[[:space:]]*(#.*)?$ ]] && continue
    [[ $line =~ ^[[:space:]]*(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] \
      || die "$ENV_FILE line $number is not KEY=VALUE: $line"
    key=${BASH_REMATCH[2]}
    value=${BASH_REMATCH[3]}
    # Quotes are removed; in an unquoted value, " #" starts a comment (as docker compose reads it).
    if [[ $value =~ ^\"(.*)\"$ || $value =~ ^\'(.*)\'$ ]]; then value=${BASH_REMATCH[1]}
    elif [[ $value =~ ^(.*[^[:space:]])?[[:space:]]+#.*$ ]]; then value=${BASH_REMATCH[1]}; fi
    if [ -z "${!key+set}" ]; then export "$key=$value"; fi
  done < "$ENV_FILE"
}

require() {
  [ -n "${!1:-}" ] || die "$1 is not set: add it to $ENV_FILE (see .env.orchestrator.example)"
}

# Refuses the placeholders of the example files and the seed, and anything short.
require_strong() {
  local name=$1 min=$2 value=${!1} lower
  lower=$(printf '%s' "$value" | tr '[:upper:]' '[:lower:]')
  case $lower in
    *change-me*|*changeme*|*change_me*|your-*|*example*|*placeholder*|password|admin|secret|admin123|password123|123456*|default)
      die "$name is a placeholder or default value: use the real one (generate secrets with: openssl rand -hex 32)" ;;
  esac
  [ "${#value}" -ge "$min" ] || die "$name is too weak: it has ${#value} characters, at least $min are required"
}

require_number() {
  [ -z "${!1:-}" ] || [[ ${!1} =~ ^[0-9]+$ && ${!1} -ge $2 && ${!1} -le $3 ]] \
    || die "$1 must be a whole number from $2 to $3, got '${!1}'"
}

check_settings() {
  require ORCHESTRATOR_ID
  require CENTRAL_MANAGER_HOST
  require ENROLLMENT_TOKEN
  # The kit never carries the manager's admin password: a node enrolls with its own token.
  if [ -n "${ADMIN_PASSWORD:-}" ]; then say "warning: ADMIN_PASSWORD is set but not used: an orchestrator needs only ENROLLMENT_TOKEN; remove it"; fi
  # It names the compose project and the container, which allow only these characters.
  [[ $ORCHESTRATOR_ID =~ ^[a-z0-9][a-z0-9_-]*$ ]] \
    || die "ORCHESTRATOR_ID must be lower-case letters, digits, '-' or '_', got '$ORCHESTRATOR_ID'"
  case $CENTRAL_MANAGER_HOST in
    *://*|*/*) die "CENTRAL_MANAGER_HOST must be a host name or IP, with :port if needed, not a URL: '$CENTRAL_MANAGER_HOST'" ;;
  esac
  CENTRAL_MANAGER_SCHEME=${CENTRAL_MANAGER_SCHEME:-https}
  case $CENTRAL_MANAGER_SCHEME in
    http|https) ;;
    *) die "CENTRAL_MANAGER_SCHEME must be https or http, got '$CENTRAL_MANAGER_SCHEME'" ;;
  esac
  require_strong ENROLLMENT_TOKEN 32
  if [ "$CENTRAL_MANAGER_SCHEME" = http ] && [ "${ALLOW_INSECURE_TRANSPORT:-false}" != true ]; then
    case ${CENTRAL_MANAGER_HOST%%:*} in
      127.*|localhost) ;;
      *) die "CENTRAL_MANAGER_SCHEME is http to another machine: the node's credential would travel in clear text; use https, or set ALLOW_INSECURE_TRANSPORT=true for a trial on a private network" ;;
    esac
  fi
  # Orchestrators do not need JWT_SECRET; when an operator's environment carries one anyway, it is checked
  # like the manager checks it, so a weak shared secret is caught here too.
  if [ -n "${JWT_SECRET:-}" ]; then require_strong JWT_SECRET 32; fi
  require_number MAX_AGENTS 1 1000
  require_number AGENT_PORT 1 65535
  require_number DEPLOY_TIMEOUT 1 3600
  export CENTRAL_MANAGER_SCHEME
  MANAGER_URL="$CENTRAL_MANAGER_SCHEME://$CENTRAL_MANAGER_HOST"
  CONTAINER_NAME="orchestrator-$ORCHESTRATOR_ID-cluster"
  TIMEOUT=${DEPLOY_TIMEOUT:-120}
  if [ -z "${EXTERNAL_IP:-}" ]; then say "note: EXTERNAL_IP is not set; the manager will show 127.0.0.1 for this cluster"; fi
}

check_manager_health() {
  local code error
  error=$(mktemp)
  code=$(curl -sS -o /dev/null -w '%{http_code}' --connect-timeout 5 --max-time 10 "$MANAGER_URL/health" 2>"$error") || {
    local reason
    reason=$(head -n 1 "$error" | sed 's/^curl: ([0-9]*) //')
    rm -f "$error"
    die "the manager at $MANAGER_URL is unreachable ($reason): check CENTRAL_MANAGER_HOST, CENTRAL_MANAGER_SCHEME and the firewall"
  }
  rm -f "$error"
  case $code in
    200) say "manager at $MANAGER_URL is healthy" ;;
    503) die "the manager at $MANAGER_URL is running but unhealthy (GET /health: 503): ask its operator to check its Redis" ;;
    *) die "$MANAGER_URL/health answered HTTP $code instead of 200: is CENTRAL_MANAGER_HOST the manager's address?" ;;
  esac
}

find_compose() {
  if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose)
  elif command -v docker-compose >/dev/null 2>&1; then COMPOSE=(docker-compose)
  elif $DRY_RUN; then COMPOSE=(docker compose)
  else die "Docker Compose is not installed (need 'docker compose' or 'docker-compose')"
  fi
}

# Succeeds once the node's own health says it is registered (it enrolled with the token and logged in
# with its new credential); read on its local API, so no manager credential is needed here.
listed_by_manager() {
  local health
  health=$(curl -sS --max-time 5 "http://127.0.0.1:${AGENT_PORT:-8001}/health" 2>/dev/null) || return 1
  [[ $health =~ registered\ as\ ctr- ]]
}

wait_until_listed() {
  local deadline=$((SECONDS + TIMEOUT)) state
  say "waiting up to ${TIMEOUT}s for $CONTAINER_NAME to enroll with the manager"
  until listed_by_manager; do
    state=$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$CONTAINER_NAME" 2>/dev/null || echo "missing")
    case $state in
      exited*|dead*|missing)
        "${COMPOSE[@]}" "${COMPOSE_ARGS[@]}" logs --tail 30 >&2 || true
        die "container $CONTAINER_NAME is not running ($state); its last log lines are above" ;;
    esac
    if [ "$SECONDS" -ge "$deadline" ]; then
      "${COMPOSE[@]}" "${COMPOSE_ARGS[@]}" logs --tail 30 >&2 || true
      die "$CONTAINER_NAME is running but did not enroll within ${TIMEOUT}s (a used, expired or revoked ENROLLMENT_TOKEN?); its last log lines are above"
    fi
    sleep 3
  done
  say "done: $CONTAINER_NAME enrolled and registered with the manager"
}

command -v curl >/dev/null 2>&1 || die "curl is required (apt-get install curl)"
[ -f "$COMPOSE_FILE" ] || die "$COMPOSE_FILE not found: run this script from the unpacked deployment kit"
load_env_file
check_settings
check_manager_health
find_compose
COMPOSE_ARGS=(--env-file "$ENV_FILE" -f "$COMPOSE_FILE")
# Container agents: the engine overlay, only when the settings name the engine's socket.
if [ -n "${CONTAINER_ENGINE_SOCKET:-}" ]; then
  [ -f "$KIT_DIR/docker-compose.engine.yml" ] || die "CONTAINER_ENGINE_SOCKET is set but docker-compose.engine.yml is missing from $KIT_DIR"
  $DRY_RUN || [ -S "$CONTAINER_ENGINE_SOCKET" ] || die "CONTAINER_ENGINE_SOCKET=$CONTAINER_ENGINE_SOCKET is not a socket on this host (is the engine running?)"
  [[ ${CONTAINER_ENGINE_GID:-} =~ ^[0-9]+$ ]] || die "CONTAINER_ENGINE_GID must be the numeric group id owning $CONTAINER_ENGINE_SOCKET"
  COMPOSE_ARGS+=(-f "$KIT_DIR/docker-compose.engine.yml")
fi
# Signed specs: the signing overlay, only when the settings name the vendor's keys file (relative: to the kit).
if [ -n "${TRUSTED_KEYS_FILE:-}" ]; then
  [ -f "$KIT_DIR/docker-compose.signing.yml" ] || die "TRUSTED_KEYS_FILE is set but docker-compose.signing.yml is missing from $KIT_DIR"
  keys_path=$TRUSTED_KEYS_FILE
  [[ $keys_path == /* ]] || keys_path="$KIT_DIR/$keys_path"
  [ -f "$keys_path" ] || die "TRUSTED_KEYS_FILE=$TRUSTED_KEYS_FILE is not a file (the vendor's public keys; relative paths are to $KIT_DIR)"
  grep -q 'PRIVATE KEY' "$keys_path" && die "TRUSTED_KEYS_FILE=$TRUSTED_KEYS_FILE holds a private key: pin only the vendor's public keys"
  case ${SPEC_SIGNATURES:-require} in require|monitor|off) ;; *) die "SPEC_SIGNATURES must be require, monitor or off, got '$SPEC_SIGNATURES'" ;; esac
  case ${ON_KEY_REVOKED:-stop} in stop|keep) ;; *) die "ON_KEY_REVOKED must be stop or keep, got '$ON_KEY_REVOKED'" ;; esac
  COMPOSE_ARGS+=(-f "$KIT_DIR/docker-compose.signing.yml")
fi

if $DRY_RUN; then
  say "dry run: all checks passed; would run:"
  say "  ${COMPOSE[*]} ${COMPOSE_ARGS[*]} up -d --build"
  say "then wait up to ${TIMEOUT}s for $CONTAINER_NAME to enroll with $MANAGER_URL"
  exit 0
fi

say "starting $CONTAINER_NAME"
"${COMPOSE[@]}" "${COMPOSE_ARGS[@]}" up -d --build || die "docker compose up failed; its output is above"
wait_until_listed
