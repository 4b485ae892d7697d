using System.Net.Http.Json;
using Orchestrator.Protocol;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Tests.Failure;

// Two manager replicas share one Redis behind one address; the liveness leader is killed (-9: its lease
// is not released, it expires).
[Collection(FailureCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class ManagerReplicaTests
{
    [Fact]
    public async Task WhenTheReplicaRunningTheMonitorIsKilledTheOtherTakesOverWithinOneLeaseAndKeepsRescheduling()
    {
        await using var cluster = await ProcessCluster.StartAsync(new() { Managers = 2, Orchestrators = 2 });
        var first = cluster.Managers[0];
        var second = cluster.Managers[1];
        await cluster.WaitAsync(async () => await RoleAsync(cluster, first) == "leader", FailureScenario.Deadline, "manager-1 to lead");
        Assert.Equal("standby", await RoleAsync(cluster, second));
        var movable = await cluster.DeployRunningAsync("reschedule", 2);

        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.ConnectionString);
        var db = redis.GetDatabase();
        var firstOwner = (string?)await db.StringGetAsync(RedisKeys.LivenessLease);
        first.Kill();
        // The killed leader's lease is not released: it expires by itself within one lease (read from Redis, so
        // this holds however loaded the machine is)...
        var lease = cluster.Options.LivenessCheckPeriod * 3;
        var left = await db.KeyTimeToLiveAsync(RedisKeys.LivenessLease);
        Assert.True(left is null || left <= lease, $"the lease had {left} left after the kill; lease {lease}");
        // ...and the standby takes it at its next pass after that. The slack covers a loaded CI machine delaying
        // that pass; a lease that never expired, or a standby that never tried, would wait out the whole deadline.
        var expired = FailureScenario.Started();
        await cluster.WaitAsync(async () => await RoleAsync(cluster, second) == "leader", FailureScenario.Deadline, "manager-2 to take the lease");
        var owner = (string?)await db.StringGetAsync(RedisKeys.LivenessLease);
        Assert.NotEqual(firstOwner, owner);
        Assert.NotNull(owner);
        var bound = (left ?? TimeSpan.Zero) + cluster.Options.LivenessCheckPeriod + TimeSpan.FromSeconds(3);
        Assert.True(expired.Elapsed <= bound, $"took over {expired.Elapsed.TotalSeconds:0.0}s after the kill; lease {lease.TotalSeconds:0.0}s, {left?.TotalSeconds:0.0}s left");

        // The new leader sweeps and reschedules: an orchestrator killed now has its agent moved.
        var victim = cluster.Orchestrators[0];
        var moving = movable.Single(a => a.Host == victim);
        victim.Kill();
        await cluster.WaitRunningElsewhereAsync(moving.AgentId, victim, cluster.Options.LostAfter + cluster.Options.RescheduleAfter + TimeSpan.FromSeconds(8));
        // The line may reach the process log a moment after the agent runs elsewhere.
        await cluster.WaitAsync(() => Task.FromResult(second.Log.Contains("Rescheduled agent " + moving.AgentId)), TimeSpan.FromSeconds(10),
            "manager-2 to log the rescheduling");
    }

    // The liveness-monitor health check says which replica holds the lease.
    private static async Task<string?> RoleAsync(ProcessCluster cluster, ManagerNode manager)
    {
        // 503 (an unhealthy replica) still carries the report.
        using var response = await cluster.Http.GetAsync(manager.Url + ManagerRoutes.Health);
        var health = await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.HealthResponse);
        var description = health?.Checks?.GetValueOrDefault("liveness-monitor")?.Description;
        return description switch
        {
            not null when description.StartsWith("leader", StringComparison.Ordinal) => "leader",
            not null when description.StartsWith("standby", StringComparison.Ordinal) => "standby",
            _ => null,
        };
    }
}
