using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Redis;
using Orchestrator.Manager.Scheduling;
using StackExchange.Redis;
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

    private static readonly RedisValue[] DistributionFields =
    [
        ContainerFields.Id, ContainerFields.Name, ContainerFields.Metadata, ContainerFields.Status,
        ContainerFields.AssignedAgents, ContainerFields.RunningAgents, ContainerFields.MaxAgents,
    ];

    // From each container's own counters (assigned_agents, running_agents, kept by the scripts): one small read
    // per container and none per agent, where it used to read every agent to count the running ones.
    // A scoped caller's numbers cover its tenants' containers and agents only.
    public static async Task<Ok<DistributionResponse>> GetDistributionAsync(ContainerStore containers, CallerScope caller)
    {
        var ids = await containers.AllIdsAsync();
        var values = await containers.ReadFieldsAsync(ids, DistributionFields);
        var perContainer = new List<ContainerDistribution>(ids.Count);
        foreach (var v in values)
        {
            if (v is not [{ HasValue: true } id, var name, var metadata, var status, var assigned, var running, var max]) continue;
            var orchestrator = OrchestratorIdOf(metadata.ToString());
            if (!caller.Sees(orchestrator)) continue;
            int Int(RedisValue value) => value.IsNull ? 0 : (int)(long)value;
            perContainer.Add(new ContainerDistribution(id.ToString(), name.ToString(), orchestrator, status.ToString(),
                Int(assigned), Int(running), Int(max), Ratio(Int(assigned), Int(max))));
        }
        perContainer.Sort((a, b) => string.CompareOrdinal(a.ContainerName, b.ContainerName));
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

    private static string OrchestratorIdOf(string metadata)
    {
        if (string.IsNullOrEmpty(metadata)) return "";
        using var document = JsonDocument.Parse(metadata);
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("orchestrator_id", out var id)
            ? ContainerViewExtensions.JsonIdentifier(id) ?? "" : "";
    }

    private static double Ratio(int used, int capacity) => capacity <= 0 ? 0 : Math.Round((double)used / capacity, 4);
}
