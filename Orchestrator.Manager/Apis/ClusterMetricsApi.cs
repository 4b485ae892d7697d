using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Scheduling;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Apis;

public static class ClusterMetricsApi
{
    public static IEndpointRouteBuilder MapClusterMetricsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(string.Empty).WithTags("Cluster").RequireAuthorization(Policies.Reader);
        group.MapGet(ManagerRoutes.Distribution, GetDistributionAsync).WithSummary("Agents, and container agents' CPUs and memory, per container and per orchestrator_id, against capacity");
        group.MapGet(ManagerRoutes.CommunicationStats, GetCommunicationStatsAsync).WithSummary("Heartbeats, deliveries, failures and reconnects");
        return app;
    }

    // From the fleet snapshot placement keeps (PlacementCandidates): each container's own counters
    // (assigned_agents, running_agents, kept by the scripts) as read after every change this replica made, so a
    // caller sees its own deploys and removals at once, and at most Scheduling:CandidateMaxAge ago (twice that
    // while a newer read is under way), so another replica's changes show within that age. At 10,000 containers a read of every container's counters per
    // call cost more than the 200 ms this answer may take; the snapshot is shared by every caller and deploy.
    // A scoped caller's numbers cover its tenants' containers and agents only.
    public static async Task<Ok<DistributionResponse>> GetDistributionAsync(PlacementCandidates fleet, CallerScope caller)
    {
        var snapshot = await fleet.GetAfterOwnWritesAsync();
        var perContainer = new List<ContainerDistribution>(snapshot.Containers.Count);
        foreach (var c in snapshot.Containers)
        {
            if (!caller.Sees(c.OrchestratorId)) continue;
            perContainer.Add(new ContainerDistribution(c.ContainerId, c.Name, c.OrchestratorId, c.Status,
                c.Assigned, c.Running, c.MaxAgents, Ratio(c.Assigned, c.MaxAgents),
                c.CpuMillisReserved / 1000.0, c.CpuMillisTotal / 1000.0, c.MemoryMbReserved, c.MemoryMbTotal));
        }
        perContainer.Sort((a, b) => string.CompareOrdinal(a.ContainerName, b.ContainerName));
        var perOrchestrator = perContainer.GroupBy(c => c.OrchestratorId).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new OrchestratorDistribution(g.Key, g.Count(), g.Sum(c => c.Agents), g.Sum(c => c.Running),
                g.Sum(c => c.MaxAgents), Ratio(g.Sum(c => c.Agents), g.Sum(c => c.MaxAgents)),
                g.Sum(c => c.CpusReserved), g.Sum(c => c.CpusTotal), g.Sum(c => c.MemoryMbReserved), g.Sum(c => c.MemoryMbTotal))).ToList();
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
