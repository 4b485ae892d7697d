using System.Net.Http.Json;
using Orchestrator.Protocol;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Manager;

// Several managers share one Redis: any of them serves any request, one of them runs the liveness monitor.
[Trait(TestLevel.Name, TestLevel.Api)]
public class ReplicaTests
{
    [Fact]
    public async Task TwoManagersOnOneRedisElectExactlyOneLivenessLeaderAndShareTheRegistry()
    {
        await using var redis = new RedisHost();
        await redis.StartAsync();
        await using var first = new ManagerFactory(redis);
        await using var second = new ManagerFactory(redis);
        using var one = await first.CreateAdminClientAsync();
        using var two = await second.CreateAdminClientAsync();

        var roles = await Deadline.PollAsync(async () =>
        {
            var descriptions = new[] { await MonitorRoleAsync(one), await MonitorRoleAsync(two) };
            return descriptions.All(d => d is not null && d != "starting") ? descriptions : null;
        }, TimeSpan.FromSeconds(20), "both replicas to report their liveness role");
        Assert.Single(roles, r => r!.StartsWith("leader"));
        Assert.Single(roles, r => r!.StartsWith("standby"));

        var id = await one.RegisterIdAsync(Registrations.UniqueName());
        var heartbeat = await two.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/heartbeat", Registrations.Heartbeat(id));
        heartbeat.EnsureSuccessStatusCode();
    }

    private static async Task<string?> MonitorRoleAsync(HttpClient client)
    {
        var health = await client.GetAsync(ManagerRoutes.Health, ProtocolJsonContext.Default.HealthResponse);
        return health.Checks?.GetValueOrDefault("liveness-monitor")?.Description;
    }
}
