#!/usr/bin/env bash
# Deploy-to-running latency in a real local cluster (issue: deployment and scheduling).
#   bash bench/deploy-latency.sh [deploys=100] [orchestrators=2]
set -euo pipefail
cd "$(dirname "$0")/.."

command -v redis-server >/dev/null || bash scripts/install-prerequisites.sh
out=bench/artifacts
for project in Orchestrator.Manager:manager Orchestrator.Agent:agent bench/Orchestrator.Bench.DeployLatency:deploy-latency; do
  dotnet build "${project%%:*}" -c Release -o "$out/${project##*:}" --nologo -v quiet -clp:ErrorsOnly -clp:NoSummary
done
exec dotnet "$out/deploy-latency/Orchestrator.Bench.DeployLatency.dll" "$out" "$@"
