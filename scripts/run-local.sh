#!/usr/bin/env bash
# The README's run command: manager + Redis + N orchestrators under the Aspire dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-prerequisites.sh
exec dotnet run --project Orchestrator.AppHost --launch-profile http -- "$@"
