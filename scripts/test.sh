#!/usr/bin/env bash
# The README's test command: installs prerequisites, builds, runs every test, ends with the totals.
#   bash scripts/test.sh          every level (what CI runs)
#   bash scripts/test.sh --fast   only Unit and Api tests (no service processes, no AppHost, no kit scripts)
#   bash scripts/test.sh --network   only the network tier (namespaces, root; skipped with the reason elsewhere)
# Other arguments go to `dotnet test`, e.g. --filter "FullyQualifiedName~AuthTests".
set -euo pipefail
cd "$(dirname "$0")/.."

selection=()
if [[ "${1:-}" == "--fast" ]]; then
  shift
  selection=(--filter "Level=Unit|Level=Api")
elif [[ "${1:-}" == "--network" ]]; then
  shift
  selection=(--filter "Level=Network")
fi

bash scripts/install-prerequisites.sh
dotnet build Orchestrator.sln --nologo -v quiet -clp:ErrorsOnly -clp:NoSummary

# Passing tests are filtered out so failures and the final tally stay readable.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test Orchestrator.sln --no-build --nologo -v quiet --logger "console;verbosity=minimal" "${selection[@]}" "$@" 2>&1 \
  | tee "$log" | grep --line-buffered -v -E '^\s*$|^Test run for|^A total of|^Results File|^\s+Passed '
status=${PIPESTATUS[0]}
set -e

# One closing line over every test assembly.
awk -F'[:,]' '/(Passed|Failed)! +- Failed:/ { failed += $2; passed += $4; skipped += $6 }
  END { printf "TOTAL: %d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$log"
exit "$status"
