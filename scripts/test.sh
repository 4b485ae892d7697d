#!/usr/bin/env bash
# The README's test command: installs prerequisites, builds, runs every test, ends with the totals.
#   bash scripts/test.sh          every level (what CI runs)
#   bash scripts/test.sh --fast   only Unit and Api tests (no service processes, no AppHost, no kit scripts)
#   bash scripts/test.sh --network   only the network tier (namespaces, root; skipped with the reason elsewhere)
# Other arguments go to `dotnet test`, e.g. --filter "FullyQualifiedName~AuthTests".
set -euo pipefail
cd "$(dirname "$0")/.."

# Why the network tier (Level=Network) cannot run here, or nothing: its tests then report "skipped" (never
# passed), and this says why once, up front. The tests check the same things themselves (NetworkLab).
network_tier_unavailable() {
  if [ "$(id -u)" -ne 0 ]; then echo "creating network namespaces needs root"; return; fi
  local tool
  for tool in ip nft; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || { echo "\`$tool\` is not installed"; return; }
  done
  local probe="ornet-$$-probe"
  if ! ip netns add "$probe" >/dev/null 2>&1; then echo "\`ip netns add\` is refused on this machine"; return; fi
  ip netns delete "$probe" >/dev/null 2>&1 || true
}

lane=all
selection=()
if [[ "${1:-}" == "--fast" ]]; then
  lane=fast
  shift
  selection=(--filter "Level=Unit|Level=Api")
elif [[ "${1:-}" == "--network" ]]; then
  lane=network
  shift
  selection=(--filter "Level=Network")
fi

bash scripts/install-prerequisites.sh
dotnet build Orchestrator.sln --nologo -v quiet -clp:ErrorsOnly -clp:NoSummary
if [[ "$lane" != fast ]]; then
  reason=$(network_tier_unavailable)
  if [ -n "$reason" ]; then echo "NETWORK TIER SKIPPED: $reason (its tests are reported as skipped)"; fi
fi

# Passing tests are filtered out so failures and the final tally stay readable.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test Orchestrator.sln --no-build --nologo -v quiet --logger "console;verbosity=minimal" "${selection[@]}" "$@" 2>&1 \
  | tee "$log" | grep --line-buffered -v -E '^\s*$|^Test run for|^A total of|^Results File|^\s+Passed '
status=${PIPESTATUS[0]}
set -e

# One closing line over every test assembly.
awk -F'[:,]' '/(Passed|Failed|Skipped)! +- Failed:/ { failed += $2; passed += $4; skipped += $6 }
  END { printf "TOTAL: %d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$log"
exit "$status"
