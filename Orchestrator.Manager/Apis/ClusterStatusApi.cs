using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Contracts;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Recovery;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Apis;

public static class ClusterStatusApi
{
    public static IEndpointRouteBuilder MapClusterStatusApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/cluster").WithTags("Cluster").RequireAuthorization(Policies.Admin)
            .MapGet("/status", GetStatusAsync)
            .WithSummary("Containers by status, capacity, agents in use, and whether Redis is reachable");
        return app;
    }

    public static async Task<Ok<ClusterStatusResponse>> GetStatusAsync(
        ContainerStore store, ReschedulingPause pause, IOptions<ManagerOptions> options, TimeProvider time)
    {
        IReadOnlyList<ContainerView>? containers;
        ReschedulingPause.Pause? paused = null;
        try
        {
            containers = await store.ListAsync();
            paused = await pause.ReadAsync();
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
        {
            containers = null; // reported as redis_reachable: false rather than an error
        }
        var all = containers ?? [];
        var byStatus = ContainerStatus.All.ToDictionary(s => s, s => all.Count(c => c.Status == s));
        // Only healthy containers take new agents, so only they count towards capacity.
        var capacity = all.Where(c => c.Status == ContainerStatus.Healthy).Sum(c => c.MaxAgents);
        var inUse = all.Sum(c => c.ActiveAgents);
        return TypedResults.Ok(new ClusterStatusResponse(
            RedisReachable: containers is not null,
            TotalContainers: all.Count,
            ContainersByStatus: byStatus,
            TotalCapacity: capacity,
            AgentsInUse: inUse,
            AvailableCapacity: Math.Max(0, capacity - all.Where(c => c.Status == ContainerStatus.Healthy).Sum(c => c.ActiveAgents)),
            HeartbeatInterval: options.Value.HeartbeatSeconds(),
            CheckedAt: time.GetUtcNow(),
            ReschedulingPaused: paused is not null,
            ReschedulingPausedReason: paused?.Reason));
    }
}
