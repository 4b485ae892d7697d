using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Manager.Problems;

namespace Orchestrator.Manager.Tenants;

public static class TenantPlacement
{
    // 404, not 403: a scoped operator learns nothing about tenants other than its own.
    public static ProblemHttpResult UnknownTenant(DeployRequest request, string tenant) => ApiProblems.Problem(ProblemTypes.UnknownTenant,
        $"No tenant '{tenant}' among this operator's tenants.", new Dictionary<string, object?>
        {
            ["field"] = request.AgentConfig is { ValueKind: System.Text.Json.JsonValueKind.Object } config && config.TryGetProperty("orchestrator_id", out _)
                ? "agent_config.orchestrator_id" : "constraints.orchestrator_id",
            ["tenant"] = tenant,
        });
}
