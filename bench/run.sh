#!/usr/bin/env bash
# The benchmark's one command. Builds the manager, the bare-Kestrel ceiling and the simulator in
# Release, then runs the simulator, which starts redis-server, the manager and the ceiling itself.
#   bash bench/run.sh --short   every scenario briefly (under 3 minutes), writes docs/benchmarks/short/
#   bash bench/run.sh           the full run, writes docs/benchmarks/full/
# Any other option goes to the simulator: bash bench/run.sh --help lists them.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
  bash scripts/install-prerequisites.sh
fi

out=bench/artifacts
for project in Orchestrator.Manager:manager bench/Orchestrator.Bench.Ceiling:ceiling bench/Orchestrator.Bench:bench; do
  dotnet build "${project%%:*}" -c Release -o "$out/${project##*:}" --nologo -v quiet -clp:ErrorsOnly
done

exec dotnet "$out/bench/Orchestrator.Bench.dll" "$@"
