using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Redis;
using Orchestrator.Manager.Scheduling;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Apis;

public static class ClusterMetricsApi
{
    public static IEndpointRouteBuilder MapClusterMetricsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(string.Empty).WithTags("Cluster").RequireAuthorization(Policies.Reader);
        group.MapGet(ManagerRoutes.Distribution, GetDistributionAsync).WithSummary("Agents per container and per orchestrator_id");
        group.MapGet(ManagerRoutes.CommunicationStats, GetCommunicationStatsAsync).WithSummary("Heartbeats, deliveries, failures and reconnects");
        return app;
    }

    // A scoped caller's numbers cover its tenants' containers and agents only.
    public static async Task<Ok<DistributionResponse>> GetDistributionAsync(ContainerStore containers, AgentStore agents, CallerScope caller)
    {
        var all = TenantScope.Within(await containers.ListAsync(), caller.Tenants);
        var running = (await agents.ListAsync()).Where(a => a.ReportedState == AgentStates.Running && caller.Sees(a.OrchestratorId))
            .GroupBy(a => a.ContainerId).ToDictionary(g => g.Key, g => g.Count());
        var perContainer = all.Select(c => new ContainerDistribution(c.ContainerId, c.ContainerName, c.OrchestratorId(), c.Status,
            c.AssignedAgents, running.GetValueOrDefault(c.ContainerId), c.MaxAgents, Ratio(c.AssignedAgents, c.MaxAgents))).ToList();
        var perOrchestrator = perContainer.GroupBy(c => c.OrchestratorId).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new OrchestratorDistribution(g.Key, g.Count(), g.Sum(c => c.Agents), g.Sum(c => c.Running),
                g.Sum(c => c.MaxAgents), Ratio(g.Sum(c => c.Agents), g.Sum(c => c.MaxAgents)))).ToList();
        return TypedResults.Ok(new DistributionResponse(perContainer, perOrchestrator,
            perContainer.Sum(c => c.Agents), perContainer.Sum(c => c.MaxAgents)));
    }

    public static async Task<Ok<CommunicationStatsResponse>> GetCommunicationStatsAsync(ContainerStore containers, CommunicationStore communication,
        CallerScope caller)
    {
        var all = TenantScope.Within(await containers.ListAsync(), caller.Tenants);
        var counters = await communication.ReadAsync(all.Select(c => c.ContainerId));
        var rows = all.Select(c =>
        {
            var n = counters[c.ContainerId];
            return new ContainerCommunication(c.ContainerId, c.ContainerName, c.Status, n.Heartbeats, n.RoundTripMs,
                c.LastHeartbeat, n.Deliveries, n.Failures, n.Reconnects);
        }).ToList();
        return TypedResults.Ok(new CommunicationStatsResponse(rows, new CommunicationTotals(
            rows.Sum(r => r.HeartbeatsReceived), rows.Sum(r => r.AssignmentDeliveries), rows.Sum(r => r.Failures), rows.Sum(r => r.Reconnects))));
    }

    private static double Ratio(int used, int capacity) => capacity <= 0 ? 0 : Math.Round((double)used / capacity, 4);
}
