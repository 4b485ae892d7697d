using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Recovery;
using Orchestrator.Manager.Tenants;
using StackExchange.Redis;

namespace Orchestrator.Manager.Apis;

public static class ClusterStatusApi
{
    public static IEndpointRouteBuilder MapClusterStatusApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup(string.Empty).WithTags("Cluster").RequireAuthorization(Policies.Reader)
            .MapGet(ManagerRoutes.Status, GetStatusAsync)
            .WithSummary("Containers by status, capacity, agents in use, and whether Redis is reachable");
        return app;
    }

    // O(1) in the fleet's size for the admin: the totals hash, not a listing of every container. A scoped
    // caller's numbers are its tenants' only, counted from a listing (there is no per-tenant totals hash yet).
    public static async Task<Ok<ClusterStatusResponse>> GetStatusAsync(
        ContainerTotals totals, ReschedulingPause pause, IOptions<ManagerOptions> options, TimeProvider time, CallerScope caller, ContainerStore containers)
    {
        IReadOnlyDictionary<string, ContainerTotals.Bucket>? buckets;
        ReschedulingPause.Pause? paused = null;
        try
        {
            buckets = caller.IsAdmin ? await totals.ReadAsync() : TenantTotals.Of(TenantScope.Within(await containers.ListAsync(), caller.Tenants));
            paused = await pause.ReadAsync();
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
        {
            buckets = null; // reported as redis_reachable: false rather than an error
        }
        var all = buckets ?? ContainerStatus.All.ToDictionary(s => s, _ => new ContainerTotals.Bucket(0, 0, 0));
        var healthy = all[ContainerStatus.Healthy];
        return TypedResults.Ok(new ClusterStatusResponse(
            RedisReachable: buckets is not null,
            TotalContainers: (int)all.Values.Sum(b => b.Count),
            ContainersByStatus: all.ToDictionary(b => b.Key, b => (int)b.Value.Count),
            // Only healthy containers take new agents, so only they count towards capacity.
            TotalCapacity: (int)healthy.MaxAgents,
            AgentsInUse: (int)all.Values.Sum(b => b.ActiveAgents),
            AvailableCapacity: (int)Math.Max(0, healthy.MaxAgents - healthy.ActiveAgents),
            HeartbeatInterval: options.Value.HeartbeatSeconds(),
            CheckedAt: time.GetUtcNow(),
            ReschedulingPaused: paused is not null,
            ReschedulingPausedReason: paused?.Reason,
            NodeAuthentication: options.Value.AllowSharedPasswordNodes ? "shared_password" : "enrollment",
            ReschedulingPause: paused?.ToView()));
    }
}
