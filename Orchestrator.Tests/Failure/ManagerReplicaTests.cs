using System.Net.Http.Json;
using Orchestrator.Protocol;
using System.Text.Json.Nodes;

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

        first.Kill();
        var clock = FailureScenario.Started();
        await cluster.WaitAsync(async () => await RoleAsync(cluster, second) == "leader", FailureScenario.Deadline, "manager-2 to take the lease");
        var lease = cluster.Options.LivenessCheckPeriod * 3;
        Assert.True(clock.Elapsed <= lease + cluster.Options.LivenessCheckPeriod + TimeSpan.FromSeconds(1),
            $"took over after {clock.Elapsed.TotalSeconds:0.0}s; lease {lease.TotalSeconds:0.0}s");

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
